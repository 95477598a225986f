"""A renewal session outlives its API process: kill -9 mid-journey, restart, carry on.

The graph's checkpoints and the token denylist live in Redis and the accounts in the database,
so nothing the staff member holds (session id, access token) depends on the process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from tests.api.conftest import HttpJourney, login
from tests.api_http import ApiServer, api_env, start_api, stop_api
from tests.mcp_http import free_port, wait_for_port

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_backoffice")]


def test_session_resumes_after_sigkill_and_restart(app_settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    env = api_env(app_settings, port, stdio_mcp=False)
    log = tmp_path / "api.log"
    first = start_api(env, log)
    try:
        wait_for_port(port, first, timeout=120)
        server = ApiServer(f"http://127.0.0.1:{port}", first, env, log)
        with server.client() as http:
            j = HttpJourney(http, login(http, "E2001")["access_token"])
            j.start()
            j.to_device_type()
            j.step("step/select-device-type", device_type="smartphone")
            before = j.view
    finally:
        stop_api(first, hard=True)
    assert first.returncode == -9

    second = start_api(env, log)
    try:
        wait_for_port(port, second, timeout=120)
        with server.client() as http:
            j.http = http  # same token, same session id, new process
            got = http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers)
            assert got.status_code == 200, got.text
            assert got.json()["data"] == before
            j.step("step/select-device-os", os_type="ios")
            device = next(d for d in j.show["devices"] if d["in_stock"])
            color = next(c["color"] for c in device["colors"] if c["available"])
            j.step("step/select-device", device_id=device["device_id"], color=color)
            j.stream("step/list-plans")
            j.step("step/select-plan", plan_id=j.show["plans"][0]["plan_id"])
            j.step("step/confirm", confirmed=True)
            done = j.step("submit", submit=True)
            assert done["outcome"] == "completed"
            assert done["store_id"] == "S002"
    finally:
        stop_api(second)
