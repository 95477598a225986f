"""Cancel and close over real HTTP (issue 15 item 9): `POST /api/manual/cancel` (the customer
stops waiting: pending_manual → bot_active) and `POST /api/sessions/{s}/close` (customer or
agent: → closed), with their events on the customer's and the agents' streams, audit rows, the
queue, the agent's capacity, and 409s in the wrong status."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import bearer, login
from tests.api.handoff_support import (
    Customer,
    SseReader,
    escalated,
    is_type,
    new_customer,
    on_duty,
    post,
    say,
    session_of,
    staff_headers,
)
from tests.api_http import ApiServer

NOBODY = "session_0000000000000000"


@pytest.fixture(scope="module")
def staff(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[dict[str, dict[str, str]]]:
    with on_duty(http, tokens["admin"], api_server):
        yield staff_headers(http, tokens)


def cancel(http: httpx.Client, customer: Customer, headers: dict[str, str]) -> httpx.Response:
    return post(http, "/api/manual/cancel", headers, session_name=customer.session_name)


def close(http: httpx.Client, name: str, headers: dict[str, str]) -> httpx.Response:
    return http.post(f"/api/sessions/{name}/close", headers=headers)


def queued(http: httpx.Client, headers: dict[str, str], status: str, name: str) -> bool:
    """Whether the agents' queue lists session `name` under `status`."""
    params: dict[str, str | int] = {"status": status, "keyword": name, "page_size": 100}
    listed = http.get("/api/sessions", params=params, headers=headers).json()["data"]
    return name in [item["session_name"] for item in listed["items"]]


def trail(http: httpx.Client, name: str, headers: dict[str, str]) -> list[tuple[Any, ...]]:
    rows = session_of(http, name, headers)["audit_trail"]
    return [(a["status_from"], a["status_to"], a["reason"], a["operator"]) for a in rows]


