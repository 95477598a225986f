"""Answers the offline model writes: Markdown from tool results, help, questions back.

Every answer names its source ("（離線助理）" / "(offline assistant)") so staff never mistake a
template for a model's judgement. Tool results are rendered by shape, not by server version:
known tools get a tailored layout, anything else a generic key/value or list table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tools.llm.offline_intents import Intent, Lang

TAG = {"zh": "（離線助理）", "en": "(offline assistant) "}
NOTICE = {
    "zh": "⚠️ AI 服務暫時無法回應，以下為離線助理的回覆。",
    "en": "⚠️ The AI service is not responding; this answer comes from the offline assistant.",
}
_LABELS = {
    "plan_id": "方案代碼", "name": "名稱", "plan_name": "方案名稱", "plan_type": "方案類型",
    "monthly_fee": "月租費", "data_gb": "數據流量 (GB)", "voice_minutes": "網外語音 (分)",
    "contract_months": "合約期 (月)", "early_termination_fee": "提前解約金", "gifts": "贈品",
    "phone_number": "門號", "contract_start": "合約起日", "contract_end": "合約到期日",
    "data_used_gb": "本期已用數據 (GB)", "data_limit_gb": "數據上限 (GB)",
    "voice_used_min": "已用語音 (分)", "voice_limit_min": "語音上限 (分)",
    "outstanding_balance": "未繳金額", "last_bill_amount": "上期帳單", "tenure_months": "在網月數",
    "status": "狀態", "credit_grade": "信用等級", "upgrade_fee": "手續費",
    "monthly_difference": "月租差額", "prorated_cost": "本月差額（按日計）",
    "early_termination_charge": "提前解約補償", "total_cost": "總費用",
    "savings_per_month": "每月節省", "device_id": "裝置代碼", "model": "型號", "brand": "品牌",
    "color": "顏色", "quantity": "數量", "store_id": "門市", "title": "標題", "score": "相關度",
    "promotion_id": "促銷代碼", "description": "說明", "retail_price": "售價",
    "contract_start_date": "合約起日", "contract_end_date": "合約到期日",
    "days_until_expiry": "距到期 (天)", "voice_used_minutes": "已用語音 (分)",
    "voice_limit_minutes": "語音上限 (分)", "current_month_fee": "本月月租",
    "available_quantity": "可售數量", "stock_quantity": "庫存", "reserved_quantity": "已預留",
}  # fmt: skip
_MONEY = {"monthly_fee", "early_termination_fee", "outstanding_balance", "last_bill_amount",
          "upgrade_fee", "monthly_difference", "prorated_cost", "early_termination_charge",
          "total_cost", "savings_per_month", "retail_price", "annual_cost",
          "expected_monthly_extra"}  # fmt: skip
_TOOL_TITLE = {
    "get_phone_details": ("門號資料", "Line details"),
    "search_promotions": ("搜尋到的促銷方案", "Promotions found"),
    "calculate_upgrade_cost": ("升級費用試算", "Upgrade cost"),
    "query_device_stock": ("門市庫存", "Store stock"),
    "get_plan_details": ("方案內容", "Plan details"),
}
# What staff call each lookup: tool ids (snake_case) are internal and never shown.
_TOOL_LABEL = {
    "get_customer": ("客戶資料", "Customer lookup"),
    "list_customer_phones": ("門號清單", "Line list"),
    "get_phone_details": ("門號資料", "Line details"),
    "check_renewal_eligibility": ("續約資格", "Renewal eligibility"),
    "check_promotion_eligibility": ("促銷資格", "Promotion eligibility"),
    "check_promotion_eligibility_batch": ("促銷資格", "Promotion eligibility"),
    "record_renewal": ("續約登錄", "Renewal record"),
    "query_device_stock": ("門市庫存", "Store stock"),
    "get_device_info": ("裝置資訊", "Device details"),
    "get_device_pricing": ("裝置價格", "Device pricing"),
    "get_recommended_devices": ("推薦機種", "Recommended devices"),
    "reserve_device": ("裝置預留", "Device reservation"),
    "release_reservation": ("釋放預留", "Reservation release"),
    "search_promotions": ("促銷方案搜尋", "Promotion search"),
    "get_plan_details": ("方案內容", "Plan details"),
    "get_plan_details_batch": ("方案內容", "Plan details"),
    "compare_plans": ("方案比較", "Plan comparison"),
    "calculate_upgrade_cost": ("升級費用試算", "Upgrade cost"),
}
_GENERIC_LABEL = ("查詢", "Lookup")


def tool_label(tool: str | None, lang: Lang) -> str:
    """A lookup's name for staff; an unknown tool gets a generic word, never its id."""
    zh, en = _TOOL_LABEL.get(tool or "", _GENERIC_LABEL)
    return zh if lang == "zh" else en


