"""Why a chat escalates (policy reasons, AI failures) and what happens off duty."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from graphs.supervision.nodes import AI_FALLBACK
from graphs.supervision.outbox import load_jsonl
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import offline_message
from tests.supervision.conftest import Harness
from tests.supervision.helpers import ALICE, ChatFactory, ai_text, chat, off_duty_now, types


class BrokenModel(BaseChatModel):
    """A provider that is down: every call raises (streaming and not)."""

    @property
    def _llm_type(self) -> str:
        return "broken"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise ConnectionError("provider down")

    async def _agenerate(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> ChatResult:
        raise ConnectionError("provider down")


class SlowModel(BrokenModel):
    """A provider that hangs: the turn's timeout must cut it."""

    async def _agenerate(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> ChatResult:
        await asyncio.sleep(30)
        raise AssertionError("not reached")


def customer_chat_uses(model: BaseChatModel, harness: Harness) -> ChatFactory:
    """The failing model answers customers; summaries still come from the offline model."""
    offline = harness.models()

    def factory(usage_type: str, state: Mapping[str, Any]) -> BaseChatModel:
        return model if usage_type == "customer_chat" else offline(usage_type, state)

    return factory


def reason(events: list[dict[str, Any]]) -> str | None:
    return next((e["reason"] for e in events if e["type"] == "status_change"), None)


async def test_policy_reasons_escalate_and_a_negated_request_does_not(
    service: SupervisionService,
) -> None:
    cases = [
        ({}, "我不需要轉人工，謝謝", None),
        ({}, "I want to talk to a human", "user_request"),
        ({}, "我要找律師告你們", "keyword"),
        ({}, "你們真的是垃圾廢物，氣死我了", "sentiment"),
        ({"vip": True}, "我想解約", "vip"),
        ({}, "我想解約", None),
    ]
    for profile, text, expected in cases:
        session = await service.new_conversation(profile)
        events = await chat(service, session, text)
        assert reason(events) == expected, text
        view = (await service.get_session(session))["session"]
        assert view["status"] == ("pending_manual" if expected else "bot_active")
        if expected:
            assert view["escalation"]["reason"] == expected
            assert view["escalation"]["trigger_at"] == view["history"][0]["timestamp"]


async def test_ai_failures_reply_politely_and_escalate_at_the_threshold(harness: Harness) -> None:
    async with harness.service(chat_model=customer_chat_uses(BrokenModel(), harness)) as service:
        session = await service.new_conversation({"language": "en"})
        for count in (1, 2):
            events = await chat(service, session, "How do I pay my bill?")
            assert ai_text(events) == AI_FALLBACK["en"] and reason(events) is None
            view = (await service.get_session(session))["session"]
            assert view["ai_fail_count"] == count and view["status"] == "bot_active"
        events = await chat(service, session, "How do I pay my bill?")
        assert ai_text(events) == AI_FALLBACK["en"]  # the customer still gets a reply
        assert reason(events) == "ai_failure" and types(events)[-1] == "done"
        view = (await service.get_session(session))["session"]
        assert view["status"] == "pending_manual" and view["ai_fail_count"] == 3
        assert view["escalation"]["details"] == "AI 已 3 次未能解決問題"
        await service.takeover(session, ALICE)
        released = await service.release(session, ALICE)
        assert released.session["ai_fail_count"] == 0  # a new bot episode starts clean


async def test_a_vip_escalates_on_the_first_ai_failure(harness: Harness) -> None:
    async with harness.service(chat_model=customer_chat_uses(BrokenModel(), harness)) as service:
        session = await service.new_conversation({"vip": True})
        events = await chat(service, session, "帳單怎麼繳？")
        assert ai_text(events) == AI_FALLBACK["zh-TW"] and reason(events) == "vip"


async def test_a_hanging_model_times_out_into_the_fallback(harness: Harness) -> None:
    factory = customer_chat_uses(SlowModel(), harness)
    async with harness.service(chat_model=factory, ai_timeout_seconds=0.3) as service:
        session = await service.new_conversation({"language": "zh-CN"})
        started = asyncio.get_running_loop().time()
        events = await chat(service, session, "帐单怎么缴？")
        assert asyncio.get_running_loop().time() - started < 5
        assert ai_text(events) == AI_FALLBACK["zh-CN"]
        assert (await service.get_session(session))["session"]["ai_fail_count"] == 1


async def test_off_duty_escalation_auto_replies_and_writes_one_mail_handoff(
    harness: Harness,
) -> None:
    shift = off_duty_now()
    async with harness.service(shift=shift) as service:
        session = await service.new_conversation({"nickname": "夜貓", "language": "en"})
        await chat(service, session, "How do I pay my bill?")
        events = await chat(service, session, "I want to talk to a human")
        assert ai_text(events) == offline_message(shift, "en")
        assert reason(events) is None  # no queue slot: the status stays bot_active
        got = await service.get_session(session)
        view = got["session"]
        assert view["status"] == "bot_active" and got["inbox"] is None
        assert view["mail"]["sent"] is True
        assert view["mail"]["email_to"] == ["night-desk@example.com"]
        assert view["escalation"]["reason"] == "user_request"
        mails = load_jsonl(harness.outbox_path)
        assert len(mails) == 1 and mails[0].mail_id == view["mail"]["mail_id"]
        assert mails[0].email_to == ("night-desk@example.com",)
        assert mails[0].session_name == session and "How do I pay my bill?" in mails[0].body
        assert [(a["status_from"], a["status_to"], a["reason"]) for a in got["audit_trail"]] == [
            ("bot_active", "bot_active", "after_hours_email")
        ]
        assert (await service.list_sessions("pending_manual"))["total"] == 0

        # asking again the same night: the auto-reply again, but no second mail
        again = await chat(service, session, "我要投訴")
        assert ai_text(again) == offline_message(shift, "en")
        assert len(load_jsonl(harness.outbox_path)) == 1

        chinese = await service.new_conversation({"nickname": "夜貓二號"})
        events = await chat(service, chinese, "我要找真人客服")
        assert ai_text(events) == offline_message(shift, "zh-TW")
        assert len(load_jsonl(harness.outbox_path)) == 2
