"""Answers from tool results: one short template per read-only tool, the facts staff asked for.

Every number comes from the tool result (months left are computed from the contract end date the
CRM returns; colours in stock from the POS rows), so the offline assistant never invents a
figure. The question is passed along only to focus an answer (the colour asked about).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from tools.llm.offline_devices import colour_matches, colours_asked
from tools.llm.offline_extract import months_until
from tools.llm.offline_intents import Lang
from tools.llm.offline_templates import (
    NOTHING,
    TAG,
    markdown_table,
    render_comparison,
    render_generic,
    render_tool_error,
    unwrap,
    value_text,
)


def _money(value: Any) -> Any:
    return value_text("monthly_fee", value)


def _zh(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _phone_details(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    contract = result.get("contract_info") or {}
    usage = result.get("usage_info") or {}
    bill = result.get("billing_info") or {}
    end = contract.get("contract_end_date")
    days = contract.get("days_until_expiry")
    # the renewal's own rule (30-day months from the days left), else the calendar
    months = int(days) // 30 if isinstance(days, int) and days >= 0 else months_until(end, today)
    cap = usage.get("data_limit_gb")
    voice_cap = usage.get("voice_limit_minutes")
    data_cap = _zh(lang, "吃到飽", "unlimited") if cap is None else f"{cap} GB"
    voice_limit = _zh(lang, "無限", "unlimited") if voice_cap is None else voice_cap
    data = f"{usage.get('data_used_gb', '-')} GB / {data_cap}"
    voice = f"{usage.get('voice_used_minutes', '-')} / {voice_limit}"
    fee, last, owed = (
        _money(bill.get(k))
        for k in ("current_month_fee", "last_bill_amount", "outstanding_balance")
    )
    grade, tenure = result.get("credit_grade", "-"), contract.get("tenure_months", "-")
    if lang == "zh":
        lines = [
            f"{TAG['zh']}門號 {result.get('phone_number', '-')}：",
            f"- 目前方案：{contract.get('plan_name', '-')}（{contract.get('plan_id', '-')}）",
            f"- 合約到期日：{end or '-'}（距到期 {days} 天，約剩 {months} 個月）",
            f"- 本期數據用量：{data}；語音：{voice} 分鐘",
            f"- 本月月租 {fee}，上期帳單 {last}，未繳金額 {owed}",
            f"- 信用等級：{grade}；在網 {tenure} 個月",
        ]
    else:
        lines = [
            f"{TAG['en']}Line {result.get('phone_number', '-')}:",
            f"- Current plan: {contract.get('plan_name', '-')} ({contract.get('plan_id', '-')})",
            f"- Contract ends on {end or '-'} ({days} days, about {months} month(s) left)",
            f"- Data used this period: {data}; voice: {voice} minutes",
            f"- Monthly fee {fee}, last bill {last}, outstanding {owed}",
            f"- Credit grade: {grade}; tenure {tenure} months",
        ]
    return "\n".join(lines)


def _lines(result: Sequence[Any], lang: Lang, question: str, today: date) -> str:
    cards = [c for c in result if isinstance(c, Mapping)]
    if not cards:
        return TAG[lang] + NOTHING[lang]
    head = (
        ("門號", "方案", "合約狀態", "到期日", "月租", "可續約")
        if lang == "zh"
        else ("Number", "Plan", "Status", "Contract end", "Monthly fee", "Renewable")
    )
    rows = [
        (c.get("phone_number"), f"{c.get('plan_name')}（{c.get('plan_id')}）",
         c.get("contract_status"), c.get("contract_end_date"), _money(c.get("monthly_fee")),
         c.get("is_eligible_for_renewal") if lang == "zh"
         else ("yes" if c.get("is_eligible_for_renewal") else "no"))
        for c in cards
    ]  # fmt: skip
    intro = _zh(
        lang, f"客戶名下共 {len(cards)} 個門號：", f"The customer has {len(cards)} line(s):"
    )
    return f"{TAG[lang]}{intro}\n\n{markdown_table(head, rows)}"


def _requirement(item: Any) -> str:
    """A structured missing requirement in words: "required_identity: military_civil (-)"."""
    if isinstance(item, Mapping):
        need, have = item.get("required", "-"), item.get("actual", "-")
        return f"{item.get('requirement', '?')}: {need} ({have})"
    return str(item)


def _eligibility(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    pid = result.get("promotion_id", "-")
    missing = list(result.get("missing_requirements") or [])
    reasons = [str(r) for r in result.get("reasons") or []]
    if result.get("is_qualified"):
        text = _zh(lang, f"符合 {pid} 的申辦資格。", f"The line is eligible for {pid}.")
        return TAG[lang] + text
    why = "；".join(reasons or [_requirement(m) for m in missing]) or "-"
    if lang == "zh":
        return f"{TAG['zh']}不符合 {pid} 的申辦資格。原因：{why}"
    return f"{TAG['en']}Not eligible for {pid}. Reasons: {why}"


def _stock(result: Sequence[Any], lang: Lang, question: str, today: date) -> str:
    rows = [r for r in result if isinstance(r, Mapping)]
    if not rows:
        return TAG[lang] + _zh(
            lang, "門市查無這款機型的庫存資料。", "No stock rows for that model here."
        )
    by_model: dict[str, dict[str, int]] = {}
    for r in rows:
        name = f"{r.get('model')} {r.get('storage', '')}".strip()
        colours = by_model.setdefault(name, {})
        colours[str(r.get("color"))] = colours.get(str(r.get("color")), 0) + int(
            r.get("available_quantity", 0) or 0
        )
    offered = tuple({str(r.get("color")) for r in rows})
    asked = colours_asked(question, offered)
    table = markdown_table(
        _zh(lang, "機型|有貨顏色（可售數量）|缺貨顏色", "Model|In stock (units)|Sold out").split(
            "|"
        ),
        [
            (
                model,
                "、".join(f"{c} {n}" for c, n in colours.items() if n > 0) or "-",
                "、".join(c for c, n in colours.items() if n <= 0) or "-",
            )
            for model, colours in by_model.items()
        ],
    )
    total = sum(sum(c.values()) for c in by_model.values())
    parts = [f"{TAG[lang]}{_zh(lang, '門市庫存', 'Store stock')}：", table]
    if asked:
        hits = [
            (model, colour, n)
            for model, colours in by_model.items()
            for colour, n in colours.items()
            if colour_matches(colour, asked)
        ]
        if hits:
            said = "、".join(
                f"{m} {c}：{n} 台" if lang == "zh" else f"{m} {c}: {n}" for m, c, n in hits
            )
            parts.append(_zh(lang, f"您問的顏色：{said}", f"The colour asked: {said}"))
        else:
            parts.append(
                _zh(lang, "這款沒有您問的顏色。", "That colour is not offered for this model.")
            )
    parts.append(_zh(lang, f"合計 {total} 台可售。", f"{total} units in total."))
    return "\n\n".join(parts)


_PRICE_WORDS = {"zh": ("綁約 ", "空機價"), "en": ("contract ", "retail")}


def _device_info(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    specs = result.get("specifications") or {}
    pricing = result.get("pricing") or {}
    colours = "、".join(str(c) for c in result.get("available_colors") or []) or "-"
    name = " ".join(str(result.get(k, "")) for k in ("brand", "model", "storage"))
    lines = [
        f"{TAG[lang]}{name}（{result.get('device_id', '-')}，{result.get('release_year', '-')}）："
    ]
    lines += [f"- {k}：{v}" if lang == "zh" else f"- {k}: {v}" for k, v in specs.items()]
    lines.append(_zh(lang, f"- 顏色：{colours}", f"- Colours: {colours}"))
    words = _PRICE_WORDS[lang]
    prices = "，".join(
        f"{k.replace('contract_price_', words[0]).replace('retail_price', words[1])} {_money(v)}"
        for k, v in pricing.items()
    )
    lines.append(_zh(lang, f"- 價格：{prices}", f"- Prices: {prices}"))
    return "\n".join(lines)


def _device_price(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    period = result.get("contract_period")
    options = [o for o in result.get("installment_options") or [] if isinstance(o, Mapping)]
    plans = "；".join(
        _zh(lang, f"{o.get('period')} 期每期 {_money(o.get('monthly_payment'))}",
            f"{o.get('period')} instalments of {_money(o.get('monthly_payment'))}")
        for o in options
    )  # fmt: skip
    others = "、".join(
        f"{m} {_zh(lang, '個月', 'months')} {_money(p)}"
        for m, p in (result.get("contract_prices") or {}).items()
    )
    if lang == "zh":
        price, retail = _money(result.get("contract_price")), _money(result.get("retail_price"))
        return (
            f"{TAG['zh']}{result.get('device_id', '-')} 綁約 {period} 個月的機價 "
            f"{price}（空機價 {retail}）。\n"
            f"- 分期：{plans or '-'}\n- 各合約期機價：{others or '-'}"
        )
    return (
        f"{TAG['en']}{result.get('device_id', '-')} on a {period}-month contract: "
        f"{_money(result.get('contract_price'))} (retail {_money(result.get('retail_price'))}).\n"
        f"- Instalments: {plans or '-'}\n- By contract length: {others or '-'}"
    )


def _recommended(result: Sequence[Any], lang: Lang, question: str, today: date) -> str:
    picks = [p for p in result if isinstance(p, Mapping)][:5]
    if not picks:
        return TAG[lang] + _zh(lang, "沒有符合條件的推薦機種。", "No device matches those needs.")
    head = _zh(lang, "機型|售價|推薦原因|有貨顏色", "Model|Retail|Why|In stock").split("|")
    rows = [
        (
            f"{p.get('model')} {p.get('storage_gb', '')}GB",
            _money(p.get("retail_price")),
            p.get("recommendation_reason"),
            "、".join(c for c, n in (p.get("available_by_color") or {}).items() if n) or "-",
        )
        for p in picks
    ]
    intro = _zh(lang, "推薦機種：", "Recommended devices:")
    return f"{TAG[lang]}{intro}\n\n{markdown_table(head, rows)}"


_FEATURES = {
    "zh": {"data": "數據", "voice": "語音", "sms": "簡訊", "speed_after_limit": "超量降速"},
    "en": {"data": "data", "voice": "voice", "sms": "SMS", "speed_after_limit": "speed after cap"},
}


def _plan(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    features = result.get("features") or {}
    gifts = "、".join(str(g) for g in result.get("gifts") or []) or _zh(lang, "無", "none")
    names = _FEATURES[lang]
    feature_text = "，".join(f"{names.get(k, k)} {v}" for k, v in features.items())
    if lang == "zh":
        lines = [
            f"{TAG['zh']}{result.get('name', '-')}（{result.get('plan_id', '-')}）：",
            f"- 月租：{_money(result.get('monthly_fee'))}",
            f"- 內容：{feature_text or '-'}",
            f"- 合約期：{result.get('contract_period', '-')} 個月；提前解約違約金最高 "
            f"{_money(result.get('early_termination_fee'))}",
            f"- 贈品：{gifts}",
            f"- 適合對象：{result.get('target_customers', '-')}",
        ]
    else:
        lines = [
            f"{TAG['en']}{result.get('name', '-')} ({result.get('plan_id', '-')}):",
            f"- Monthly fee: {_money(result.get('monthly_fee'))}",
            f"- Includes: {feature_text or '-'}",
            f"- Contract: {result.get('contract_period', '-')} months; early termination fee up "
            f"to {_money(result.get('early_termination_fee'))}",
            f"- Gifts: {gifts}",
            f"- For: {result.get('target_customers', '-')}",
        ]
    if result.get("description"):
        lines.append(f"\n{result['description']}")
    return "\n".join(lines)


def _upgrade(result: Mapping[str, Any], lang: Lang, question: str, today: date) -> str:
    keys = ("upgrade_fee", "prorated_cost", "early_termination_charge", "total_cost",
            "monthly_difference", "savings_per_month")  # fmt: skip
    labels = {
        "upgrade_fee": ("手續費", "Handling fee"),
        "prorated_cost": ("本月差額（按日計）", "This month, pro rata"),
        "early_termination_charge": ("提前解約補償", "Early-termination repayment"),
        "total_cost": ("總費用", "Total now"),
        "monthly_difference": ("月租差額", "Monthly difference"),
        "savings_per_month": ("每月節省", "Saving per month"),
    }
    rows = [(labels[k][0 if lang == "zh" else 1], _money(result[k])) for k in keys if k in result]
    head = _zh(lang, "項目|金額", "Item|Amount").split("|")
    body = [f"{TAG[lang]}{_zh(lang, '升級費用試算', 'Upgrade cost')}：", markdown_table(head, rows)]
    if isinstance(result.get("explanation"), str):
        body.append(result["explanation"])
    return "\n\n".join(body)


_DATA = {"zh": "吃到飽", "en": "unlimited"}


def _promotions(result: Sequence[Any], lang: Lang, question: str, today: date) -> str:
    hits = [h for h in result if isinstance(h, Mapping)]
    if not hits:
        return TAG[lang] + _zh(lang, "沒有找到符合的促銷方案。", "No matching promotion found.")
    head = _zh(lang, "代碼|方案|月租|數據|合約", "Id|Plan|Monthly|Data|Contract").split("|")
    rows = [
        (h.get("promotion_id"), h.get("title"), _money(h.get("monthly_fee")),
         _DATA[lang] if h.get("data_limit") == "unlimited" else h.get("data_limit"),
         f"{h.get('contract_months')} {_zh(lang, '個月', 'months')}")
        for h in hits
    ]  # fmt: skip
    intro = _zh(lang, "搜尋到的促銷方案：", "Promotions found:")
    return f"{TAG[lang]}{intro}\n\n{markdown_table(head, rows)}"


_Renderer = Callable[[Any, Lang, str, date], str]
# tool → (the key its result must carry, renderer); lists: every item carries it
_BY_TOOL: dict[str, tuple[str, _Renderer]] = {
    "get_phone_details": ("contract_info", _phone_details),
    "list_customer_phones": ("phone_number", _lines),
    "check_promotion_eligibility": ("is_qualified", _eligibility),
    "query_device_stock": ("available_quantity", _stock),
    "get_device_info": ("specifications", _device_info),
    "get_device_pricing": ("contract_price", _device_price),
    "get_recommended_devices": ("device_id", _recommended),
    "get_plan_details": ("monthly_fee", _plan),
    "calculate_upgrade_cost": ("total_cost", _upgrade),
    "search_promotions": ("promotion_id", _promotions),
}


def _fits(result: Any, key: str) -> bool:
    """Known shape: a mapping with `key`, or a non-empty list whose items all have it."""
    if isinstance(result, Mapping):
        return key in result
    if isinstance(result, list | tuple) and result:
        return all(isinstance(item, Mapping) and key in item for item in result)
    return False


def render_tool_result(
    tool: str, result: Any, lang: Lang, *, question: str = "", today: date | None = None
) -> str:
    """Answer for one tool result (already parsed from the ToolMessage): the tool's template
    when the result has the shape it expects, else a generic table of whatever came back."""
    result = unwrap(result)
    if isinstance(result, Mapping) and result.get("success") is False:
        return render_tool_error(tool, str(result.get("message") or result.get("error")), lang)
    if tool == "compare_plans" and isinstance(result, Mapping) and "comparison_table" in result:
        return render_comparison(result, lang)
    if tool in _BY_TOOL:
        key, renderer = _BY_TOOL[tool]
        if _fits(result, key):
            return renderer(result, lang, question, today or date.today())
        if isinstance(result, list) and not result and tool != "query_device_stock":
            return TAG[lang] + NOTHING[lang]
    return render_generic(tool, result, lang)
