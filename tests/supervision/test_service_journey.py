"""The supervision flow through `SupervisionService`: real Redis, real MCP tools, SQL audit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import InvalidInput, ManualInProgress, NotFound, Unavailable
from core.settings import Settings
from graphs.checkpoint import redis_checkpointer
from graphs.supervision.graph import AI_TOOLS, SqlAuditTrail
from graphs.supervision.language import system_message
from graphs.supervision.outbox import RedisOutbox
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import offline_message
from graphs.supervision.state import HISTORY_LIMIT
from graphs.supervision.takeover import NotAssignedAgent
from graphs.supervision.transitions import InvalidTransition, SessionClosed
from graphs.supervision.wiring import open_supervision_service
from tests.supervision.conftest import Harness
from tests.supervision.helpers import ALICE, BOB, CAROL, ai_text, chat, off_duty_now, types
from tools.mcp import McpToolbox

INBOX_CONFIG = {"allow_respond": True, "allow_accept": True, "allow_edit": False,
                "allow_ignore": True}  # fmt: skip


def statuses(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["status"], e["reason"]) for e in events if e["type"] == "status_change"]


async def test_ai_answers_with_a_read_only_mcp_tool_and_streams_tokens(
    service: SupervisionService, harness: Harness
) -> None:
    session = await service.new_conversation({"nickname": "小明", "language": "zh-TW"})
    events = await chat(service, session, "有哪些吃到飽優惠推薦？")
    assert types(events)[-1] == "done" and events[-1] == {"type": "done", "content": ""}
    tokens = [e for e in events if e["type"] == "message"]
    assert len(tokens) > 3 and all(set(e) == {"type", "content"} for e in tokens)
    assert "吃到飽" in ai_text(events) and "P0" in ai_text(events)  # promotion ids from MCP
    view = (await service.get_session(session))["session"]
    assert [m["role"] for m in view["history"]] == ["user", "assistant"]
    assert view["history"][1]["content"] == ai_text(events)
    assert view["status"] == "bot_active" and view["ai_fail_count"] == 0
    assert {r.usage_type for r in harness.usage.records} == {"customer_chat"}
    quiet = [e async for e in service.send_user_message(session, "謝謝", done=False)]
    assert quiet and "done" not in types(quiet)  # for an SSE layer that adds its own


async def test_escalation_takeover_release_and_a_second_episode_on_one_thread(
    service: SupervisionService,
) -> None:
    session = await service.new_conversation({"nickname": "阿華"})
    await chat(service, session, "帳單怎麼繳？")
    events = await chat(service, session, "我要投訴你們的服務")
    assert statuses(events) == [("pending_manual", "keyword")]
    assert "message" not in types(events)  # the AI does not answer an escalating turn
    notice = next(e for e in events if e["type"] == "manual_message")
    assert notice["role"] == "system" and notice["content"] == system_message("escalated", "zh-TW")

    got = await service.get_session(session)
    inbox = got["inbox"]
    assert set(inbox) == {"action_request", "config", "description"}
    assert inbox["action_request"]["action"] == "takeover"
    assert inbox["config"] == INBOX_CONFIG
    assert "客訴" in inbox["description"]  # the escalation_summary of the conversation
    assert inbox["action_request"]["args"]["escalation"]["reason"] == "keyword"
    assert got["session"]["escalation"]["severity"] == "high"

    # the customer keeps typing while waiting: stored and shown to agents, never answered
    waiting = await chat(service, session, "還要等多久？")
    assert types(waiting) == ["manual_message", "done"] and waiting[0]["role"] == "user"

    with pytest.raises(ManualInProgress):
        await service.escalate(session)
    with pytest.raises(InvalidTransition):
        await service.agent_message(session, ALICE, "hi")

    taken = await service.takeover(session, ALICE)
    assert statuses(taken.events) == [("manual_live", "agent_takeover")]
    live = next(e for e in taken.events if e["type"] == "status_change")
    assert live["agent_info"] == {"agent_id": "agent001", "agent_name": "客服小狐"}
    assert taken.session["assigned_agent"] == ALICE

    with pytest.raises(ManualInProgress):
        await service.takeover(session, BOB)
    again = await service.takeover(session, ALICE)  # a double click is not an error
    assert again.changed is False and again.events == []
    with pytest.raises(NotAssignedAgent):
        await service.agent_message(session, BOB, "我也來")

    said = await service.agent_message(session, ALICE, "您好，我是客服小狐")
    assert said.events == [{
        "type": "manual_message", "role": "agent", "content": "您好，我是客服小狐",
        "timestamp": said.events[0]["timestamp"], "agent_id": "agent001",
        "agent_name": "客服小狐", "agent_info": {"agent_id": "agent001", "agent_name": "客服小狐"},
    }]  # fmt: skip
    assert said.message is not None and said.message["role"] == "agent"
    assert said.message["agent_id"] == "agent001"
    quiet = await chat(service, session, "好的謝謝")
    assert types(quiet) == ["manual_message", "done"]  # the AI stays silent while manual

    released = await service.release(session, ALICE)
    assert statuses(released.events) == [("bot_active", "released")]
    assert released.events[1]["content"] == "人工服務已結束，AI 已接管"
    assert released.session["last_manual_end_at"] is not None
    assert released.session["assigned_agent"] is None
    assert await service.sessions_of("agent001") == set()
    assert ai_text(await chat(service, session, "帳單怎麼繳？"))  # the AI is back

    second = await chat(service, session, "我要找真人客服")
    assert statuses(second) == [("pending_manual", "user_request")]
    assert (await service.takeover(session, BOB)).session["escalation_epoch"] == 2
    await service.agent_message(session, BOB, "第二次為您服務")
    await service.release(session, BOB)

    final = await service.get_session(session)
    history = final["session"]["history"]
    assert [m["role"] for m in history] == [
        "user", "assistant", "user", "system", "user", "system", "agent", "user", "system",
        "user", "assistant", "user", "system", "system", "agent", "system",
    ]  # fmt: skip
    assert len({m["id"] for m in history}) == len(history)
    assert all(isinstance(m["timestamp"], int) for m in history)
    trail = [(a["status_from"], a["status_to"], a["operator"], a["reason"])
             for a in final["audit_trail"]]  # fmt: skip
    assert trail == [
        ("bot_active", "pending_manual", "system", "keyword"),
        ("pending_manual", "manual_live", "agent001", "agent_takeover"),
        ("manual_live", "bot_active", "agent001", "released"),
        ("bot_active", "pending_manual", "user", "user_request"),
        ("pending_manual", "manual_live", "agent002", "agent_takeover"),
        ("manual_live", "bot_active", "agent002", "released"),
    ]
    assert final["inbox"] is None


async def test_transfer_moves_the_claim_and_the_notice_names_the_new_agent(
    service: SupervisionService,
) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    await service.takeover(session, ALICE)
    with pytest.raises(NotAssignedAgent):
        await service.transfer(session, BOB, CAROL)
    moved = await service.transfer(session, ALICE, BOB)
    assert statuses(moved.events) == [("manual_live", "transferred")]
    assert moved.events[0]["agent_info"]["agent_id"] == "agent002"
    assert moved.events[1]["content"] == "對話已轉接給客服人員 客服小熊。"
    assert moved.session["assigned_agent"] == BOB
    assert await service.sessions_of("agent001") == set()
    assert await service.sessions_of("agent002") == {session}
    with pytest.raises(NotAssignedAgent):
        await service.agent_message(session, ALICE, "還在嗎")
    await service.agent_message(session, BOB, "我接手了")
    with pytest.raises(NotAssignedAgent):
        await service.release(session, ALICE)
    await service.release(session, BOB)
    audit = (await service.get_session(session))["audit_trail"]
    assert [a["reason"] for a in audit] == [
        "user_request", "agent_takeover", "transferred", "released",
    ]  # fmt: skip
    assert audit[2]["operator"] == "agent001" and audit[2]["detail"]["agent"]["id"] == "agent002"


async def test_the_released_notice_follows_the_customer_language(
    service: SupervisionService,
) -> None:
    expected = {
        "en": "The human agent has left; the AI assistant is back.",
        "zh-CN": "人工服务已结束，AI 已接管",
        "zh-TW": "人工服務已結束，AI 已接管",
    }
    for language, text in expected.items():
        session = await service.new_conversation({"language": language, "country": "DE"})
        await service.escalate(session)
        await service.takeover(session, CAROL)
        released = await service.release(session, CAROL)
        assert released.events[1]["content"] == text


async def test_customer_cancels_waiting_and_an_agent_closes(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    cancelled = await service.cancel_escalation(session)
    assert statuses(cancelled.events) == [("bot_active", "escalation_cancelled")]
    await service.takeover(session, ALICE)  # proactive takeover, no escalation needed
    view = (await service.get_session(session))["session"]
    assert view["status"] == "manual_live" and view["escalation"]["reason"] == "agent_takeover"
    closed = await service.close(session, operator="agent001")
    assert statuses(closed.events) == [("closed", "closed")]
    assert await service.sessions_of("agent001") == set()
    with pytest.raises(SessionClosed):
        await chat(service, session, "還在嗎")
    with pytest.raises(SessionClosed):
        await service.escalate(session)


async def test_queue_lists_waiting_sessions_oldest_first_with_reason_and_preview(
    service: SupervisionService,
) -> None:
    first = await service.new_conversation({"nickname": "甲", "vip": True})
    await chat(service, first, "我要投訴")
    second = await service.new_conversation({"nickname": "乙"})
    await chat(service, second, "我要找真人")
    third = await service.new_conversation({"nickname": "丙"})
    await chat(service, third, "你好")
    queue = await service.list_sessions("pending_manual")
    assert queue["total"] == 2
    assert [i["session_name"] for i in queue["items"]] == [first, second]
    item = queue["items"][0]
    assert item["escalation"]["reason"] == "keyword"
    assert item["escalation"]["severity"] == "critical"  # complaint (high), raised for a VIP
    assert item["last_message_preview"] == "我要投訴" and item["waiting_seconds"] >= 0
    assert item["user_profile"] == {"nickname": "甲", "vip": True}
    await service.takeover(second, ALICE)
    assert [i["session_name"] for i in (await service.list_sessions("manual_live"))["items"]] == [
        second
    ]
    everything = await service.list_sessions()
    assert everything["total"] == 3
    assert {i["status"] for i in everything["items"]} == {
        "bot_active", "pending_manual", "manual_live",
    }  # fmt: skip


async def test_history_view_is_capped_at_fifty_and_unknown_sessions_are_404(
    service: SupervisionService,
) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    for i in range(30):
        await chat(service, session, f"第 {i} 則")
    view = (await service.get_session(session))["session"]
    assert view["history_total"] == 31 and len(view["history"]) == 31
    for i in range(30, 60):
        await chat(service, session, f"第 {i} 則")
    view = (await service.get_session(session))["session"]
    assert view["history_total"] == 61 and len(view["history"]) == HISTORY_LIMIT
    assert view["history"][-1]["content"] == "第 59 則"
    with pytest.raises(NotFound):
        await service.get_session("session_nope")
    with pytest.raises(NotFound):
        await chat(service, "session_nope", "hi")
    with pytest.raises(InvalidInput):
        await chat(service, session, "   ")


async def test_unknown_agents_are_refused_by_the_directory(service: SupervisionService) -> None:
    session = await service.new_conversation()
    await service.escalate(session)
    with pytest.raises(NotFound) as refused:
        await service.takeover(session, {"id": "ghost", "name": "Ghost"})
    assert refused.value.code == "AGENT_NOT_FOUND"
    assert (await service.get_session(session))["session"]["status"] == "pending_manual"


class FlakyAudit(SqlAuditTrail):
    """The audit database fails on demand (locked, restarting)."""

    failures = 0

    async def record(self, session_name: str, **row: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("audit database unavailable")
        await super().record(session_name, **row)


async def test_a_failed_takeover_changes_nothing_and_is_never_replayed(harness: Harness) -> None:
    audit = FlakyAudit(harness.sessions)
    async with harness.service(audit=audit) as service:
        session = await service.new_conversation()
        await service.escalate(session)
        audit.failures = 1
        with pytest.raises(Unavailable):
            await service.takeover(session, ALICE)
        view = (await service.get_session(session))["session"]
        assert view["status"] == "pending_manual" and view["assigned_agent"] is None
        assert await service.claims.holder(session) is None  # the claim was given back
        taken = await service.takeover(session, BOB)  # BOB's event, not ALICE's replayed
        assert taken.session["assigned_agent"] == BOB
        trail = (await service.get_session(session))["audit_trail"]
        assert [a["operator"] for a in trail] == ["user", "agent002"]


class SlowAudit(SqlAuditTrail):
    """An audit database that takes its time (the client may hang up meanwhile)."""

    delay = 0.0

    async def record(self, session_name: str, **row: Any) -> None:
        await asyncio.sleep(self.delay)
        await super().record(session_name, **row)


async def test_a_caller_cancelled_mid_release_still_finishes_it_and_frees_the_claim(
    harness: Harness,
) -> None:
    audit = SlowAudit(harness.sessions)
    async with harness.service(audit=audit) as service:
        session = await service.new_conversation()
        await service.escalate(session)
        await service.takeover(session, ALICE)
        audit.delay = 0.4
        call = asyncio.create_task(service.release(session, ALICE))
        await asyncio.sleep(0.15)  # inside the manual node, writing the audit line
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        audit.delay = 0
        view = (await service.get_session(session))["session"]
        assert view["status"] == "bot_active"  # the release ran to its end
        assert await service.sessions_of("agent001") == set()
        await service.escalate(session)  # and the thread takes the next event, not a replay
        taken = await service.takeover(session, BOB)
        assert taken.session["assigned_agent"] == BOB and taken.session["escalation_epoch"] == 2


async def test_the_runtime_builder_wires_sql_audit_redis_outbox_and_directory(
    app_settings: Settings,
    db_sessions: async_sessionmaker[AsyncSession],
    sup_prefix: str,
    toolbox: McpToolbox,
) -> None:
    settings = app_settings.model_copy(update={"redis_key_prefix": sup_prefix})
    tools = toolbox.langchain_tools(AI_TOOLS)
    async with (
        redis_checkpointer(settings) as saver,
        open_supervision_service(
            settings, checkpointer=saver, sessions=db_sessions, tools=tools, shift=off_duty_now
        ) as service,
    ):
        session = await service.new_conversation({"nickname": "夜貓"})
        events = await chat(service, session, "我要找真人客服")
        assert ai_text(events) == offline_message(off_duty_now(), "zh-TW")
        mails = await RedisOutbox(service.redis, sup_prefix).pending()
        assert [m.session_name for m in mails] == [session]
        with pytest.raises(NotFound):
            await service.takeover(session, {"id": "ghost", "name": "Ghost"})
