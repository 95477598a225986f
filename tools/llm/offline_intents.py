"""What a staff question asks for and the read-only tool call that answers it.

The router (`offline_router.py`) picks the intent from keywords and the nearest example questions;
the typed extractors (`offline_extract.py`) fill the arguments from the question and the workflow
context. A few context rules then correct the router where the screen settles it: "方案 B 月租多少"
asks about a plan, not the line; "方案 A 和方案 B 費用差多少" compares rather than upgrades.
Before routing, a clause saying what staff do not want ("不是要查庫存，…") is dropped; a
follow-up naming only its subject ("那方案C呢") looks that subject up; of two questions in one
("方案B月租多少 他能辦嗎") the first asked goes first.
Deterministic: same question and context, same call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from tools.llm import offline_devices as dv
from tools.llm import offline_extract as ex
from tools.llm.offline_clauses import FOLLOW_UP, clauses, without_negated
from tools.llm.offline_extract import candidate_plans, resolve_plans
from tools.llm.offline_router import (
    BANK,
    ORDER,
    TOOLS,
    ExampleBank,
    Route,
    has_word,
    keyword_scores,
    route,
)

__all__ = ["Intent", "Lang", "build_intent", "candidate_plans", "detect_intent", "language_of",
           "resolve_plans"]  # fmt: skip

Lang = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_SWITCH = (
    "升級",
    "升级",
    "換方案",
    "换套餐",
    "轉方案",
    "转套餐",
    "換到",
    "换到",
    "轉到",
    "转到",
    "改成",
    "換成",
    "换成",
    "upgrade",
    "switch",
    "move to",
    "moving to",
    "change to",
    "降到",
    "降級",
    "降级",
    "降成",
    "downgrade",
)
_TERMINATION = (
    "違約金",
    "违约金",
    "解約",
    "解约",
    "提前終止",
    "提前终止",
    "terminat",
    "cancel",
    "penalty",
    "break the contract",
    "breaking the contract",
    "etf",
)
_DEVICE_WORD = re.compile(r"(?i)手機|手机|平板|手錶|手表|安卓|機子|机子|機種|机型|\bphones?\b|"
                          r"tablet|watch|android|\bios\b|device|handset")  # fmt: skip


_THIS_ONE = re.compile(r"(?i)這支|这支|這款|这款|這台|这台|\bthis (?:one|phone|model)\b|\bit\b")


_WRITE = re.compile(
    r"(?i)預留|预留|保留|訂一台|改成|修改|更改|變更|变更|送出|提交|辦理|办理|幫他辦|帮他办|取消|寄|"
    r"停話|停機|停机|過戶|过户|套用|留一支|留一台|幫客人留|帮客人留|"
    r"\b(?:reserve|hold|submit|book|change|update|cancel|send|sign)\b|\b(?:set|put) aside\b"
)


_PLAN_SEARCH = re.compile(
    r"(?i)(?:有哪些|有什麼|有什么|有沒有|有没有|找).{0,16}(?:方案|套餐|資費|资费|促銷|促销)|"
    r"\b(?:which|what|any)\b.{0,24}\bplans\b"
)


FIRST_ASKED = 1.0  # keyword points the first clause needs for its own lookup to go first
# a months-left figure given, not asked: "如果是剩三個月呢" is an input of the upgrade cost
_ASKS_MONTHS = re.compile(r"(?i)幾|几|多久|多少|什麼時候|什么时候|how many|how long|when|\?$")


def language_of(text: str) -> Lang:
    """English only when the question has Latin letters and no CJK at all."""
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"


@dataclass(frozen=True)
class Intent:
    """The chosen intent; `tool` is None when nothing matched, `missing` lists what the
    context lacks to make the call (the answer then asks for it)."""

    kind: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(has_word(low, w) for w in words)


def _usage(context: Mapping[str, Any]) -> dict[str, Any] | None:
    usage = context.get("customer_usage")
    if not isinstance(usage, Mapping):
        return None
    clean = {k: v for k, v in usage.items() if v is not None}
    return clean or None


def _compare(text: str, context: Mapping[str, Any], today: date) -> Intent:
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
    args: dict[str, Any] = {"plan_ids": ids[:5]}
    if usage := _usage(context):
        args["customer_usage"] = usage
    return Intent("compare", "compare_plans", args, () if len(ids) >= 2 else ("plan_ids",))


def _remaining_months(text: str, context: Mapping[str, Any], today: date) -> int | None:
    said = ex.months_left(text)
    if said is not None:
        return said
    if isinstance(context.get("remaining_contract_months"), int):
        return int(context["remaining_contract_months"])
    return ex.months_until(context.get("contract_end"), today)


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


def _line(text: str, context: Mapping[str, Any], today: date) -> Intent:
    phone = ex.phone_number(text, context)
    if not phone:
        return Intent("line", "get_phone_details", {}, ("phone_number",))
    return Intent("line", "get_phone_details", {"phone_number": phone})


def _lines(text: str, context: Mapping[str, Any], today: date) -> Intent:
    customer = context.get("customer_id")
    if not customer:
        return Intent("lines", "list_customer_phones", {}, ("customer_id",))
    return Intent("lines", "list_customer_phones", {"customer_id": str(customer)})


def _eligibility(text: str, context: Mapping[str, Any], today: date) -> Intent:
    ids = [p for p in ex.promotion_ids(text, context) if p != context.get("current_plan_id")]
    candidates = [pid for pid, _ in candidate_plans(context)]
    promotion = (ids[0] if ids else None) or context.get("selected_plan_id")
    if not promotion and len(candidates) == 1:
        promotion = candidates[0]
    args: dict[str, Any] = {
        "phone_number": ex.phone_number(text, context),
        "promotion_id": promotion,
    }
    missing = tuple(k for k, v in args.items() if not v)
    renewal = {"single": "single", "plain": "single", "with_device": "with_device"}.get(
        str(context.get("renewal_type"))
    )
    if renewal:
        args["renewal_type"] = renewal
    return Intent("eligibility", "check_promotion_eligibility", args, missing)


def _stock(text: str, context: Mapping[str, Any], today: date) -> Intent:
    args: dict[str, Any] = {"store_id": ex.store_id(text, context)}
    device = dv.find_device(text)
    brand = dv.brand_of(text)
    if device:
        args["device_model"] = device.model
    elif brand:
        args["brand"] = brand
    elif picked := dv.context_device(context):
        args["device_model"] = picked.model
    elif context.get("selected_device_model"):
        args["device_model"] = str(context["selected_device_model"])
    elif _THIS_ONE.search(text) or dv.colours_asked(text):
        return Intent("stock", "query_device_stock", args, ("device_model",))  # which one?
    return Intent("stock", "query_device_stock", args, () if args["store_id"] else ("store_id",))


def _device(text: str, context: Mapping[str, Any]) -> dv.DeviceRef | None:
    return dv.find_device(text) or dv.context_device(context)


def _device_info(text: str, context: Mapping[str, Any], today: date) -> Intent:
    device = _device(text, context)
    if device is None:
        return Intent("device_info", "get_device_info", {}, ("device_id",))
    return Intent("device_info", "get_device_info", {"device_id": device.device_id})


LINES_WORDS = 2.5  # "其他門號", "another line": the question is about the other lines
CLOSE = 1.0  # points within which a runnable runner-up replaces an intent that must ask
DEFAULT_PERIOD = 30  # the POS offers 24/30/36; 30 months is the usual handset contract


def _device_price(text: str, context: Mapping[str, Any], today: date) -> Intent:
    device = _device(text, context)
    period = ex.contract_period(text) or DEFAULT_PERIOD
    if device is None:
        return Intent("device_price", "get_device_pricing", {}, ("device_id",))
    args = {"device_id": device.device_id, "contract_period": period}
    return Intent("device_price", "get_device_pricing", args)


def _recommend_devices(text: str, context: Mapping[str, Any], today: date) -> Intent:
    picked = dv.context_device(context)
    args: dict[str, Any] = {
        "os_type": dv.os_type(text, dv.find_device(text) or picked) or "android"
    }
    if budget := dv.price_range(text):
        args["price_range"] = list(budget)
    if kind := dv.device_type(text):
        args["device_type"] = kind
    if wants := dv.priorities(text):
        args["customer_usage_pattern"] = {"priorities": wants}
    if store := ex.store_id(text, context):
        args["store_id"] = store
    return Intent("recommend_devices", "get_recommended_devices", args)


def _promotions(text: str, context: Mapping[str, Any], today: date) -> Intent:
    customer = {
        k: context[k]
        for k in ("current_plan_id", "renewal_type", "customer_usage")
        if context.get(k)
    }
    args: dict[str, Any] = {"query": text.strip()[:500], "top_k": 5}
    if customer:
        args["customer_context"] = customer
    return Intent("promotions", "search_promotions", args)


def _plan_details(text: str, context: Mapping[str, Any], today: date) -> Intent:
    ids = resolve_plans(text, context)
    if not ids and _has_any(text, _TERMINATION) and context.get("current_plan_id"):
        ids = [str(context["current_plan_id"])]  # "違約金多少": the contract the line is on
    ids = ids or [str(p) for p in (context.get("selected_plan_id"),) if p]
    if not ids:
        return Intent("plan_details", "get_plan_details", {}, ("plan_id",))
    return Intent("plan_details", "get_plan_details", {"plan_id": ids[0]})


_BUILDERS: dict[str, Callable[[str, Mapping[str, Any], date], Intent]] = {
    "compare": _compare, "upgrade": _upgrade, "line": _line, "lines": _lines,
    "eligibility": _eligibility, "stock": _stock, "device_info": _device_info,
    "device_price": _device_price, "recommend_devices": _recommend_devices,
    "promotions": _promotions, "plan_details": _plan_details,
}  # fmt: skip


def build_intent(kind: str, text: str, context: Mapping[str, Any], today: date) -> Intent:
    """The tool call for `kind` with arguments from the text and the context."""
    builder = _BUILDERS.get(kind)
    return builder(text, context, today) if builder else Intent(kind)


def _usable(tool: str, available: Collection[str] | None) -> bool:
    return available is None or tool in available


def _adjust(
    kind: str, text: str, context: Mapping[str, Any], available: Collection[str] | None
) -> str:
    """Where the screen settles what the words leave open."""
    named = resolve_plans(text, context)
    phone_said = "門號" in text or "号码" in text or ex.phone_number(text, {}) is not None
    many = keyword_scores(text).get("lines", 0) >= LINES_WORDS
    if kind == "line" and many and not phone_said and _usable("list_customer_phones", available):
        return "lines"  # "其他門號的合約何時到期": the other lines are in the list
    if kind == "line" and named and not phone_said and _usable("get_plan_details", available):
        return "plan_details"  # "方案 B 月租多少" asks about the plan, not the line
    others = [p for p in named if p != context.get("current_plan_id")]
    switch = _has_any(text, _SWITCH)
    if (
        kind == "upgrade"
        and len(others) >= 2
        and not switch
        and _usable("compare_plans", available)
    ):
        return "compare"  # "方案 A 和方案 B 費用差多少" compares two plans
    said = ex.months_left(text)
    if kind == "line" and said is not None and not _ASKS_MONTHS.search(text.replace(str(said), "")):
        return "upgrade"  # "如果剩三個月呢": months given for the cost, not asked of the line
    ending = _has_any(text, _TERMINATION)
    if kind == "upgrade" and ending and not switch and _usable("get_plan_details", available):
        return "plan_details"  # "提前解約違約金多少": the fee is in the plan's terms
    return kind


def detect_intent(
    text: str,
    context: Mapping[str, Any],
    available: Collection[str] | None = None,
    *,
    today: date | None = None,
    bank: ExampleBank | None = None,
) -> Intent:
    """The best intent whose tool is `available` (None = any tool), or `help` for none."""
    text = without_negated(text)
    if (subject := _follow_up(text, context)) and _usable(TOOLS[subject] or "", available):
        return build_intent(subject, text, context, today or date.today())
    chosen = _route(text, context, available, bank)
    if chosen.kind == "none" or TOOLS.get(chosen.kind) is None:
        return Intent("write" if _WRITE.search(text) else "help")
    day = today or date.today()
    if first := _first_asked(text, chosen.kind, context, available, bank, day):
        return first
    ranked = sorted(chosen.totals, key=lambda k: (-chosen.totals[k], ORDER.index(k)))
    intent = build_intent(_adjust(chosen.kind, text, context, available), text, context, day)
    runner_up = ranked[1] if len(ranked) > 1 else None
    if intent.missing and runner_up and TOOLS.get(runner_up):
        close = chosen.totals[runner_up] >= chosen.totals[chosen.kind] - CLOSE
        other = build_intent(_adjust(runner_up, text, context, available), text, context, day)
        if close and not other.missing:
            return other  # a near tie: the lookup that can run beats the one that must ask
    if intent.kind == "plan_details" and intent.missing and _usable("search_promotions", available):
        return build_intent("promotions", text, context, day)  # "which plans include…": a search
    return intent


def _route(
    text: str,
    context: Mapping[str, Any],
    available: Collection[str] | None,
    bank: ExampleBank | None,
) -> Route:
    return route(
        text,
        device_named=dv.find_device(text) is not None,
        device_word=_DEVICE_WORD.search(text) is not None,
        store_named=ex.store_id(text, {}) is not None,
        needs=bool(dv.price_range(text) or dv.priorities(text)),
        plan_search=_PLAN_SEARCH.search(text) is not None,
        plan_named=len(resolve_plans(text, context)),
        available=available,
        bank=bank or BANK,
    )


def _first_asked(
    text: str,
    kind: str,
    context: Mapping[str, Any],
    available: Collection[str] | None,
    bank: ExampleBank | None,
    day: date,
) -> Intent | None:
    """Two questions in one ("方案B月租多少 他能辦嗎", "check his usage then find…"): the
    first one asked is looked up first, when that clause alone has its own keywords and can
    run (arguments from the clause, else from the whole question). None: the whole question's
    route stands."""
    parts = clauses(text)
    if len(parts) < 2:
        return None
    words = keyword_scores(parts[0])
    if max(v for k, v in words.items() if TOOLS.get(k)) < FIRST_ASKED:
        return None  # no lookup's words in the first clause: no second embedding either
    head = _route(parts[0], context, available, bank)
    if TOOLS.get(head.kind) is None or head.keywords.get(head.kind, 0.0) < FIRST_ASKED:
        return None
    asked = _adjust(head.kind, parts[0], context, available)
    if asked in (kind, _adjust(kind, text, context, available)):
        return None  # "合約剩十一個月 換方案C要多少": the first clause only sets up the second
    for source in (parts[0], text):
        intent = build_intent(asked, source, context, day)
        if not intent.missing:
            return intent
    return None


def _follow_up(text: str, context: Mapping[str, Any]) -> str | None:
    """The lookup for a follow-up that names only its subject ("那第三個呢", "what about
    S003?"): the previous question is not in this turn, so the subject's own lookup answers
    (a plan's details, a store's shelf, a device's specs, a line's usage). None: not one."""
    m = FOLLOW_UP.match(text)
    if not m or any(keyword_scores(m.group(1)).values()):
        return None
    rest = m.group(1)
    if resolve_plans(rest, context):
        return "plan_details"
    if ex.phone_number(rest, {}):
        return "line"
    if ex.store_id(rest, {}):
        return "stock"
    if dv.find_device(rest):
        return "device_info"
    return None
