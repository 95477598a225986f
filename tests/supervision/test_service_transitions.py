"""Every status × event pair of `transitions.ALLOWED`, driven through the service: an allowed
move lands where the table says (and is audited), a forbidden one raises the table's error code
and changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core.errors import SwitchboardError
from graphs.supervision.service import Outcome, SupervisionService
from graphs.supervision.transitions import (
    ALLOWED,
    UNAUDITED_EVENTS,
    SessionEvent,
    SessionStatus,
    transition,
)
from tests.supervision.helpers import chat

HOLDER = {"id": "table-holder", "name": "Holder", "max_sessions": 100}
OTHER = {"id": "table-other", "name": "Other", "max_sessions": 100}
S, E = SessionStatus, SessionEvent

Action = Callable[[SupervisionService, str], Awaitable[Any]]
ACTIONS: dict[SessionEvent, Action] = {
    E.ESCALATE: lambda svc, s: svc.escalate(s),
    E.TAKEOVER: lambda svc, s: svc.takeover(s, OTHER),
    E.TRANSFER: lambda svc, s: svc.transfer(s, HOLDER, OTHER),
    E.RELEASE: lambda svc, s: svc.release(s, HOLDER),
    E.CLOSE: lambda svc, s: svc.close(s),
    E.USER_MESSAGE: lambda svc, s: chat(svc, s, "請問帳單怎麼繳"),
    E.AGENT_MESSAGE: lambda svc, s: svc.agent_message(s, HOLDER, "您好"),
    E.CANCEL_ESCALATION: lambda svc, s: svc.cancel_escalation(s),
}


async def session_in(service: SupervisionService, status: SessionStatus) -> str:
    session = await service.new_conversation({"nickname": "表格"})
    if status in (S.PENDING_MANUAL, S.MANUAL_LIVE):
        await service.escalate(session)
    if status is S.MANUAL_LIVE:
        await service.takeover(session, HOLDER)
    if status is S.CLOSED:
        await service.close(session)
    return session


def expected_error(status: SessionStatus, event: SessionEvent) -> str:
    try:
        transition(status, event)
    except SwitchboardError as exc:
        return exc.code
    raise AssertionError("allowed")


PAIRS = list(itertools.product(list(S), list(E)))


@pytest.mark.parametrize(("status", "event"), PAIRS, ids=[f"{s}-{e}" for s, e in PAIRS])
async def test_transition_table_through_the_service(
    service: SupervisionService, status: SessionStatus, event: SessionEvent
) -> None:
    session = await session_in(service, status)
    before = await service.get_session(session)
    assert before["session"]["status"] == status.value
    target = ALLOWED.get((status, event))
    if target is None:
        with pytest.raises(SwitchboardError) as refused:
            await ACTIONS[event](service, session)
        assert refused.value.code == expected_error(status, event)
        assert refused.value.status == 409
        after = await service.get_session(session)
        assert (
            after["session"] == before["session"] and after["audit_trail"] == before["audit_trail"]
        )
        return
    result = await ACTIONS[event](service, session)
    after = await service.get_session(session)
    assert after["session"]["status"] == target.value
    if isinstance(result, Outcome):
        assert result.session["status"] == target.value
    new_audit = after["audit_trail"][len(before["audit_trail"]) :]
    if event in UNAUDITED_EVENTS:
        assert new_audit == []
    else:
        assert [(a["status_from"], a["status_to"]) for a in new_audit] == [
            (status.value, target.value)
        ]
    assert after["session"]["history_total"] > before["session"]["history_total"]
