"""What a staff question asks for, by keywords, and which MCP tool call answers it.

Deterministic on purpose: the offline model must give the same tool call for the same question
and context in demos, tests and evals. Each intent scores one point per keyword it finds; the best
score wins and ties go to the order of `INTENTS` (compare before upgrade, so "比較 A 和 B 的費用"
compares). Plans are resolved from the text ("方案 A" = first candidate on screen, plan ids, plan
names, "目前方案") and, failing that, from the workflow context.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Lang = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> Lang:
    """English only when the question has Latin letters and no CJK at all."""
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"


@dataclass(frozen=True)
class IntentSpec:
    kind: str
    tool: str
    zh: tuple[str, ...]
    en: tuple[str, ...]


INTENTS: tuple[IntentSpec, ...] = (
    IntentSpec("compare", "compare_plans",
               ("比較", "差異", "差別", "不同", "差在", "哪個好", "哪個划算", "比一比"),
               ("compar", "differ", "versus", "vs")),
    IntentSpec("upgrade", "calculate_upgrade_cost",
               ("升級", "費用", "差多少", "補多少", "換方案", "轉方案", "手續費"),
               ("upgrade", "cost", "how much", "switch", "fee")),
    IntentSpec("stock", "query_device_stock",
               ("庫存", "有貨", "現貨", "缺貨", "還有幾台", "有沒有貨"),
               ("stock", "inventory")),
    IntentSpec("promotions", "search_promotions",
               ("推薦", "優惠", "促銷", "吃到飽", "活動", "適合", "有哪些方案"),
               ("recommend", "promotion", "promo", "deal", "offer", "unlimited", "search",
                "suggest")),
    IntentSpec("plan_details", "get_plan_details",
               ("方案內容", "方案細節", "方案詳情", "介紹", "內容", "細節"),
               ("detail", "what's included", "what is included", "tell me about")),
    IntentSpec("line", "get_phone_details",
               ("門號", "用量", "帳單", "合約", "到期", "欠費", "流量", "月租"),
               ("line", "usage", "bill", "contract", "expir", "phone detail", "data used")),
)  # fmt: skip

_BRANDS: dict[str, str] = {
    "apple": "Apple", "蘋果": "Apple", "samsung": "Samsung", "三星": "Samsung",
    "google": "Google", "sony": "Sony", "asus": "ASUS", "華碩": "ASUS", "xiaomi": "Xiaomi",
    "小米": "Xiaomi", "oppo": "OPPO", "vivo": "vivo",
}  # fmt: skip
_SERIES = r"iphone|ipad|galaxy|pixel|xperia|zenfone|redmi|xiaomi|reno|find|vivo"
_MODEL_WORD = re.compile(
    r"(?:\d+[A-Za-z]*|[A-Z][A-Za-z0-9]*|pro|max|plus|ultra|mini|fe|lite|edge|neo|fold\d*|flip\d*)$"
)
_MODEL_START = re.compile(rf"(?i)(?<![A-Za-z0-9])({_SERIES})(?![A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(09\d{8})(?!\d)")
_PLAN_ID = re.compile(r"(?i)(?<![A-Za-z0-9])(P\d{2,4}|PLAN[_-][A-Z0-9]+)(?![A-Za-z0-9])")
_MONTHS = re.compile(
    r"(?:剩|還有|剩下)\s*(\d{1,2})\s*個?月|(\d{1,2})\s*months?\s*(?:left|remaining)"
)
_INDEX = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4, "一": 0, "二": 1, "三": 2, "四": 3, "五": 4,
          "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "first": 0, "second": 1, "third": 2}  # fmt: skip
_LETTER_REFS = (
    re.compile(r"方案\s*([A-Ea-e一二三四五1-5])(?![A-Za-z0-9])"),
    re.compile(r"(?<![A-Za-z0-9])([A-Ea-e])\s*方案"),
    re.compile(r"第\s*([一二三四五1-5])\s*(?:個|款|項)"),
    re.compile(r"(?i)(?<![a-z0-9])(?:plan|option)\s+([a-e1-5])(?![a-z0-9])"),
    re.compile(r"(?i)(?<![a-z])(first|second|third)\s+(?:plan|one|option)"),
)
_BARE_LETTER = re.compile(r"(?<![A-Za-z0-9])([A-E])(?![A-Za-z0-9])")
_CURRENT = ("目前方案", "目前的方案", "現在的方案", "現行方案", "原方案", "current plan",
            "existing plan")  # fmt: skip
_SWITCH = ("升級", "換方案", "轉方案", "upgrade", "switch")
_SELECTED = ("選的方案", "已選方案", "選定的方案", "selected plan", "chosen plan")


@dataclass(frozen=True)
class Intent:
    """The chosen intent; `tool` is None when nothing matched, `missing` lists what the
    context lacks to make the call (the answer then asks for it)."""

    kind: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _has(text: str, keyword: str) -> bool:
    if keyword.isascii():
        return re.search(rf"(?<![a-z]){re.escape(keyword)}", text) is not None
    return keyword in text


def _has_any(text: str, keywords: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(_has(low, k) for k in keywords)


def score(text: str, spec: IntentSpec) -> int:
    low = text.lower()
    return sum(_has(low, k) for k in (*spec.zh, *spec.en))


def candidate_plans(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(plan_id, name) of the plans on screen, in display order."""
    result: list[tuple[str, str]] = []
    for item in context.get("candidate_plans") or []:
        if isinstance(item, str):
            result.append((item, item))
        elif isinstance(item, Mapping) and item.get("plan_id"):
            result.append((str(item["plan_id"]), str(item.get("name") or item["plan_id"])))
    return result


