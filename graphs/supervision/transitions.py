"""The supervision session status machine, as one table and one pure function.

Why a table: the API, the graph and the agent workbench must agree on which move is legal in which
status, and "exactly one agent per chat" is enforced by refusing moves, not by hoping. Tests walk
every status × event pair.

| event \\ status   | bot_active     | pending_manual | manual_live | closed |
|-------------------|----------------|----------------|-------------|--------|
| escalate          | pending_manual | ✗ MIP          | ✗ MIP       | ✗ SC   |
| takeover          | manual_live    | manual_live    | ✗ MIP       | ✗ SC   |
| transfer          | ✗              | ✗              | manual_live | ✗ SC   |
| release           | ✗              | ✗              | bot_active  | ✗ SC   |
| close             | closed         | closed         | closed      | ✗ SC   |
| user_message      | bot_active     | pending_manual | manual_live | ✗ SC   |
| agent_message     | ✗              | ✗              | manual_live | ✗ SC   |
| cancel_escalation | ✗              | bot_active     | ✗           | ✗ SC   |

✗ = `InvalidTransition` (409 INVALID_TRANSITION); MIP = `ManualInProgress` (409
MANUAL_IN_PROGRESS, the seed's answer to a second escalation or a second agent); SC =
`SessionClosed` (409 SESSION_CLOSED).

Decisions:
* `takeover` from `bot_active` is allowed: a supervising agent may step into a chat the policy
  has not flagged (proactive takeover); the audit trail records who did it.
* `cancel_escalation` is for a customer who gives up waiting (or an off-hours fallback to the AI):
  only while `pending_manual`; once an agent is talking, the agent releases the chat.
* `user_message` never changes the status: while pending the message is stored for the agent.
* `agent_message` needs `manual_live`: an agent must take over before talking.
* `transfer` keeps `manual_live` (another agent continues); there is no agent to transfer from in
  the other statuses.
* `closed` is terminal; a returning customer starts a new session.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from core.errors import Conflict, ManualInProgress


class SessionStatus(StrEnum):
    """The seed's `SessionState.status` values (plus terminal `closed`)."""

    BOT_ACTIVE = "bot_active"
    PENDING_MANUAL = "pending_manual"
    MANUAL_LIVE = "manual_live"
    CLOSED = "closed"


class SessionEvent(StrEnum):
    """What can happen to a session."""

    ESCALATE = "escalate"
    TAKEOVER = "takeover"
    TRANSFER = "transfer"
    RELEASE = "release"
    CLOSE = "close"
    USER_MESSAGE = "user_message"
    AGENT_MESSAGE = "agent_message"
    CANCEL_ESCALATION = "cancel_escalation"


class InvalidTransition(Conflict):
    """The event is not allowed in the session's current status."""

    code = "INVALID_TRANSITION"


class SessionClosed(InvalidTransition):
    """Nothing happens to a closed session any more."""

    code = "SESSION_CLOSED"


S, E = SessionStatus, SessionEvent

ALLOWED: Final[Mapping[tuple[SessionStatus, SessionEvent], SessionStatus]] = {
    (S.BOT_ACTIVE, E.ESCALATE): S.PENDING_MANUAL,
    (S.BOT_ACTIVE, E.TAKEOVER): S.MANUAL_LIVE,
    (S.BOT_ACTIVE, E.CLOSE): S.CLOSED,
    (S.BOT_ACTIVE, E.USER_MESSAGE): S.BOT_ACTIVE,
    (S.PENDING_MANUAL, E.TAKEOVER): S.MANUAL_LIVE,
    (S.PENDING_MANUAL, E.CLOSE): S.CLOSED,
    (S.PENDING_MANUAL, E.USER_MESSAGE): S.PENDING_MANUAL,
    (S.PENDING_MANUAL, E.CANCEL_ESCALATION): S.BOT_ACTIVE,
    (S.MANUAL_LIVE, E.TRANSFER): S.MANUAL_LIVE,
    (S.MANUAL_LIVE, E.RELEASE): S.BOT_ACTIVE,
    (S.MANUAL_LIVE, E.CLOSE): S.CLOSED,
    (S.MANUAL_LIVE, E.USER_MESSAGE): S.MANUAL_LIVE,
    (S.MANUAL_LIVE, E.AGENT_MESSAGE): S.MANUAL_LIVE,
}

# Forbidden because a human already has (or is about to have) the chat.
MANUAL_IN_PROGRESS: Final[frozenset[tuple[SessionStatus, SessionEvent]]] = frozenset(
    {
        (S.PENDING_MANUAL, E.ESCALATE),
        (S.MANUAL_LIVE, E.ESCALATE),
        (S.MANUAL_LIVE, E.TAKEOVER),
    }
)

# The seed's `status_change.reason` per event; for `escalate` use the escalation's own reason
# (keyword, user_request …) instead.
STATUS_CHANGE_REASONS: Final[Mapping[SessionEvent, str]] = {
    E.TAKEOVER: "agent_takeover",
    E.TRANSFER: "transferred",
    E.RELEASE: "released",
    E.CLOSE: "closed",
    E.CANCEL_ESCALATION: "escalation_cancelled",
}


def transition(status: SessionStatus | str, event: SessionEvent | str) -> SessionStatus:
    """The status after `event`, or a typed 409 error if the move is not allowed.

    Plain strings are accepted (they come from storage and JSON); unknown ones raise ValueError.
    """
    current, happened = SessionStatus(status), SessionEvent(event)
    allowed = ALLOWED.get((current, happened))
    if allowed is not None:
        return allowed
    message = f"cannot {happened.value} a session in status {current.value}"
    details = {"status": current.value, "event": happened.value}
    if current is S.CLOSED:
        raise SessionClosed(message, **details)
    if (current, happened) in MANUAL_IN_PROGRESS:
        raise ManualInProgress(message, **details)
    raise InvalidTransition(message, **details)


class AuditEntry(BaseModel):
    """One line of the seed's `audit_trail`."""

    model_config = ConfigDict(frozen=True)

    status_from: SessionStatus
    status_to: SessionStatus
    event: SessionEvent
    operator: str
    timestamp: int


# Messages are history, not audit: every other event leaves an audit line, even a transfer that
# keeps the status (who handed the chat to whom matters).
UNAUDITED_EVENTS: Final[frozenset[SessionEvent]] = frozenset({E.USER_MESSAGE, E.AGENT_MESSAGE})


def apply(
    status: SessionStatus | str, event: SessionEvent | str, *, operator: str, at: int
) -> tuple[SessionStatus, AuditEntry | None]:
    """`transition` plus the audit line to append, if any (operator: user, agent id, system)."""
    new = transition(status, event)
    if SessionEvent(event) in UNAUDITED_EVENTS:
        return new, None
    entry = AuditEntry(
        status_from=SessionStatus(status),
        status_to=new,
        event=SessionEvent(event),
        operator=operator,
        timestamp=at,
    )
    return new, entry