_MISSING = {
    "plan_ids": ("要比較哪兩個方案？請指定方案（例如「方案 A 和方案 B」或方案代碼）。",
                 "Which plans should I compare? Name them (e.g. 'plan A and plan B' or plan ids)."),
    "new_plan_id": ("要升級到哪個方案？請指定目標方案。", "Which plan is the upgrade to?"),
    "current_plan_id": ("尚未取得客戶目前方案，請先完成門號選擇。",
                        "The customer's current plan is not known yet; select the line first."),
    "remaining_contract_months": ("合約還剩幾個月？（例如「剩 6 個月」）",
                                  "How many contract months are left (e.g. '6 months left')?"),
    "store_id": ("不知道是哪間門市，無法查庫存。",
                 "I don't know the store, so I can't check stock."),
    "phone_number": ("請提供要查詢的門號（09 開頭 10 碼）。",
                     "Which phone number (10 digits starting with 09)?"),
    "plan_id": ("要查詢哪個方案？", "Which plan should I look up?"),
    "customer_id": ("尚未取得客戶資料，請先完成客戶查詢。",
                    "The customer is not identified yet; look the customer up first."),
    "promotion_id": ("要確認哪個方案的資格？請指定方案（例如「方案 B」或方案代碼）。",
                     "Which plan or promotion should I check (e.g. 'plan B' or its id)?"),
    "device_id": ("是哪一支手機？請告訴我型號（例如「iPhone 17 Pro」）。",
                  "Which device? Tell me the model (e.g. 'iPhone 17 Pro')."),
    "device_model": ("是哪一支手機？目前沒有選定機種，請告訴我型號（例如「iPhone 17 黑色」）。",
                     "Which phone? None is selected yet; tell me the model (e.g. 'iPhone 17')."),
}  # fmt: skip


def cell(value: Any) -> str:
    """One Markdown table cell: lists joined, pipes escaped, no line breaks."""
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, list | tuple):
        text = "、".join(cell(v) for v in value) or "-"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[Any], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def label(key: str, lang: Lang) -> str:
    if lang == "zh" and key in _LABELS:
        return _LABELS[key]
    return key.replace("_", " ").capitalize()


def value_text(key: str, value: Any) -> Any:
    if key in _MONEY and isinstance(value, int | float) and not isinstance(value, bool):
        return f"NT${value:,.0f}"
    return value


