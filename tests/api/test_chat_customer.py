"""The customer side over real HTTP: anonymous sessions, session tokens, chat turns (JSON and
SSE), escalation by keyword, messages while a human is involved, limits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import bearer, parse_sse
from tests.api.handoff_support import (
    fake_ip,
    new_customer,
    on_duty,
    say,
    session_of,
)
from tests.api_http import ApiServer


@pytest.fixture(scope="module", autouse=True)
def agents_on_duty(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[None]:
    with on_duty(http, tokens["admin"], api_server):
        yield


def test_a_new_conversation_gives_a_session_and_its_own_token(http: httpx.Client) -> None:
    response = http.post(
        "/api/conversation/new",
        json={
            "user_profile": {"nickname": "訪客A", "vip": True, "language": "zh-TW", "shoe_size": 44}
        },
        headers=fake_ip(),
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "bot_active" and data["session_name"].startswith("session_")
    assert data["token_type"] == "customer" and data["expires_in"] == 24 * 3600
    assert data["user_profile"]["nickname"] == "訪客A" and data["user_profile"]["vip"] is True
    assert "shoe_size" not in data["user_profile"]
    me = http.get("/api/auth/me", headers=bearer(data["token"]))
    assert me.status_code == 401  # a customer token is no staff token
    assert http.post("/api/conversation/new", headers=fake_ip()).status_code == 201  # no body


def test_chat_answers_json_with_the_turns_events(http: httpx.Client) -> None:
    customer = new_customer(http)
    turn = say(http, customer, "你好，請問你們有哪些吃到飽方案？")
    assert turn["status"] == "bot_active" and turn["answer"]
    assert [e["type"] for e in turn["events"]] == ["message"]  # tokens merged into one
    assert turn["events"][0]["content"] == turn["answer"]
    history = session_of(http, customer.session_name, customer.headers)["session"]["history"]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["content"] == turn["answer"]


def test_chat_stream_keeps_the_seed_event_format(http: httpx.Client) -> None:
    customer = new_customer(http)
    body = {"session_name": customer.session_name, "message": "請問 5G 吃到飽多少錢？"}
    response = http.post("/api/chat/stream", json=body, headers=customer.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    sse = parse_sse(response.text)
    names = [e["event"] for e in sse.events]
    assert names[-1] == "done" and set(names[:-1]) == {"message"} and len(names) > 2
    assert sse.events[-1]["data"] == {"type": "done", "content": ""}
    assert all(set(e["data"]) == {"type", "content"} for e in sse.events)
    assert [e["id"] for e in sse.events] == list(range(1, len(sse.events) + 1))
    answer = "".join(e["data"]["content"] for e in sse.events[:-1])
    history = session_of(http, customer.session_name, customer.headers)["session"]["history"]
    assert history[-1] == {**history[-1], "role": "assistant", "content": answer}


def test_keyword_escalation_then_messages_wait_for_the_agent(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    customer = new_customer(http)
    turn = say(http, customer, "上個月帳單多扣了兩百，我要投訴！")
    assert turn["status"] == "pending_manual" and turn["answer"] == ""
    change = next(e for e in turn["events"] if e["type"] == "status_change")
    assert change["status"] == "pending_manual" and change["reason"] == "keyword"
    waiting = say(http, customer, "我等一下")
    assert waiting["status"] == "pending_manual" and waiting["answer"] == ""
    assert waiting["events"][0]["type"] == "manual_message"
    assert waiting["events"][0]["role"] == "user"
    live_only = http.post(
        "/api/manual/messages",
        headers=customer.headers,
        json={"session_name": customer.session_name, "role": "user", "content": "有人嗎"},
    )
    assert live_only.status_code == 409 and live_only.json()["code"] == "MANUAL_NOT_LIVE"
    queue = http.get(
        "/api/sessions",
        params={"status": "pending_manual", "keyword": customer.session_name},
        headers=bearer(tokens["agent"]),
    )
    assert [s["session_name"] for s in queue.json()["data"]["items"]] == [customer.session_name]
    assert queue.json()["data"]["items"][0]["last_message_preview"] == "我等一下"


def test_a_session_token_opens_only_its_own_session(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    mine, other = new_customer(http), new_customer(http)
    body = {"session_name": other.session_name, "message": "hi"}
    refused = http.post("/api/chat", json=body, headers=mine.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    assert http.get(f"/api/sessions/{other.session_name}", headers=mine.headers).status_code == 403
    agent = http.post("/api/chat", json=body, headers=bearer(tokens["agent"]))
    assert agent.status_code == 403  # agents speak through /api/manual/messages
    assert http.post("/api/chat", json=body).status_code == 401
    assert http.post("/api/chat", json=body, headers=bearer("x.y.z")).status_code == 401
    sales = http.get(f"/api/sessions/{other.session_name}", headers=bearer(tokens["sales"]))
    assert sales.status_code == 403


def test_refusals_before_anything_runs(http: httpx.Client, tokens: dict[str, str]) -> None:
    customer = new_customer(http)
    name = customer.session_name
    empty = http.post(
        "/api/chat", json={"session_name": name, "message": "   "}, headers=customer.headers
    )
    assert empty.status_code == 400
    long = http.post(
        "/api/chat", json={"session_name": name, "message": "長" * 4001}, headers=customer.headers
    )
    assert long.status_code in (400, 422)
    extra = http.post(
        "/api/chat", json={"session_name": name, "message": "hi", "x": 1}, headers=customer.headers
    )
    assert extra.status_code == 422
    history = session_of(http, name, customer.headers)["session"]["history"]
    assert history == []


def test_new_conversations_are_limited_per_client_ip(http: httpx.Client) -> None:
    ip = fake_ip()
    answers = [http.post("/api/conversation/new", headers=ip).status_code for _ in range(31)]
    assert answers[:30] == [201] * 30 and answers[30] == 429
    refused = http.post("/api/conversation/new", headers=ip)
    assert refused.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert http.post("/api/conversation/new", headers=fake_ip()).status_code == 201


def test_chat_is_limited_to_20_messages_a_minute_per_session(http: httpx.Client) -> None:
    customer = new_customer(http)
    for n in range(20):
        say(http, customer, f"第 {n} 則：謝謝")
    body = {"session_name": customer.session_name, "message": "第 21 則"}
    refused = http.post("/api/chat/stream", json=body, headers=customer.headers)
    assert refused.status_code == 429 and refused.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["details"]["retry_after"] == int(refused.headers["Retry-After"])
    other = new_customer(http)  # another session is not affected
    assert say(http, other, "你好")["status"] == "bot_active"
