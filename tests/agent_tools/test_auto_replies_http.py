"""Every auto-reply type firing in a real conversation: the API on PostgreSQL, the supervision
graph in it, rules created over HTTP and read by the graph through its cache. Each test owns
its rules and deletes them, so the chats of other tests see none of them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.agent_tools.conftest import ToolsApi
from tests.api.handoff_support import ALWAYS_ON, Customer, new_customer, say, set_shift
from tests.api_http import eventually

RULES = "/api/auto-reply-rules"


@pytest.fixture(scope="module", autouse=True)
def on_duty(tools_api: ToolsApi) -> Iterator[None]:
    set_shift(tools_api.http, tools_api.tokens["admin"], ALWAYS_ON)
    yield


@contextmanager
def rules(api: ToolsApi, *bodies: dict[str, Any]) -> Iterator[list[str]]:
    made = []
    try:
        for body in bodies:
            response = api.http.post(RULES, json=body, headers=api.h("admin"))
            assert response.status_code == 200, response.text
            made.append(response.json()["data"]["id"])
        yield made
    finally:
        for rule_id in made:
            api.http.delete(f"{RULES}/{rule_id}", headers=api.h("admin"))


def history(api: ToolsApi, customer: Customer) -> list[dict[str, Any]]:
    response = api.http.get(f"/api/sessions/{customer.session_name}", headers=api.h("agent"))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["session"]["history"]
    return items


def auto(items: list[dict[str, Any]], rule_type: str) -> list[str]:
    return [m["content"] for m in items if m.get("auto_reply") == rule_type]


def escalate(http: httpx.Client, customer: Customer) -> dict[str, Any]:
    response = http.post(
        "/api/manual/escalate",
        headers=customer.headers,
        json={"session_name": customer.session_name},
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_welcome_on_the_first_message_and_at_the_start(tools_api: ToolsApi) -> None:
    http = tools_api.http
    first = {"type": "welcome", "reply_content": "您好{customer_name}，歡迎光臨電信線上客服！"}
    start = {
        "type": "welcome",
        "trigger_condition": {"event": "conversation_start"},
        "reply_content": "{customer_name}，有任何問題都可以問我",
    }
    with rules(tools_api, first, start):
        customer = new_customer(http, nickname="王小明")
        assert auto(history(tools_api, customer), "welcome") == ["王小明，有任何問題都可以問我"]
        turn = say(http, customer, "請問 5G 吃到飽方案？")
        welcome, _, ai = turn["answer"].partition("\n\n")
        assert welcome == "您好王小明，歡迎光臨電信線上客服！"
        assert "方案" in ai  # the AI still answers the question, after the welcome
        second = say(http, customer, "那 4G 呢？")
        assert "歡迎光臨" not in second["answer"]  # only the first message
        assert auto(history(tools_api, customer), "welcome") == [
            "王小明，有任何問題都可以問我",
            "您好王小明，歡迎光臨電信線上客服！",
        ]


def test_keyword_answers_the_turn_instead_of_the_ai(tools_api: ToolsApi) -> None:
    http = tools_api.http
    body = {
        "type": "keyword",
        "trigger_condition": {"keywords": ["营业时间", "门市地址"]},
        "reply_content": "{customer_name}您好，門市營業時間為每日 11:00-21:30。",
    }
    with rules(tools_api, body):
        customer = new_customer(http, nickname="陳小姐")
        turn = say(http, customer, "請問信義門市地址？")  # 门市 (Simplified) matches 門市
        assert turn["answer"].strip() == "陳小姐您好，門市營業時間為每日 11:00-21:30。"
        assert [e["type"] for e in turn["events"]] == ["message"]  # no AI tokens after it
        assert auto(history(tools_api, customer), "keyword") == [turn["answer"].strip()]
        other = say(http, customer, "5G 方案有哪些？")
        assert "營業時間" not in other["answer"]


def test_delayed_reply_arrives_after_its_delay(tools_api: ToolsApi) -> None:
    http = tools_api.http
    body = {
        "type": "keyword",
        "trigger_condition": {"keywords": ["退貨地址"]},
        "reply_content": "退貨請寄至台北市信義區松高路 19 號",
        "delay_seconds": 2,
    }
    with rules(tools_api, body):
        customer = new_customer(http)
        said_at = time.monotonic()
        turn = say(http, customer, "退貨地址在哪？")
        assert turn["answer"] == ""  # the rule holds the answer back
        assert auto(history(tools_api, customer), "keyword") == []
        assert eventually(lambda: bool(auto(history(tools_api, customer), "keyword")), 10)
        assert time.monotonic() - said_at >= 2
        assert auto(history(tools_api, customer), "keyword") == [
            "退貨請寄至台北市信義區松高路 19 號"
        ]


def test_offline_rule_outside_shift_hours(tools_api: ToolsApi) -> None:
    http, admin = tools_api.http, tools_api.tokens["admin"]
    today = datetime.now(UTC).date()
    off = {**ALWAYS_ON, "holidays": [str(today + timedelta(days=d)) for d in (-1, 0, 1)]}
    body = {
        "type": "offline",
        "reply_content": "{customer_name}您好，現在是非服務時間，我們上班後會盡快回覆。",
    }
    with rules(tools_api, body):
        set_shift(http, admin, off)
        try:
            customer = new_customer(http, nickname="林先生")
            say(http, customer, "你好")
            session = escalate(http, customer)
        finally:
            set_shift(http, admin, ALWAYS_ON)
    assert session["status"] == "bot_active"  # no queue off hours
    assert auto(session["history"], "offline") == [
        "林先生您好，現在是非服務時間，我們上班後會盡快回覆。"
    ]


def test_queue_then_busy_when_every_agent_is_full(tools_api: ToolsApi) -> None:
    http, admin, agent = tools_api.http, tools_api.h("admin"), tools_api.h("agent")
    queue = {"type": "queue", "reply_content": "您目前排在第 {queue_position} 位，請稍候"}
    busy = {"type": "busy", "reply_content": "{customer_name}您好，客服人員皆忙線中"}
    capacity = http.put("/api/agents/agent001", json={"max_sessions": 1}, headers=admin)
    assert capacity.status_code == 200, capacity.text
    try:
        with rules(tools_api, queue, busy):
            waiting = http.get(
                "/api/sessions", params={"status": "pending_manual"}, headers=agent
            ).json()["data"]["total"]
            first = new_customer(http, nickname="第一位")
            say(http, first, "你好")
            first_items = escalate(http, first)["history"]
            assert auto(first_items, "queue") == [f"您目前排在第 {waiting + 1} 位，請稍候"]
            assert auto(first_items, "busy") == []  # agent001 has a free seat
            took = http.post(f"/api/sessions/{first.session_name}/takeover", headers=agent)
            assert took.status_code == 200, took.text  # agent001 is now full (1 of 1)

            second = new_customer(http, nickname="第二位")
            say(http, second, "你好")
            second_items = escalate(http, second)["history"]
            assert auto(second_items, "busy") == ["第二位您好，客服人員皆忙線中"]
            assert auto(second_items, "queue") == [f"您目前排在第 {waiting + 1} 位，請稍候"]
            http.post(f"/api/sessions/{first.session_name}/release", headers=agent)
            http.post(f"/api/sessions/{second.session_name}/close", headers=agent)
    finally:
        http.put("/api/agents/agent001", json={"max_sessions": 5}, headers=admin)


def test_timeout_when_the_customer_is_left_waiting(tools_api: ToolsApi) -> None:
    http, agent = tools_api.http, tools_api.h("agent")
    body = {
        "type": "timeout",
        "trigger_condition": {"wait_seconds": 5},
        "reply_content": "{customer_name}您好，客服正在處理中，請再稍候片刻",
    }
    with rules(tools_api, body):
        left = new_customer(http, nickname="等很久")
        answered = new_customer(http, nickname="有人回")
        for customer in (left, answered):
            say(http, customer, "你好")
            escalate(http, customer)
        took = http.post(f"/api/sessions/{answered.session_name}/takeover", headers=agent)
        assert took.status_code == 200, took.text
        say(http, left, "還有人在嗎？")
        say(http, answered, "還有人在嗎？")
        reply = http.post(
            "/api/manual/messages",
            headers=agent,
            json={"session_name": answered.session_name, "role": "agent", "content": "在的，請說"},
        )
        assert reply.status_code == 200, reply.text
        assert auto(history(tools_api, left), "timeout") == []  # not yet: 5 s
        assert eventually(lambda: bool(auto(history(tools_api, left), "timeout")), 15)
        assert auto(history(tools_api, left), "timeout") == [
            "等很久您好，客服正在處理中，請再稍候片刻"
        ]
        assert auto(history(tools_api, answered), "timeout") == []  # the agent answered
        http.post(f"/api/sessions/{answered.session_name}/release", headers=agent)
        http.post(f"/api/sessions/{left.session_name}/close", headers=agent)