def resolve_plans(text: str, context: Mapping[str, Any]) -> list[str]:
    """Plan ids the question names, in the order it names them."""
    found: list[tuple[int, str]] = []
    candidates = candidate_plans(context)
    known = {pid for pid, _ in candidates}
    for key in ("current_plan_id", "selected_plan_id"):
        if context.get(key):
            known.add(str(context[key]))
    upper = text.upper()
    for pid in known:
        found.extend((m.start(), pid) for m in re.finditer(re.escape(pid.upper()), upper))
    found.extend((m.start(), m.group(1).upper()) for m in _PLAN_ID.finditer(text))
    for pid, name in sorted(candidates, key=lambda c: -len(c[1])):
        if name != pid and name in text:
            found.append((text.index(name), pid))
    letter_hit = False
    for pattern in _LETTER_REFS:
        for m in pattern.finditer(text):
            index = _INDEX.get(m.group(1).lower())
            if index is not None and index < len(candidates):
                found.append((m.start(), candidates[index][0]))
                letter_hit = True
    if letter_hit:  # "方案 A 跟 B": the bare B counts once a lettered plan was named
        for m in _BARE_LETTER.finditer(text):
            index = _INDEX[m.group(1).lower()]
            if index < len(candidates):
                found.append((m.start(), candidates[index][0]))
    low = text.lower()
    for words, key in ((_CURRENT, "current_plan_id"), (_SELECTED, "selected_plan_id")):
        for word in words:
            if word in low and context.get(key):
                found.append((low.index(word), str(context[key])))
    ordered = [pid for _, pid in sorted(found, key=lambda f: f[0])]
    return list(dict.fromkeys(ordered))


def _remaining_months(text: str, context: Mapping[str, Any], today: date) -> int | None:
    if m := _MONTHS.search(text):
        return int(m.group(1) or m.group(2))
    if isinstance(context.get("remaining_contract_months"), int):
        return int(context["remaining_contract_months"])
    end = context.get("contract_end")
    if isinstance(end, str):
        try:
            end_date = date.fromisoformat(end[:10])
        except ValueError:
            return None
        return max(0, (end_date.year - today.year) * 12 + end_date.month - today.month)
    return None


def _device(text: str) -> tuple[str | None, str | None]:
    """(model, brand) named in the text: "iPhone 16 Pro" or just a brand."""
    if m := _MODEL_START.search(text):
        words = [m.group(1)]
        rest = re.match(r"[A-Za-z0-9+ ]*", text[m.end() :])
        for word in (rest.group() if rest else "").split()[:4]:
            if not _MODEL_WORD.match(word):
                break
            words.append(word)
        model = " ".join(words)
        if model.lower() == "iphone" or len(words) > 1:
            return (model.replace("iphone", "iPhone").replace("IPHONE", "iPhone"), None)
    low = text.lower()
    for word, brand in _BRANDS.items():
        if word in low:
            return (None, brand)
    return (None, None)


def _usage(context: Mapping[str, Any]) -> dict[str, Any] | None:
    usage = context.get("customer_usage")
    return dict(usage) if isinstance(usage, Mapping) and usage else None