def test_the_customer_cancels_a_pending_escalation(
    http: httpx.Client, api_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    customer = escalated(http)
    name = customer.session_name
    assert queued(http, staff["alice"], "pending_manual", name)
    own = SseReader(api_server.url, f"/api/sessions/{name}/stream", customer.headers).start()
    desk = SseReader(api_server.url, "/api/agent/stream", staff["alice"]).start()
    try:
        answered = cancel(http, customer, customer.headers)
        assert answered.status_code == 200, answered.text
        session = answered.json()["data"]
        assert (session["status"], session["assigned_agent"]) == ("bot_active", None)
        back = is_type("status_change", status="bot_active", reason="escalation_cancelled")
        assert own.until(back)[-1].data["reason"] == "escalation_cancelled"
        seen = desk.until(lambda e: back(e) and e.data.get("session_name") == name)
        assert seen[-1].data["session_name"] == name
    finally:
        own.close()
        desk.close()
    assert not queued(http, staff["alice"], "pending_manual", name)
    assert queued(http, staff["alice"], "bot_active", name)
    assert trail(http, name, customer.headers)[-1] == (
        "pending_manual",
        "bot_active",
        "escalation_cancelled",
        "user",
    )
    assert say(http, customer, "那我自己問 AI：4G 方案呢？")["answer"]  # the AI answers again
    twice = cancel(http, customer, customer.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "INVALID_TRANSITION"
    assert twice.json()["success"] is False


def test_cancel_is_refused_outside_a_pending_escalation(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    idle = new_customer(http)
    refused = cancel(http, idle, idle.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "INVALID_TRANSITION"

    live = escalated(http)
    took = post(http, f"/api/sessions/{live.session_name}/takeover", staff["alice"])
    assert took.status_code == 200, took.text
    during = cancel(http, live, live.headers)
    assert during.status_code == 409 and during.json()["code"] == "INVALID_TRANSITION"
    assert session_of(http, live.session_name, live.headers)["session"]["status"] == "manual_live"
    assert close(http, live.session_name, staff["alice"]).status_code == 200

    stranger = new_customer(http)
    other = escalated(http)
    assert cancel(http, other, stranger.headers).status_code == 403
    missing = post(http, "/api/manual/cancel", staff["alice"], session_name=NOBODY)
    assert missing.status_code == 404 and missing.json()["code"] == "SESSION_NOT_FOUND"
    by_agent = cancel(http, other, staff["bob"])  # an agent may give up for the customer
    assert by_agent.status_code == 200 and by_agent.json()["data"]["status"] == "bot_active"
    assert trail(http, other.session_name, staff["bob"])[-1][2:] == (
        "escalation_cancelled",
        "agent002",
    )


def test_the_customer_closes_and_the_chat_is_over(
    http: httpx.Client, api_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    customer = escalated(http)
    name = customer.session_name
    own = SseReader(api_server.url, f"/api/sessions/{name}/stream", customer.headers).start()
    desk = SseReader(api_server.url, "/api/agent/stream", staff["bob"]).start()
    try:
        answered = close(http, name, customer.headers)
        assert answered.status_code == 200, answered.text
        assert answered.json()["data"]["status"] == "closed"
        ended = is_type("status_change", status="closed", reason="closed")
        assert own.until(ended)
        assert desk.until(lambda e: ended(e) and e.data.get("session_name") == name)
    finally:
        own.close()
        desk.close()
    assert not queued(http, staff["bob"], "pending_manual", name)
    assert queued(http, staff["bob"], "closed", name)
    assert trail(http, name, customer.headers)[-1] == ("pending_manual", "closed", "closed", "user")
    chat = http.post(
        "/api/chat", json={"session_name": name, "message": "還在嗎"}, headers=customer.headers
    )
    assert chat.status_code == 409 and chat.json()["code"] == "SESSION_CLOSED"
    again = close(http, name, customer.headers)
    assert again.status_code == 409 and again.json()["code"] == "SESSION_CLOSED"
    late = post(http, f"/api/sessions/{name}/takeover", staff["alice"])
    assert late.status_code == 409 and late.json()["code"] == "SESSION_CLOSED"
    assert cancel(http, customer, customer.headers).json()["code"] == "SESSION_CLOSED"


def test_closing_a_live_chat_frees_the_agents_capacity(
    http: httpx.Client, tokens: dict[str, str], staff: dict[str, dict[str, str]]
) -> None:
    """An agent with room for one chat: a second takeover is refused until the first is
    closed; only the agent holding a live chat may close it."""
    username = f"cap{uuid.uuid4().hex[:8]}"
    created = http.post(
        "/api/agents",
        json={"username": username, "password": "Welcome2026", "name": "單線客服",
              "max_sessions": 1},
        headers=bearer(tokens["admin"]),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    solo = bearer(login(http, username, "Welcome2026")["access_token"])
    first, second = escalated(http), escalated(http)
    assert post(http, f"/api/sessions/{first.session_name}/takeover", solo).status_code == 200
    full = post(http, f"/api/sessions/{second.session_name}/takeover", solo)
    assert full.status_code == 409 and full.json()["code"] == "AGENT_AT_CAPACITY"

    not_mine = close(http, first.session_name, staff["alice"])
    assert not_mine.status_code == 403 and not_mine.json()["code"] == "NOT_ASSIGNED_AGENT"
    closed = close(http, first.session_name, solo)
    assert closed.status_code == 200, closed.text
    assert closed.json()["data"]["status"] == "closed"
    assert trail(http, first.session_name, solo)[-1] == (
        "manual_live",
        "closed",
        "closed",
        username,
    )
    took = post(http, f"/api/sessions/{second.session_name}/takeover", solo)
    assert took.status_code == 200, took.text
    by_admin = close(http, second.session_name, staff["admin"])  # admins close any chat
    assert by_admin.status_code == 200 and by_admin.json()["data"]["status"] == "closed"


def test_an_agent_closes_a_waiting_chat(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    customer = escalated(http)
    closed = close(http, customer.session_name, staff["bob"])
    assert closed.status_code == 200 and closed.json()["data"]["status"] == "closed"
    assert trail(http, customer.session_name, staff["bob"])[-1][3] == "agent002"
    stranger = new_customer(http)
    other = escalated(http)
    assert close(http, other.session_name, stranger.headers).status_code == 403
    missing = close(http, NOBODY, staff["bob"])
    assert missing.status_code == 404 and missing.json()["code"] == "SESSION_NOT_FOUND"
    assert close(http, other.session_name, {}).status_code == 401
