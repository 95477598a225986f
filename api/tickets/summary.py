"""What a ticket takes from the chat session it is opened from (seed 003: 会话摘要自动提取).

The AI summary is the escalation's handoff summary when the chat was escalated (the graph's
`escalation_summary` prompt wrote it for the agent); a chat that never was gets an excerpt of
its last turns instead, so the ticket still says what the customer asked. The customer's
profile is the session's `user_profile` (nickname, VIP, country, language, consent, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphs.supervision.state import transcript_lines

EXCERPT_TURNS: Final = 10
SUMMARY_CHARS: Final = 2000


@dataclass(frozen=True)
class SessionFacts:
    summary: str | None = None
    profile: dict[str, Any] | None = None
    customer_id: str | None = None


def without_nul(value: Any) -> Any:
    """Chat text is stored as the customer typed it; PostgreSQL text and JSONB cannot hold
    NUL, so it is dropped on the way into a ticket."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def excerpt(history: list[Mapping[str, Any]]) -> str | None:
    """`（對話摘錄）` and the last turns as `角色: 內容` lines, or None for an empty chat."""
    lines = transcript_lines(history[-EXCERPT_TURNS:])  # type: ignore[arg-type]
    if not lines:
        return None
    return ("（對話摘錄）\n" + "\n".join(lines))[:SUMMARY_CHARS]


def session_facts(found: Mapping[str, Any]) -> SessionFacts:
    """From `SupervisionService.get_session(...)`."""
    session = without_nul(found["session"])
    escalation = session.get("escalation") or {}
    summary = escalation.get("summary") or excerpt(list(session.get("history") or []))
    profile = dict(session.get("user_profile") or {})
    customer_id = profile.get("customer_id")
    return SessionFacts(
        summary=summary[:SUMMARY_CHARS] if summary else None,
        profile=profile or None,
        customer_id=str(customer_id)[:64] if customer_id else None,
    )