def _compare(text: str, context: Mapping[str, Any]) -> Intent:
    ids = resolve_plans(text, context)
    candidates = [pid for pid, _ in candidate_plans(context)]
    if len(ids) == 1:
        pool = [context.get("current_plan_id"), context.get("selected_plan_id"), *candidates]
        partner = next((str(p) for p in pool if p and str(p) != ids[0]), None)
        ids = [ids[0], partner] if partner else ids
    elif not ids:
        if len(candidates) >= 2:
            ids = candidates[:3]
        else:
            pool = [context.get("current_plan_id"), context.get("selected_plan_id"), *candidates]
            ids = list(dict.fromkeys(str(p) for p in pool if p))
    args: dict[str, Any] = {"plan_ids": ids}
    if usage := _usage(context):
        args["customer_usage"] = usage
    return Intent("compare", "compare_plans", args, () if len(ids) >= 2 else ("plan_ids",))


def _upgrade(text: str, context: Mapping[str, Any], today: date) -> Intent:
    current = context.get("current_plan_id")
    named = [pid for pid in resolve_plans(text, context) if pid != current]
    candidates = [pid for pid, _ in candidate_plans(context)]
    target = (named[0] if named else None) or context.get("selected_plan_id")
    if not target and len(candidates) == 1:
        target = candidates[0]
    months = _remaining_months(text, context, today)
    args = {"current_plan_id": current, "new_plan_id": target, "remaining_contract_months": months}
    missing = tuple(k for k, v in args.items() if v is None)
    return Intent("upgrade", "calculate_upgrade_cost", args, missing)


def _stock(text: str, context: Mapping[str, Any]) -> Intent:
    model, brand = _device(text)
    args: dict[str, Any] = {"store_id": context.get("store_id")}
    if model or (not brand and context.get("selected_device_model")):
        args["device_model"] = model or context["selected_device_model"]
    elif brand:
        args["brand"] = brand
    return Intent("stock", "query_device_stock", args, () if args["store_id"] else ("store_id",))


def _promotions(text: str, context: Mapping[str, Any]) -> Intent:
    customer = {
        k: context[k]
        for k in ("current_plan_id", "renewal_type", "customer_usage")
        if context.get(k)
    }
    args: dict[str, Any] = {"query": text.strip(), "top_k": 5}
    if customer:
        args["customer_context"] = customer
    return Intent("promotions", "search_promotions", args)


def _plan_details(text: str, context: Mapping[str, Any]) -> Intent:
    ids = resolve_plans(text, context) or [str(p) for p in (context.get("selected_plan_id"),) if p]
    if not ids:
        return Intent("plan_details", "get_plan_details", {}, ("plan_id",))
    return Intent("plan_details", "get_plan_details", {"plan_id": ids[0]})


def _line(text: str, context: Mapping[str, Any]) -> Intent:
    m = _PHONE.search(text)
    phone = m.group(1) if m else context.get("phone_number")
    if not phone:
        return Intent("line", "get_phone_details", {}, ("phone_number",))
    return Intent("line", "get_phone_details", {"phone_number": str(phone)})


def build_intent(kind: str, text: str, context: Mapping[str, Any], today: date) -> Intent:
    """The tool call for `kind` with arguments from the text and the context."""
    if kind == "compare":
        return _compare(text, context)
    if kind == "upgrade":
        return _upgrade(text, context, today)
    if kind == "stock":
        return _stock(text, context)
    if kind == "promotions":
        return _promotions(text, context)
    if kind == "plan_details":
        return _plan_details(text, context)
    return _line(text, context)


def detect_intent(
    text: str,
    context: Mapping[str, Any],
    available: Collection[str] | None = None,
    *,
    today: date | None = None,
) -> Intent:
    """The best-scoring intent whose tool is `available` (None = any tool), or `help`."""
    ranked = sorted(
        ((score(text, spec), -i, spec) for i, spec in enumerate(INTENTS)),
        key=lambda item: (item[0], item[1]),
        reverse=True,
    )
    for points, _, spec in ranked:
        if points == 0:
            break
        if available is not None and spec.tool not in available:
            continue
        named_plans = resolve_plans(text, context)
        if spec.kind == "plan_details" and not named_plans:
            continue  # "內容" alone is too vague to mean a plan
        kind = spec.kind
        if (
            kind == "line"
            and named_plans
            and "門號" not in text
            and not _PHONE.search(text)
            and (available is None or "get_plan_details" in available)
        ):
            kind = "plan_details"  # "方案 B 月租多少" asks about the plan, not the line
        others = [p for p in named_plans if p != context.get("current_plan_id")]
        if kind == "upgrade" and len(others) >= 2 and not _has_any(text, _SWITCH):
            kind = "compare"  # "方案 A 和方案 B 費用差多少" compares two plans
        return build_intent(kind, text, context, today or date.today())
    return Intent("help")
