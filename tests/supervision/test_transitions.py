"""The session status machine, every status × event pair."""

from __future__ import annotations

from itertools import product

import pytest

from core.errors import Conflict, ManualInProgress
from graphs.supervision.transitions import (
    ALLOWED,
    STATUS_CHANGE_REASONS,
    AuditEntry,
    InvalidTransition,
    SessionClosed,
    SessionEvent,
    SessionStatus,
    apply,
    transition,
)

# Written out independently of the module's table: a status name means "allowed, ends there",
# an exception class means "refused with that error".
B, P, L, C = "bot_active", "pending_manual", "manual_live", "closed"
X, MIP, SC = InvalidTransition, ManualInProgress, SessionClosed
EVENTS = ("escalate", "takeover", "transfer", "release", "close", "user_message", "agent_message",
          "cancel_escalation")  # fmt: skip
EXPECTED: dict[str, tuple[object, ...]] = {
    B: (P, L, X, X, C, B, X, X),
    P: (MIP, L, X, X, C, P, X, B),
    L: (MIP, MIP, L, B, C, L, L, X),
    C: (SC, SC, SC, SC, SC, SC, SC, SC),
}


def test_expected_table_covers_every_pair() -> None:
    assert set(EXPECTED) == {s.value for s in SessionStatus}
    assert set(EVENTS) == {e.value for e in SessionEvent}


@pytest.mark.parametrize(("status", "event"), list(product(SessionStatus, SessionEvent)))
def test_every_status_event_pair(status: SessionStatus, event: SessionEvent) -> None:
    expected = EXPECTED[status.value][EVENTS.index(event.value)]
    if isinstance(expected, str):
        assert ALLOWED[(status, event)] == expected
        assert transition(status, event) == expected
        assert transition(status.value, event.value) == expected  # plain strings from storage
    else:
        assert (status, event) not in ALLOWED
        with pytest.raises(Conflict) as caught:
            transition(status, event)
        assert type(caught.value) is expected
        assert caught.value.status == 409
        assert caught.value.details == {"status": status.value, "event": event.value}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidTransition, "INVALID_TRANSITION"),
        (SessionClosed, "SESSION_CLOSED"),
        (ManualInProgress, "MANUAL_IN_PROGRESS"),
    ],
)
def test_error_codes(error: type[Conflict], code: str) -> None:
    assert error.code == code
    assert error("x").to_envelope() == {"success": False, "error": "x", "code": code}


def test_unknown_names_are_value_errors() -> None:
    with pytest.raises(ValueError):
        transition("sleeping", "escalate")
    with pytest.raises(ValueError):
        transition("bot_active", "teleport")


def test_a_full_conversation() -> None:
    status = SessionStatus.BOT_ACTIVE
    for event in ("user_message", "escalate", "user_message", "takeover", "agent_message",
                  "transfer", "user_message", "release", "user_message", "close"):  # fmt: skip
        status = transition(status, event)
    assert status is SessionStatus.CLOSED


def test_apply_returns_the_audit_line() -> None:
    status, entry = apply("pending_manual", "takeover", operator="agent_01", at=1_737_000_400)
    assert status is SessionStatus.MANUAL_LIVE
    assert entry == AuditEntry(
        status_from=SessionStatus.PENDING_MANUAL,
        status_to=SessionStatus.MANUAL_LIVE,
        event=SessionEvent.TAKEOVER,
        operator="agent_01",
        timestamp=1_737_000_400,
    )
    assert entry.model_dump(mode="json")["status_to"] == "manual_live"


@pytest.mark.parametrize(
    ("status", "event", "audited"),
    [("manual_live", "transfer", True), ("manual_live", "agent_message", False),
     ("bot_active", "user_message", False), ("manual_live", "release", True)],
)  # fmt: skip
def test_messages_are_not_audited(status: str, event: str, audited: bool) -> None:
    _, entry = apply(status, event, operator="x", at=0)
    assert (entry is not None) is audited


def test_apply_refuses_like_transition() -> None:
    with pytest.raises(ManualInProgress):
        apply("manual_live", "escalate", operator="user", at=0)


def test_status_change_reasons_match_the_seed_vocabulary() -> None:
    assert STATUS_CHANGE_REASONS[SessionEvent.TAKEOVER] == "agent_takeover"
    assert STATUS_CHANGE_REASONS[SessionEvent.RELEASE] == "released"
    assert STATUS_CHANGE_REASONS[SessionEvent.TRANSFER] == "transferred"
