"""Which intent a staff question asks for (then `offline_intents.build_intent` makes its call).

The router (`offline_router.py`) picks the intent from keywords and the nearest example questions;
a few context rules then correct it where the screen settles it: "方案 B 月租多少" asks about a
plan, not the line; "方案 A 和方案 B 費用差多少" compares rather than upgrades.
Before routing, a clause saying what staff do not want ("不是要查庫存，…") is dropped; a
follow-up naming only its subject ("那方案C呢") looks that subject up; of two questions in one
("方案B月租多少 他能辦嗎") the first asked goes first.
Deterministic: same question and context, same call.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from tools.llm import offline_devices as dv
from tools.llm import offline_extract as ex
from tools.llm.offline_clauses import FOLLOW_UP, clauses, without_negated
from tools.llm.offline_extract import resolve_plans
from tools.llm.offline_intents import TERMINATION, Intent, build_intent, has_any
from tools.llm.offline_router import BANK, ORDER, TOOLS, ExampleBank, Route, keyword_scores, route

__all__ = ["detect_intent"]

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
_DEVICE_WORD = re.compile(r"(?i)手機|手机|平板|手錶|手表|安卓|機子|机子|機種|机型|\bphones?\b|"
                          r"tablet|watch|android|\bios\b|device|handset")  # fmt: skip

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
LINES_WORDS = 2.5  # "其他門號", "another line": the question is about the other lines
CLOSE = 1.0  # points within which a runnable runner-up replaces an intent that must ask


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
    switch = has_any(text, _SWITCH)
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
    ending = has_any(text, TERMINATION)
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