def _scalars(item: Mapping[str, Any]) -> dict[str, Any]:
    """Scalar fields, with one level of nested objects (contract_info, usage_info, ...) inlined."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update({k: v for k, v in value.items() if not isinstance(v, dict | list)})
        else:
            flat[key] = value
    return flat


def render_mapping(data: Mapping[str, Any], lang: Lang) -> str:
    head = ("項目", "內容") if lang == "zh" else ("Field", "Value")
    rows = [(label(k, lang), value_text(k, v)) for k, v in _scalars(data).items()]
    return markdown_table(head, rows)


def render_list(items: Sequence[Any], lang: Lang, max_cols: int = 6) -> str:
    dicts = [i for i in items if isinstance(i, Mapping)]
    if not dicts:
        return "\n".join(f"- {cell(i)}" for i in items) or "-"
    keys: list[str] = []
    for item in dicts:
        keys += [k for k in _scalars(item) if k not in keys]
    must = [k for k in ("available_quantity",) if k in keys]  # the answer to "in stock?"
    keys = [k for k in keys if k not in must][: max_cols - len(must)] + must
    rows = [[value_text(k, item.get(k)) for k in keys] for item in dicts]
    return markdown_table([label(k, lang) for k in keys], rows)


def unwrap(result: Any) -> Any:
    """FastMCP wraps list results as {"result": [...]}; search tools often use {"results": ...}."""
    if isinstance(result, Mapping) and len(result) == 1:
        (key, inner), *_ = result.items()
        if key in ("result", "results", "items", "data"):
            return inner
    return result


def render_comparison(result: Mapping[str, Any], lang: Lang) -> str:
    """A plan comparison → the seed's table, the recommendation and the cost analysis."""
    table = result.get("comparison_table") or {}
    headers = list(table.get("headers") or [])
    body = [markdown_table(headers, table.get("rows") or [])] if headers else []
    names = dict(
        zip(
            (c.get("plan_id") for c in result.get("cost_analysis") or []), headers[1:], strict=False
        )
    )
    rec = result.get("recommendation") or {}
    if rec.get("best_for_customer"):
        body.append(_recommendation_line(rec, names, lang))
    costs = result.get("cost_analysis") or []
    if costs:
        lines = ["**成本分析**" if lang == "zh" else "**Cost analysis**"]
        lines += [_cost_line(c, names, lang) for c in costs if isinstance(c, Mapping)]
        body.append("\n".join(lines))
    intro = "方案比較結果，主要差異如下：" if lang == "zh" else "Here is how the plans compare:"
    return "\n\n".join([f"{TAG[lang]}{intro}", *body])


def _recommendation_line(rec: Mapping[str, Any], names: Mapping[Any, str], lang: Lang) -> str:
    """The computed recommendation in words, every number taken from it (so from the table)."""
    best = rec["best_for_customer"]
    name = names.get(best, best)
    who = f"{name}（{best}）" if name != best else best
    if lang != "zh" or not isinstance(rec.get("annual_cost"), int):
        reason = rec.get("reason", "")
        return (
            f"**建議**：{who} — {reason}"
            if lang == "zh"
            else f"**Recommendation**: {who} — {reason}"
        )

    def money(key: str) -> Any:
        return value_text("annual_cost", rec.get(key))

    criterion = rec.get("criterion", "預估年費最低")
    text = f"**建議**：{who} — 依「{criterion}」，年費 {money('annual_cost')}"
    text += f"（月租 {money('monthly_fee')}"
    if rec.get("expected_monthly_extra"):
        text += f"＋預估加購 {money('expected_monthly_extra')}"
    text += "，× 12 個月）"
    runner = rec.get("runner_up")
    if runner and rec.get("annual_saving"):
        runner_name = names.get(runner, runner)
        text += (
            f"，比 {runner_name} 的 {money('runner_up_annual_cost')} 少 {money('annual_saving')}"
        )
    elif runner:
        text += f"，與 {names.get(runner, runner)} 相同"
    if rec.get("covers_usage") is False:
        text += "。⚠️ 依目前用量會超出方案內容，超出部分的預估費用已計入年費"
    return text + "。"


def _cost_line(cost: Mapping[str, Any], names: Mapping[Any, str], lang: Lang) -> str:
    pid = cost.get("plan_id", "?")
    fee, extra, annual = (
        value_text("monthly_fee", cost.get(k))
        for k in ("monthly_fee", "expected_monthly_extra", "annual_cost")
    )
    covers = cost.get("covers_usage")
    if lang == "zh":
        ok = "" if covers is None else f"，{'涵蓋' if covers else '不足以涵蓋'}用量"
        return f"- {names.get(pid, pid)}：月租 {fee}，預估每月加購 {extra}，年費 {annual}{ok}"
    ok = "" if covers is None else f", {'covers' if covers else 'does not cover'} usage"
    return f"- {names.get(pid, pid)}: {fee}/month, expected extra {extra}/month, {annual}/year{ok}"


