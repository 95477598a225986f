"""Agent identity (issue 15 item 11): the handoff routes accept the login's numeric `agent.id`
(seed 003) as `agent_id`, as well as the username; `GET /api/agent/profile?username=` answers
for that agent, 404 for one who does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.auth.services import Principal
from api.auth.tokens import Claims
from api.handoff.services import names_caller
from tests.api.conftest import SALES, bearer
from tests.api.handoff_support import escalated, on_duty, post
from tests.api_http import ApiServer

ALICE, BOB = {"id": "agent001", "name": "客服小狐"}, {"id": "agent002", "name": "客服小熊"}


def agent_login(http: httpx.Client, username: str) -> dict[str, Any]:
    """Seed 003 `POST /api/agent/login`: `{token, agent: {id, username, ...}}`."""
    response = http.post("/api/agent/login", json={"username": username, "password": "Demo1234"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body["agent"]["id"], int)
    return body


@pytest.fixture(scope="module")
def logins(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[dict[str, dict[str, Any]]]:
    with on_duty(http, tokens["admin"], api_server):
        yield {name: agent_login(http, name) for name in ("agent001", "agent002", "admin")}


def headers(login: dict[str, Any]) -> dict[str, str]:
    return bearer(login["token"])


def test_takeover_and_release_take_the_logins_agent_id(
    http: httpx.Client, logins: dict[str, dict[str, Any]]
) -> None:
    alice = logins["agent001"]
    name = escalated(http).session_name
    took = post(http, f"/api/sessions/{name}/takeover", headers(alice),
                agent_id=alice["agent"]["id"], agent_name=alice["agent"]["name"])  # fmt: skip
    assert took.status_code == 200, took.text
    assert took.json()["data"]["session"]["assigned_agent"] == ALICE
    said = post(http, "/api/manual/messages", headers(alice), session_name=name, role="agent",
                content="您好", agent_id=alice["agent"]["id"])  # fmt: skip
    assert said.status_code == 200, said.text
    released = post(http, f"/api/sessions/{name}/release", headers(alice),
                     agent_id=str(alice["agent"]["id"]), reason="resolved")  # fmt: skip
    assert released.status_code == 200, released.text
    assert released.json()["data"]["status"] == "bot_active"


def test_a_numeric_agent_id_is_checked_like_a_username(
    http: httpx.Client, logins: dict[str, dict[str, Any]]
) -> None:
    alice, bob, admin = logins["agent001"], logins["agent002"], logins["admin"]
    name = escalated(http).session_name
    forged = post(http, f"/api/sessions/{name}/takeover", headers(bob),
                  agent_id=alice["agent"]["id"])  # fmt: skip
    assert forged.status_code == 403
    sales_id = http.post(
        "/api/auth/login", json={"employee_code": SALES, "password": "Demo1234"}
    ).json()["data"]["user"]["id"]
    for nobody in (sales_id, 987654):
        unknown = post(http, f"/api/sessions/{name}/takeover", headers(admin), agent_id=nobody)
        assert unknown.status_code == 404 and unknown.json()["code"] == "AGENT_NOT_FOUND"
    dispatched = post(http, f"/api/sessions/{name}/takeover", headers(admin),
                      agent_id=bob["agent"]["id"])  # fmt: skip
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["data"]["session"]["assigned_agent"] == BOB
    moved = post(http, f"/api/sessions/{name}/transfer", headers(bob),
                 to_agent_id=alice["agent"]["id"])  # fmt: skip
    assert moved.status_code == 200 and moved.json()["data"]["assigned_agent"] == ALICE
    for bad in (0, -3, 1.5, "agent 001", [2]):
        refused = post(http, f"/api/sessions/{name}/release", headers(admin), agent_id=bad)
        assert refused.status_code in (400, 422), (bad, refused.text)
        assert refused.json()["success"] is False
    done = post(http, f"/api/sessions/{name}/release", headers(admin),
                agent_id=alice["agent"]["id"])  # fmt: skip
    assert done.status_code == 200 and done.json()["data"]["status"] == "bot_active"


def test_profile_answers_for_the_named_agent_and_404_for_nobody(
    http: httpx.Client, logins: dict[str, dict[str, Any]]
) -> None:
    alice = logins["agent001"]

    def profile(**params: str) -> httpx.Response:
        return http.get("/api/agent/profile", params=params, headers=headers(alice))

    own = profile()
    assert own.status_code == 200 and own.json()["agent"]["username"] == "agent001"
    other = profile(username="agent002")
    assert other.status_code == 200, other.text
    assert other.json()["agent"]["username"] == "agent002"
    assert other.json()["agent"]["name"] == BOB["name"]
    assert "password_hash" not in other.json()["agent"]
    for nobody in ("nobody", SALES):  # no such agent; a store account is no agent
        missing = profile(username=nobody)
        assert missing.status_code == 404, missing.text
        body = missing.json()
        assert (body["success"], body["code"]) == (False, "AGENT_NOT_FOUND") and body["error"]


def principal(user_id: int, username: str) -> Principal:
    claims = Claims(sub=user_id, role="agent", store_id=None, tid="default", ver=0,
                    type="access", jti="j", sid="s", iat=0, exp=0)  # fmt: skip
    return Principal(user_id, username, "agent", None, claims, "default")


@pytest.mark.parametrize(
    ("agent_id", "is_caller"),
    [
        (16, True),
        ("16", True),
        ("agent001", True),
        (17, False),
        ("17", False),
        ("agent002", False),
    ],
)
def test_names_caller(agent_id: str | int, is_caller: bool) -> None:
    assert names_caller(principal(16, "agent001"), agent_id) is is_caller
