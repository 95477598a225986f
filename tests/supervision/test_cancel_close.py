"""Cancel and close on the service (issue 15 item 9): a cancelled escalation keeps no takeover
claim (an agent mid-takeover cannot land on it, nor keep a capacity slot for it), a cancel
resets the AI failure count, and only the holder closes a live chat."""

from __future__ import annotations

import pytest

from graphs.supervision.service import SupervisionService
from graphs.supervision.takeover import NotAssignedAgent
from graphs.supervision.transitions import InvalidTransition, SessionClosed
from tests.supervision.helpers import ALICE, BOB


async def test_cancel_drops_a_takeover_claim_in_flight(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    epoch = (await service.get_session(session))["session"]["escalation_epoch"]
    # an agent's takeover has claimed the escalation and now waits for the session lock
    assert await service.claims.claim(session, ALICE["id"], epoch, 5)
    assert await service.sessions_of(ALICE["id"]) == {session}

    cancelled = await service.cancel_escalation(session)

    assert cancelled.session["status"] == "bot_active"
    assert await service.claims.holder(session) is None
    assert await service.sessions_of(ALICE["id"]) == set()  # no capacity held for it
    queue = await service.list_sessions("pending_manual")
    assert session not in [item["session_name"] for item in queue["items"]]
    audit = (await service.get_session(session))["audit_trail"]
    assert (audit[-1]["status_from"], audit[-1]["status_to"], audit[-1]["operator"]) == (
        "pending_manual",
        "bot_active",
        "user",
    )


async def test_cancel_only_while_waiting(service: SupervisionService) -> None:
    session = await service.new_conversation()
    with pytest.raises(InvalidTransition) as idle:
        await service.cancel_escalation(session)
    assert idle.value.code == "INVALID_TRANSITION"
    await service.escalate(session)
    await service.takeover(session, ALICE)
    with pytest.raises(InvalidTransition):  # a live chat is released by its agent instead
        await service.cancel_escalation(session)
    await service.close(session, "user")
    with pytest.raises(SessionClosed):
        await service.cancel_escalation(session)


async def test_cancel_by_an_agent_is_audited_as_that_agent(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    await service.cancel_escalation(session, operator=BOB["id"])
    audit = (await service.get_session(session))["audit_trail"]
    assert (audit[-1]["operator"], audit[-1]["reason"]) == (BOB["id"], "escalation_cancelled")


async def test_only_the_holder_closes_a_live_chat(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    await service.takeover(session, ALICE)
    with pytest.raises(NotAssignedAgent):
        await service.close(session, BOB["id"], agent=BOB)
    assert (await service.get_session(session))["session"]["status"] == "manual_live"
    closed = await service.close(session, ALICE["id"], agent=ALICE)
    assert closed.session["status"] == "closed"
    assert await service.sessions_of(ALICE["id"]) == set()
    with pytest.raises(SessionClosed):
        await service.close(session, ALICE["id"], agent=ALICE)


async def test_an_agent_closes_a_waiting_chat_without_holding_it(
    service: SupervisionService,
) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    closed = await service.close(session, BOB["id"], agent=BOB)
    assert closed.session["status"] == "closed"
    with pytest.raises(SessionClosed):
        await service.takeover(session, ALICE)
    with pytest.raises(SessionClosed):
        await service.escalate(session)
