"""A crashed Promotion server, over the real API with its real stdio children.

`kill -9` of the Promotion child, then a customer's chat turn and a renewal's list-plans that
need it: the answer arrives, the client heard a `status` ("reconnecting") event before it, and
the time from the kill to the answer stays within a few seconds (the spare child of
`MCP_STANDBY_SERVERS` takes over; printed). `tests/benchmarks/bench_mcp_restart.py` measures
the restart itself, with and without a spare.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from tests.api.conftest import SALES, HttpJourney, login, parse_sse
from tests.api.handoff_support import new_customer
from tests.api_http import ApiServer, running_api
from tests.mcp_http import child_pids

MODULE = "mcp_servers.promotion"
# The API here waits up to CALL_TIMEOUT for an MCP call: a call left waiting on the dead child
# waits that out, a resend on the new child answers in ~1-2 s (4.1 s seen with the 2 cores 4-6x
# oversubscribed, 7.6 s with the test workers beside a 50-staff benchmark). Not a speed target:
# the bound tells "resent" from "timed out", with room for a loaded box.
CALL_TIMEOUT_SECONDS = 30
ANSWER_WITHIN_SECONDS = 20.0


@pytest.fixture
def standby_api(app_settings: Settings, tmp_path: Path) -> Iterator[ApiServer]:
    with (
        running_api(
            app_settings,
            tmp_path / "api.log",
            stdio_mcp=True,  # the children it restarts
            MCP_STANDBY_SERVERS='["promotion"]',
            MCP_CALL_TIMEOUT_SECONDS=str(CALL_TIMEOUT_SECONDS),
            REDIS_KEY_PREFIX=f"sbtest-mcprestart-{uuid.uuid4().hex[:8]}",
        ) as server
    ):
        yield server


def log_lines(server: ApiServer, event: str) -> list[dict[str, Any]]:
    found = []
    for line in server.log.read_text(errors="replace").splitlines():
        if f'"{event}"' in line:
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
    return found


def wait_for_spare(server: ApiServer, ready_before: int, timeout: float = 90) -> None:
    """Until the API logged one more `mcp_standby_ready` than `ready_before`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(log_lines(server, "mcp_standby_ready")) > ready_before:
            return
        time.sleep(0.2)
    raise TimeoutError("the spare Promotion server did not start")


def _started(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def kill_serving_child(server: ApiServer) -> float:
    """kill -9 the Promotion child that serves (the older one; the newer is the spare)."""
    pids = child_pids(MODULE, parent=server.process.pid)
    assert len(pids) == 2, pids
    serving = min(pids, key=_started)
    os.kill(serving, signal.SIGKILL)
    return time.monotonic()


def event_names(body: str) -> list[str]:
    return [e["event"] for e in parse_sse(body).events]


def test_a_killed_promotion_server_costs_a_status_event_not_silence(
    standby_api: ApiServer,
) -> None:
    with standby_api.client() as http:
        wait_for_spare(standby_api, 0)
        customer = new_customer(http, nickname="問方案的客人")
        turn = {"session_name": customer.session_name, "message": "有哪些吃到飽優惠方案？"}

        killed = kill_serving_child(standby_api)
        response = http.post("/api/chat/stream", json=turn, headers=customer.headers)
        chat_seconds = time.monotonic() - killed
        assert response.status_code == 200, response.text
        sse = parse_sse(response.text)
        names = event_names(response.text)
        assert "message" in names and names[-1] == "done", sse.raw
        statuses = sse.named("status")
        assert statuses and statuses[0]["status"] == "reconnecting", sse.raw
        assert statuses[0]["service"] == "promotion", sse.raw
        assert names.index("status") < names.index("message"), names
        answer = "".join(e["content"] for e in sse.named("message"))
        assert "P0" in answer or "方案" in answer, answer  # the search's plans, not an apology

        # a renewal step that needs the (restarted) Promotion server: list-plans
        wait_for_spare(standby_api, 1)
        journey = HttpJourney(http, login(http, SALES)["access_token"])
        journey.start()
        journey.to_device_type()
        journey.step("step/select-device-type", device_type="none")
        killed = kill_serving_child(standby_api)
        plans = journey.stream("step/list-plans")
        plans_seconds = time.monotonic() - killed
        names = [e["event"] for e in plans.events]
        assert "status" in names and "complete" in names, plans.raw
        assert names.index("status") < names.index("complete"), names
        assert plans.named("status")[0]["status"] == "reconnecting"
        assert journey.view["current_step"] == "select_plan" and journey.show["plans"]

        restarts = [line.get("seconds") for line in log_lines(standby_api, "mcp_restarted")]
        print(
            f"\nkill -9 -> chat answer {chat_seconds:.2f} s, -> list-plans {plans_seconds:.2f} s;"
            f" server swaps {restarts} s"
        )
        assert chat_seconds <= ANSWER_WITHIN_SECONDS, chat_seconds
        assert plans_seconds <= ANSWER_WITHIN_SECONDS, plans_seconds
