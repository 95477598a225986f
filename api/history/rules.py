"""Pure rules of the archive and the search: what a chat's state and audit rows say.

No I/O here (table-driven tests in tests/history/test_rules.py). The audit rows are
`api.handoff.stats.Row`, so "an escalation" means exactly what `/api/sessions/stats` counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from api.handoff.stats import BOT, LIVE, Row
from core.db.models import AuditEntry
from core.errors import InvalidInput

PREVIEW_CHARS: Final = 200
MAX_WORDS: Final = 5
MAX_WORD_CHARS: Final = 50


def at_seconds(value: int | float | None) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def seconds(value: datetime) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int(aware.timestamp())


def audit_row(entry: AuditEntry) -> Row:
    return Row(
        entry.entity_id,
        entry.status_from,
        entry.status_to,
        entry.operator,
        entry.reason,
        entry.detail or {},
        seconds(entry.created_at),
    )


@dataclass(frozen=True)
class Milestones:
    """The latest episode of a conversation, from its audit rows (oldest first)."""

    escalations: int = 0
    escalation_reason: str | None = None
    escalated_at: int | None = None
    taken_over_at: int | None = None
    released_at: int | None = None
    closed_at: int | None = None


def milestones(rows: Iterable[Row]) -> Milestones:
    """Count escalations (stats' definition) and keep the latest episode's times: a new
    escalation starts a new episode, so the previous takeover and release are forgotten."""
    count, reason = 0, None
    escalated = taken = released = closed = None
    for row in rows:
        if row.escalates:
            count += 1
            reason, escalated, taken, released = row.reason, row.at, None, None
        if row.status_to == LIVE and row.status_from != LIVE:
            taken = row.at
        if row.status_from == LIVE and row.status_to == BOT:
            released = row.at
        if row.status_to == "closed":
            closed = row.at
    return Milestones(count, reason, escalated, taken, released, closed)


def conversation_values(state: Mapping[str, Any]) -> dict[str, Any]:
    """The `conversations` columns a checkpointed `SupervisionState` gives directly."""
    profile = state.get("user_profile") or {}
    history = state.get("history") or []
    agent = state.get("assigned_agent") or {}
    started = at_seconds(state.get("created_at")) or datetime.now(UTC)
    values: dict[str, Any] = {
        "conversation_id": state.get("conversation_id"),
        "customer": (str(profile.get("nickname") or "")[:64]) or None,
        "vip": bool(profile.get("vip")),
        "status": state["status"],
        "episodes": int(state.get("escalation_epoch") or 0),
        "message_count": len(history),
        "last_message": str(history[-1].get("content") or "")[:PREVIEW_CHARS] if history else None,
        "started_at": started,
        "last_activity_at": at_seconds(state.get("updated_at")) or started,
    }
    if agent.get("id"):  # released/closed chats keep the last agent who held them
        values["agent_id"], values["agent_name"] = agent["id"], agent.get("name")
    return values


def new_messages(
    history: Sequence[Mapping[str, Any]], archived: int, known: set[str]
) -> list[tuple[int, Mapping[str, Any]]]:
    """(seq, item) of the history items not archived yet: those from position `archived` on
    (history is append-only) whose id is not already stored."""
    return [
        (seq, item)
        for seq, item in enumerate(history[archived:], start=archived)
        if item.get("id") and item["id"] not in known
    ]


def search_words(q: str | None) -> tuple[str, ...]:
    """`q` split on whitespace: each word must occur in the conversation (400 when too many)."""
    words = tuple(dict.fromkeys(w for w in (q or "").split() if w))
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"q: at most {MAX_WORDS} words", field="q")
    if any(len(w) > MAX_WORD_CHARS for w in words):
        raise InvalidInput(f"q: a word is at most {MAX_WORD_CHARS} characters", field="q")
    return words
