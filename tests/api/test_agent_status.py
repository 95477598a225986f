"""An agent sets their own availability (`PUT /api/agent/status`), which the workbench shows."""

from __future__ import annotations

import httpx

from tests.api.conftest import bearer, login


def test_an_agent_sets_busy_then_online_and_the_profile_says_so(http: httpx.Client) -> None:
    token = login(http, "agent003")["access_token"]
    try:
        busy = http.put("/api/agent/status", json={"status": "busy"}, headers=bearer(token))
        assert busy.status_code == 200, busy.text
        assert busy.json()["agent"]["status"] == "busy"
        profile = http.get("/api/agent/profile", headers=bearer(token))
        assert profile.json()["agent"]["status"] == "busy"
    finally:
        back = http.put("/api/agent/status", json={"status": "online"}, headers=bearer(token))
    assert back.json()["agent"]["status"] == "online"


def test_a_status_outside_the_three_or_any_other_field_is_refused(http: httpx.Client) -> None:
    token = login(http, "agent003")["access_token"]
    for body in ({"status": "away"}, {"status": "busy", "role": "admin"}, {}):
        answer = http.put("/api/agent/status", json=body, headers=bearer(token))
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["code"] == "VALIDATION_ERROR"
    profile = http.get("/api/agent/profile", headers=bearer(token)).json()["agent"]
    assert profile["status"] == "online" and profile["role"] == "agent"


def test_store_staff_have_no_agent_status(http: httpx.Client, tokens: dict[str, str]) -> None:
    answer = http.put("/api/agent/status", json={"status": "busy"}, headers=bearer(tokens["sales"]))
    assert answer.status_code == 403
    assert answer.json()["code"] == "FORBIDDEN"
