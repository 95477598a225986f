"""Auto-reply rule validation (seed 003 v3.0 数据验证 3), pure and tested by table.

Reply content 1-1000 characters, delay 0-60 seconds, keyword rules 1-50 keywords (each 1-50
characters), at most 20 rules of one type (a 409 on the 21st: the request is fine, the type is
full). `trigger_condition` keys by type (graphs/supervision/auto_reply.py says how each is
used); an unknown key is refused rather than silently ignored, so a typo never disables a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from core.errors import Conflict, InvalidInput
from graphs.supervision.auto_reply import RULE_TYPES, WELCOME_EVENTS, variables_in

CONTENT_CHARS: Final = (1, 1000)
DELAY_SECONDS: Final = (0, 60)
KEYWORDS: Final = (1, 50)
KEYWORD_CHARS: Final = (1, 50)
WAIT_SECONDS: Final = (5, 3600)
MAX_RULES_PER_TYPE: Final = 20
# `event` is accepted everywhere as a label (the seed's examples carry it); only welcome reads it.
CONDITION_KEYS: Final[dict[str, frozenset[str]]] = {
    "welcome": frozenset({"event"}),
    "offline": frozenset({"event"}),
    "busy": frozenset({"event"}),
    "queue": frozenset({"event", "min_position"}),
    "keyword": frozenset({"event", "keywords"}),
    "timeout": frozenset({"event", "wait_seconds"}),
}


class TooManyRules(Conflict):
    code = "TOO_MANY_RULES"


@dataclass(frozen=True)
class CheckedRule:
    type: str
    trigger_condition: dict[str, Any]
    reply_content: str
    variables: list[str]
    delay_seconds: int


def _bad(message: str, field: str = "trigger_condition") -> InvalidInput:
    code = "INVALID_CONDITION" if field == "trigger_condition" else "INVALID_RULE"
    return InvalidInput(message, code=code, field=field)


def _whole(value: Any, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"{what}: a whole number {low}-{high}, not {value!r}")
    return value


def _keywords(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise _bad("keywords: a list of words")
    words = list(dict.fromkeys(w.strip() for w in value))  # trimmed, repeats dropped
    low, high = KEYWORDS
    if not low <= len(words) <= high:
        raise _bad(f"keywords: {low}-{high} keywords (got {len(words)})")
    wlow, whigh = KEYWORD_CHARS
    for word in words:
        if not wlow <= len(word) <= whigh:
            raise _bad(f"keywords: each {wlow}-{whigh} characters ({word!r})")
    return words


def check_condition(rule_type: str, condition: Mapping[str, Any] | None) -> dict[str, Any]:
    """The trigger condition of a rule of `rule_type`, checked and normalised."""
    if rule_type not in RULE_TYPES:
        raise _bad(f"type must be one of {', '.join(RULE_TYPES)}", field="type")
    given = dict(condition or {})
    unknown = sorted(set(given) - CONDITION_KEYS[rule_type])
    if unknown:
        raise _bad(f"{rule_type} rules take no {', '.join(unknown)} in trigger_condition")
    out: dict[str, Any] = {}
    if "event" in given:
        if not isinstance(given["event"], str) or not 1 <= len(given["event"]) <= 32:
            raise _bad("event: a short label")
        if rule_type == "welcome" and given["event"] not in WELCOME_EVENTS:
            raise _bad(f"welcome event: one of {', '.join(WELCOME_EVENTS)}")
        out["event"] = given["event"]
    if rule_type == "welcome":
        out.setdefault("event", "first_message")
    if rule_type == "keyword":
        out["keywords"] = _keywords(given.get("keywords"))
    if "min_position" in given:
        out["min_position"] = _whole(given["min_position"], (1, 10_000), "min_position")
    if "wait_seconds" in given:
        out["wait_seconds"] = _whole(given["wait_seconds"], WAIT_SECONDS, "wait_seconds")
    return out


def check_content(text: str) -> str:
    content = text.strip()
    low, high = CONTENT_CHARS
    if not low <= len(content) <= high:
        raise _bad(f"reply_content: {low}-{high} characters (got {len(content)})",
                   field="reply_content")  # fmt: skip
    return content


def check_delay(value: int) -> int:
    low, high = DELAY_SECONDS
    if isinstance(value, bool) or not low <= value <= high:
        raise _bad(f"delay_seconds: {low}-{high} seconds (got {value})", field="delay_seconds")
    return value


def check_rule(
    rule_type: str, condition: Mapping[str, Any] | None, content: str, delay_seconds: int
) -> CheckedRule:
    condition = check_condition(rule_type, condition)
    content = check_content(content)
    return CheckedRule(rule_type, condition, content, variables_in(content),
                       check_delay(delay_seconds))  # fmt: skip


def check_type_room(existing_of_type: int) -> None:
    """Another rule of a type that already has `existing_of_type` rules?"""
    if existing_of_type >= MAX_RULES_PER_TYPE:
        raise TooManyRules(
            f"同類型規則最多 {MAX_RULES_PER_TYPE} 條 / at most {MAX_RULES_PER_TYPE} rules per type",
            limit=MAX_RULES_PER_TYPE,
        )
