"""Event formats (seed 003), the resume vocabulary and the state views."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest

from api.realtime.hub import SessionEvents, session_channel
from core.db.models.tenants import DEFAULT_TENANT
from core.errors import InvalidInput
from graphs.supervision import events as ev
from graphs.supervision.outbox import needs_mail
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import ShiftConfig
from graphs.supervision.state import (
    AgentMessage,
    CancelEscalation,
    Close,
    Takeover,
    Transfer,
    UserProfile,
    agent_ref,
    inbox_request,
    parse_resume,
    public_view,
)
from tests.supervision.helpers import ALICE

AGENT = {"id": "agent_01", "name": "Alice"}


def test_message_and_done_keep_the_coze_format() -> None:
    assert ev.message("您好") == {"type": "message", "content": "您好"}
    assert ev.done() == {"type": "done", "content": ""}


def test_manual_message_and_status_change_fields() -> None:
    assert ev.manual_message("agent", "您好", 1737000500, AGENT) == {
        "type": "manual_message", "role": "agent", "content": "您好", "timestamp": 1737000500,
        "agent_id": "agent_01", "agent_name": "Alice",
        "agent_info": {"agent_id": "agent_01", "agent_name": "Alice"},
    }  # fmt: skip
    assert ev.manual_message("system", "notice", 1737000500, AGENT) == {
        "type": "manual_message", "role": "system", "content": "notice", "timestamp": 1737000500,
    }  # fmt: skip
    assert ev.status_change("manual_live", "agent_takeover", 1737000300, AGENT) == {
        "type": "status_change", "status": "manual_live", "reason": "agent_takeover",
        "agent_info": {"agent_id": "agent_01", "agent_name": "Alice"}, "timestamp": 1737000300,
    }  # fmt: skip
    released = ev.status_change("bot_active", "released", 1737000400, AGENT)
    assert "agent_info" not in released  # only while live
    assert ev.error("boom", "X") == {"type": "error", "content": "boom", "code": "X"}


def test_resume_vocabulary_and_agent_inbox_answers() -> None:
    assert parse_resume({"type": "takeover", "agent": AGENT}) == Takeover.model_validate(
        {"agent": AGENT}
    )
    said = parse_resume({"type": "agent_message", "agent": AGENT, "content": "hi"})
    assert isinstance(said, AgentMessage) and said.content == "hi"
    moved = parse_resume({"type": "transfer", "to_agent": AGENT})
    assert isinstance(moved, Transfer) and moved.agent is None
    assert isinstance(parse_resume([{"type": "accept", "args": None}]), Takeover)
    inbox_reply = parse_resume({"type": "response", "args": "稍等"})
    assert isinstance(inbox_reply, AgentMessage) and inbox_reply.agent.id == "agent_inbox"
    assert isinstance(parse_resume({"type": "ignore", "args": None}), CancelEscalation)
    assert isinstance(parse_resume({"type": "close"}), Close)
    for bad in ({"type": "dance"}, {"type": "user_message", "content": ""}, "takeover", None):
        with pytest.raises(InvalidInput):
            parse_resume(bad)
    assert agent_ref({"agent_id": "agent_01", "agent_name": "Alice"}).id == "agent_01"
    with pytest.raises(InvalidInput):
        agent_ref({"name": "nobody"})


def test_profile_defaults_and_views() -> None:
    profile = UserProfile.model_validate({"nickname": "Max", "country": "DE", "shoe": 44})
    assert profile.model_dump() == {
        "nickname": "Max", "vip": False, "gdpr_consent": False, "marketing_subscribed": False,
        "country": "DE", "city": None, "language": None, "currency": None,
    }  # fmt: skip
    state = {"session_name": "s", "status": "pending_manual", "escalation": {
        "reason": "keyword", "details": "d", "severity": "high", "trigger_at": 1, "summary": "S",
    }}  # fmt: skip
    request = inbox_request(state)
    assert request["description"] == "S" and request["action_request"]["action"] == "takeover"
    assert public_view(state)["mail"] == {"sent": False, "email_to": []}


def test_one_mail_handoff_per_off_duty_stretch() -> None:
    office = ShiftConfig(email_to=("cs@example.com",))  # weekdays 09-18 Asia/Taipei
    taipei = office.zone
    friday_night = datetime(2026, 11, 20, 20, 0, tzinfo=taipei)
    sent = {"sent": True, "sent_at": int(friday_night.timestamp())}
    assert needs_mail({"sent": False}, office, friday_night)
    assert not needs_mail(sent, office, datetime(2026, 11, 21, 10, 0, tzinfo=taipei))  # Sat
    assert needs_mail(sent, office, datetime(2026, 11, 23, 20, 0, tzinfo=taipei))  # Mon night


async def test_events_fan_out_over_redis(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    assert isinstance(service.bus, SessionEvents)
    hub = service.bus.hub
    await hub.start()
    received: list[dict[str, object]] = []

    async def listen() -> None:
        async for _id, event in hub.listen(session_channel(session, DEFAULT_TENANT)):
            received.append(event)
            if event["type"] == "manual_message":
                return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.1)  # let the listener register
    await service.takeover(session, ALICE)
    await asyncio.wait_for(listener, 5)
    assert [e["type"] for e in received] == ["status_change", "manual_message"]
    assert received[0]["session_name"] == session
    json.dumps(received)  # plain JSON all the way
    await hub.stop()
