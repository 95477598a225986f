"""Who may call the ticket routes (seed: require_agent), and ticket events on the agents' side."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from redis import Redis

from tests.api.handoff_support import SseReader, is_type, new_customer
from tests.tickets.conftest import Desk
from tests.tickets.support import BODY, create, refused

Call = Callable[[httpx.Client, dict[str, str], dict[str, Any]], httpx.Response]


def _routes() -> dict[str, Call]:
    def tid(t: dict[str, Any]) -> str:
        return f"/api/tickets/{t['ticket_id']}"

    return {
        "create": lambda h, hd, t: h.post("/api/tickets", json=BODY, headers=hd),
        "list": lambda h, hd, t: h.get("/api/tickets", headers=hd),
        "read": lambda h, hd, t: h.get(tid(t), headers=hd),
        "patch": lambda h, hd, t: h.patch(tid(t), json={"version": 1, "title": "改"}, headers=hd),
        "assign": lambda h, hd, t: h.post(
            f"{tid(t)}/assign", json={"assignee_id": "agent001"}, headers=hd
        ),
        "status": lambda h, hd, t: h.post(
            f"{tid(t)}/status", json={"status": "in_progress"}, headers=hd
        ),
        "comment": lambda h, hd, t: h.post(f"{tid(t)}/comments", json={"content": "c"}, headers=hd),
        "session ticket": lambda h, hd, t: h.get("/api/sessions/session_x/ticket", headers=hd),
    }


ROUTES = _routes()


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("part", ["agent", "admin"])
def test_agents_and_admins_may(desk: Desk, route: str, part: str) -> None:
    ticket = create(desk.http, desk.as_("agent"))  # a fresh one: version 1, pending
    response = ROUTES[route](desk.http, desk.as_(part), ticket)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("part", ["sales", "manager"])
def test_store_staff_get_403(desk: Desk, route: str, part: str) -> None:
    ticket = create(desk.http, desk.as_("agent"))
    body = refused(ROUTES[route](desk.http, desk.as_(part), ticket), 403, "FORBIDDEN")
    assert "agent" in body["details"]["allowed_roles"]
    after = desk.http.get(f"/api/tickets/{ticket['ticket_id']}", headers=desk.as_("agent"))
    assert after.json()["data"]["version"] == 1  # nothing was written


def test_customers_and_strangers_get_401(desk: Desk) -> None:
    ticket = create(desk.http, desk.as_("agent"))
    customer = new_customer(desk.http)
    callers = {
        "customer token": {"Authorization": f"Bearer {customer.token}"},
        "no token": {},
        "garbage": {"Authorization": "Bearer not.a.token"},
        "basic": {"Authorization": "Basic YWdlbnQwMDE6RGVtbzEyMzQ="},
    }
    for name, headers in callers.items():
        for route, call in ROUTES.items():
            response = call(desk.http, headers, ticket)
            assert response.status_code == 401, (name, route, response.text)
            assert response.json()["success"] is False
    assert desk.http.get(f"/api/tickets/{ticket['ticket_id']}",
                         headers=desk.as_("agent")).json()["data"]["version"] == 1  # fmt: skip


def test_ticket_events_are_published_to_the_workbench_channel(desk: Desk) -> None:
    """What the hub keeps for the agents' streams (Redis stream of tenant `default`'s
    workbench channel)."""
    prefix = desk.server.env["REDIS_KEY_PREFIX"]
    ticket = create(desk.http, desk.as_("agent"))
    path = f"/api/tickets/{ticket['ticket_id']}"
    desk.http.post(f"{path}/assign", json={"assignee_id": "agent002"}, headers=desk.as_("agent"))
    desk.http.post(f"{path}/comments", json={"content": "內部", "is_internal": True},
                   headers=desk.as_("agent"))  # fmt: skip
    redis = Redis.from_url(desk.server.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        rows = redis.xrevrange(f"{prefix}:t:default:events:workbench", count=50)
    finally:
        redis.close()
    events = [json.loads(fields[b"d"]) for _, fields in rows]
    mine = [e for e in reversed(events) if e.get("ticket_id") == ticket["ticket_id"]]
    assert [e["action"] for e in mine] == ["created", "assigned", "commented"]
    assigned = mine[1]
    assert assigned["type"] == "ticket" and assigned["assignee_id"] == "agent002"
    assert assigned["version"] == 2 and assigned["operator"]["id"] == "agent001"
    assert assigned["ticket_number"] == ticket["ticket_number"]
    assert "content" not in mine[2]  # events carry ids, clients re-read the ticket


def test_a_ticket_event_reaches_the_agent_stream(desk: Desk) -> None:
    stream = SseReader(desk.server.url, "/api/agent/stream", desk.as_("agent_2")).start()
    try:
        ticket = create(desk.http, desk.as_("agent"))
        got = stream.until(is_type("ticket", ticket_id=ticket["ticket_id"]), timeout=5)
        assert got[-1].data["action"] == "created" and got[-1].id
    finally:
        stream.close()
