"""The role matrix of the chat, handoff, statistics and side-chat routes.

Callers: store staff (sales, manager), service staff (agent, admin), the customer of session
S (their session token), a customer of another session, and bad tokens. Session S is waiting
for an agent (pending_manual), so allowed callers get a deterministic refusal where a success
would change shared state (409 MANUAL_IN_PROGRESS, MANUAL_NOT_LIVE, ON_DUTY; 404 for agent
actions on an unknown session).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import bearer, forged_token
from tests.api.handoff_support import ALWAYS_ON, Customer, new_customer, on_duty
from tests.api_http import ApiServer

GOOD = ("sales", "manager", "agent", "admin", "customer", "stranger")
BAD = ("none", "expired", "garbage")
NOBODY = "session_0000000000000000"
RENEWAL = "renewal_2_0123456789ab"
STREAMS = {"/stream"}


def row(method: str, path: str, body: dict[str, Any] | None, *codes: int) -> tuple[Any, ...]:
    """codes: sales, manager, agent, admin, customer (own session), stranger."""
    return (method, path, body, dict(zip(GOOD, codes, strict=True)))


# (method, path with {S} for the pending session, body, expected per good caller)
ROUTES = [
    row("POST", "/api/conversation/new", {}, 201, 201, 201, 201, 201, 201),
    row("POST", "/api/chat", {"session_name": "{S}", "message": "在嗎"},
        403, 403, 403, 403, 200, 403),
    row("POST", "/api/chat/stream", {"session_name": "{S}", "message": "在嗎"},
        403, 403, 403, 403, 200, 403),
    row("GET", "/api/sessions/{S}", None, 403, 403, 200, 200, 200, 403),
    row("GET", "/api/sessions/{S}/stream", None, 403, 403, 200, 200, 200, 403),
    row("POST", "/api/manual/escalate", {"session_name": "{S}"}, 403, 403, 409, 409, 409, 403),
    row("POST", "/api/manual/messages", {"session_name": "{S}", "role": "user", "content": "嗨"},
        403, 403, 403, 403, 409, 403),
    row("POST", "/api/manual/messages", {"session_name": "{S}", "role": "agent", "content": "嗨"},
        403, 403, 409, 409, 403, 403),
    row("POST", "/api/sessions/{S}/email", {}, 403, 403, 409, 409, 409, 403),
    row("GET", "/api/sessions", None, 403, 403, 200, 200, 401, 401),
    row("GET", "/api/sessions/stats", None, 403, 403, 200, 200, 401, 401),
    row("POST", f"/api/sessions/{NOBODY}/takeover", {}, 403, 403, 404, 404, 401, 401),
    row("POST", f"/api/sessions/{NOBODY}/transfer", {"to_agent_id": "agent002"},
        403, 403, 404, 404, 401, 401),
    row("POST", f"/api/sessions/{NOBODY}/release", {}, 403, 403, 404, 404, 401, 401),
    row("GET", "/api/shift/config", None, 403, 403, 200, 200, 401, 401),
    row("PUT", "/api/shift/config", ALWAYS_ON, 403, 403, 403, 200, 401, 401),
    row("GET", "/api/agent/stream", None, 403, 403, 200, 200, 401, 401),
    row("GET", "/api/statistics/daily-stats", None, 200, 200, 403, 200, 401, 401),
    row("GET", "/api/statistics/my-dashboard", None, 200, 200, 403, 200, 401, 401),
    row("GET", "/api/statistics/store-rankings", None, 403, 200, 403, 200, 401, 401),
    row("GET", "/api/statistics/staff-list", None, 403, 200, 403, 200, 401, 401),
    row("GET", "/api/statistics/export?report=staff-list", None, 403, 200, 403, 200, 401, 401),
    row("GET", "/api/statistics/export?report=daily-stats", None, 200, 200, 403, 200, 401, 401),
    row("POST", "/api/renewal-workflow/chat/stream", {"session_id": RENEWAL, "message": "?"},
        404, 404, 403, 404, 401, 401),
]  # fmt: skip


@pytest.fixture(scope="module")
def pending(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[tuple[Customer, Customer]]:
    with on_duty(http, tokens["admin"], api_server):
        mine, other = new_customer(http), new_customer(http)
        response = http.post(
            "/api/manual/escalate", headers=mine.headers, json={"session_name": mine.session_name}
        )
        assert response.status_code == 200
        yield mine, other


@pytest.fixture(scope="module")
def callers(
    api_server: ApiServer, tokens: dict[str, str], pending: tuple[Customer, Customer]
) -> dict[str, dict[str, str] | None]:
    mine, other = pending
    return {
        **{role: bearer(tokens[role]) for role in ("sales", "manager", "agent", "admin")},
        "customer": mine.headers,
        "stranger": other.headers,
        "none": None,
        "expired": bearer(forged_token(api_server, role="agent", sub="16")),
        "garbage": bearer("not-a-jwt"),
    }


def call(http: httpx.Client, method: str, path: str, body: Any, headers: Any) -> int:
    if path.endswith("/stream") and method == "GET":  # long-lived: the status is enough
        with http.stream(method, path, headers=headers) as response:
            return response.status_code
    if path.endswith("/chat/stream"):
        with http.stream(method, path, json=body, headers=headers) as response:
            response.read()
            return response.status_code
    return http.request(method, path, json=body, headers=headers).status_code


IDS = [f"{r[0]} {r[1]} {(r[2] or {}).get('role', '')}".strip() for r in ROUTES]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES, ids=IDS)
def test_role_matrix(
    http: httpx.Client,
    callers: dict[str, Any],
    pending: tuple[Customer, Customer],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    name = pending[0].session_name
    path = path.replace("{S}", name)
    body = {
        k: (v.replace("{S}", name) if isinstance(v, str) else v) for k, v in (body or {}).items()
    }
    public = path == "/api/conversation/new"
    wrong = []
    for caller, headers in callers.items():
        want = expected.get(caller, 201 if public else 401)
        got = call(http, method, path, body if method != "GET" else None, headers)
        if got != want:
            wrong.append((caller, want, got))
    assert not wrong, wrong