def render_generic(tool: str, result: Any, lang: Lang) -> str:
    """Any tool result by its shape: a key/value table, a list table, or the text."""
    label = tool_label(tool, lang)
    zh, en = _TOOL_TITLE.get(tool, (f"{label}結果", f"{label} result"))
    title = f"{TAG[lang]}{zh if lang == 'zh' else en}："
    if isinstance(result, Mapping):
        body = render_mapping(result, lang)
        if isinstance(result.get("explanation"), str):
            body += "\n\n" + result["explanation"]
    elif isinstance(result, list | tuple):
        body = render_list(result, lang) if result else NOTHING[lang]
        if result and tool == "query_device_stock":
            total = sum(
                int(i.get("available_quantity", i.get("quantity", 0)))
                for i in result
                if isinstance(i, Mapping)
            )
            body += f"\n\n合計 {total} 台。" if lang == "zh" else f"\n\n{total} units in total."
    else:
        body = str(result)
    return f"{title}\n\n{body}"


NOTHING = {"zh": "查無資料。", "en": "Nothing found."}


def render_tool_error(tool: str, message: str, lang: Lang) -> str:
    label = tool_label(tool, lang)
    if lang == "zh":
        return f"{TAG[lang]}{label}查詢失敗：{message}。請確認資料後再試一次。"
    return f"{TAG[lang]}{label} failed: {message}. Please check the input and try again."


def render_missing(intent: Intent, lang: Lang) -> str:
    asks = [_MISSING.get(m, (m, m))[0 if lang == "zh" else 1] for m in intent.missing]
    return TAG[lang] + " ".join(asks)


def render_unavailable_tool(intent: Intent, lang: Lang) -> str:
    label = tool_label(intent.tool, lang)
    if lang == "zh":
        return f"{TAG[lang]}這個對話無法使用「{label}」，無法查詢。"
    return f"{TAG[lang]}{label} is not available in this chat."


def render_help(lang: Lang, *, write: bool = False) -> str:
    """Honest about the limit: what the offline assistant can look up instead. `write`: the
    question asks for a change (reserve, submit, edit), which the side chat never makes."""
    if lang == "en":
        first = (
            "I only look things up: reservations, changes and submissions are made in the "
            "renewal steps, not here."
            if write
            else "I can't answer that offline."
        )
        return (
            f"{TAG['en']}{first} I can look up:\n"
            '- compare plans ("What\'s the difference between plan A and plan B?")\n'
            '- this line\'s usage, bill and contract end ("How many months are left?")\n'
            "- the customer's other lines; eligibility for a plan "
            '("Is he eligible for plan B?")\n'
            '- plan terms, perks and early-termination fees ("What gifts come with plan C?")\n'
            '- search promotions ("Recommend an unlimited data promotion")\n'
            '- upgrade cost ("How much to upgrade to plan B?")\n'
            "- devices: stock and colours, specs, contract prices, recommendations"
        )
    first = (
        "側邊助理只能查詢資料，無法預留、修改或送出；請在續約流程的步驟中操作。"
        if write
        else "抱歉，這個問題離線助理無法回答。"
    )
    return (
        f"{TAG['zh']}{first}我可以協助查詢：\n"
        "- 比較方案（例如「方案 A 和方案 B 有什麼差異？」）\n"
        "- 門號用量、帳單與合約到期（例如「合約還剩幾個月？」）\n"
        "- 客戶名下其他門號、方案申辦資格（例如「符合方案 B 的資格嗎？」）\n"
        "- 方案內容、贈品與違約金（例如「方案 C 送什麼？」）\n"
        "- 搜尋優惠方案（例如「推薦吃到飽的優惠」）\n"
        "- 試算升級費用（例如「升級到方案 B 要多少費用？」）\n"
        "- 手機庫存與顏色、規格、綁約價、推薦機種"
    )
