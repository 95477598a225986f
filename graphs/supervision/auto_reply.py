"""Auto-reply rules (seed 003 v3.0): which rule answers a moment of a chat, and its text.

Pure on purpose: the graph (auto_reply_nodes.py) knows *when* something happened (a first
message, off hours, all agents busy, the queue, a keyword, a customer left waiting); this module
only picks the rule and fills `{variables}`, so every case is a row in a table-driven test.

Where each type fires (trigger_condition in brackets):

* welcome  - the customer's first message (`{"event": "first_message"}`, the default) or the
             conversation's start (`{"event": "conversation_start"}`);
* offline  - an escalation outside shift hours (replaces the shift's built-in offline reply);
* busy     - an escalation on duty while every online agent is at `max_sessions`;
* queue    - an escalation that enters the queue (`{"min_position": n}`: only from position n);
* keyword  - a customer message in an AI-handled chat containing one of `keywords`
             (case-insensitive, Traditional/Simplified folded); the reply answers the turn;
* timeout  - a customer message under human handling left unanswered for `wait_seconds`
             (default 60).

Of several enabled rules that match, the oldest wins (`created_at`, then id): admins add a
more specific rule by disabling the general one, never by racing on order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from graphs.supervision.language import fold

RuleType = Literal["welcome", "offline", "busy", "queue", "keyword", "timeout"]
RULE_TYPES: Final[tuple[RuleType, ...]] = (
    "welcome", "offline", "busy", "queue", "keyword", "timeout",
)  # fmt: skip
VARIABLE: Final = re.compile(r"\{([a-z][a-z0-9_]{0,31})\}")
DEFAULT_TIMEOUT_SECONDS: Final = 60
WELCOME_EVENTS: Final = ("first_message", "conversation_start")


@dataclass(frozen=True)
class Rule:
    """One auto-reply rule as the graph sees it (a row of `auto_reply_rules`)."""

    id: str
    type: str
    reply_content: str
    trigger_condition: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    delay_seconds: int = 0
    created_at: float = 0.0


@dataclass(frozen=True)
class Moment:
    """What just happened in a chat: the rule type it calls for and its particulars."""

    type: RuleType
    event: str = ""  # welcome: first_message | conversation_start
    text: str = ""  # keyword: the customer's message
    queue_position: int = 0  # queue: 1 = next in line
    waited_seconds: int = 0  # timeout: how long the customer has waited


@dataclass(frozen=True)
class Match:
    rule: Rule
    keyword: str | None = None


def variables_in(text: str) -> list[str]:
    """The `{name}` variables a text uses, in first-use order, without repeats."""
    seen: dict[str, None] = {}
    for found in VARIABLE.finditer(text):
        seen.setdefault(found.group(0), None)
    return list(seen)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace `{name}` by `values[name]`; unknown or empty variables are left as written, so
    a typo shows in the reply instead of silently vanishing."""

    def one(found: re.Match[str]) -> str:
        value = values.get(found.group(1))
        return found.group(0) if value is None or value == "" else str(value)

    return VARIABLE.sub(one, text)


def timeout_seconds(rule: Rule) -> int:
    value = rule.trigger_condition.get("wait_seconds", DEFAULT_TIMEOUT_SECONDS)
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_TIMEOUT_SECONDS


def _keyword_hit(rule: Rule, text: str) -> str | None:
    folded = fold(text)
    for keyword in rule.trigger_condition.get("keywords") or ():
        if isinstance(keyword, str) and keyword.strip() and fold(keyword.strip()) in folded:
            return keyword
    return None


def _matches(rule: Rule, moment: Moment) -> Match | None:
    condition = rule.trigger_condition
    if moment.type == "welcome":
        wanted = condition.get("event") or "first_message"
        return Match(rule) if wanted == moment.event else None
    if moment.type == "queue":
        least = condition.get("min_position")
        ok = not isinstance(least, int) or moment.queue_position >= least
        return Match(rule) if ok else None
    if moment.type == "keyword":
        hit = _keyword_hit(rule, moment.text)
        return Match(rule, hit) if hit is not None else None
    if moment.type == "timeout":
        return Match(rule) if moment.waited_seconds >= timeout_seconds(rule) else None
    return Match(rule)  # offline, busy: the moment itself is the condition


def select(rules: Iterable[Rule], moment: Moment) -> Match | None:
    """The enabled rule of the moment's type that matches it (oldest first), or None."""
    ordered = sorted(
        (r for r in rules if r.enabled and r.type == moment.type),
        key=lambda r: (r.created_at, r.id),
    )
    for rule in ordered:
        found = _matches(rule, moment)
        if found is not None:
            return found
    return None


def first_of(rules: Sequence[Rule], rule_type: RuleType) -> Rule | None:
    """The oldest enabled rule of a type (timeout scheduling needs its wait before it fires)."""
    ordered = sorted(
        (r for r in rules if r.enabled and r.type == rule_type), key=lambda r: (r.created_at, r.id)
    )
    return ordered[0] if ordered else None


def chat_variables(state: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The variables a chat offers: customer_name (profile nickname), agent_name (the agent
    holding the chat, else 客服), session_name, vip, plus the moment's own (queue_position …)."""
    profile = state.get("user_profile") or {}
    agent = state.get("assigned_agent") or {}
    values: dict[str, Any] = {
        "customer_name": profile.get("nickname") or "",
        "agent_name": agent.get("name") or "客服",
        "session_name": state.get("session_name") or "",
        "language": profile.get("language") or "",
    }
    values.update({k: v for k, v in extra.items() if v is not None})
    return values
