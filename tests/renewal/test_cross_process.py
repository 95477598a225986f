"""The README journey: each of the 10 steps resumed by a new OS process (state in Redis)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from core.settings import ROOT, Settings
from mcp_servers.backoffice.golden import GOLDEN
from tools.mcp import server_env

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_backoffice")]


@pytest.fixture
def cli_env(app_settings: Settings, http_urls: dict[str, str]) -> dict[str, str]:
    env = server_env(app_settings)
    env.update({f"MCP_{name.upper()}_URL": url for name, url in http_urls.items()})
    env.update(DATABASE_URL=app_settings.database_url, CHECKPOINT_TTL_SECONDS="3600",
               LOG_LEVEL="WARNING")  # fmt: skip
    return env


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "graphs.renewal", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_golden_customer_renews_with_a_device_one_process_per_step(
    cli_env: dict[str, str],
) -> None:
    view = cli(cli_env, "start", "--staff", "2", "--store", "S001")
    sid = view["session_id"]
    pids = set()
    script = [
        ("query_customer", {"id_number": GOLDEN.eligible.national_id}),
        ("select_phone", {"phone_number": GOLDEN.eligible.phone}),
        ("select_device_type", {"device_type": "smartphone"}),
        ("select_device_os", {"os_type": "ios"}),
        ("select_device", {"device_id": GOLDEN.device.device_id, "color": GOLDEN.device.color}),
        ("list_plans", {}),
        ("select_plan", None),  # filled from the plans the previous step showed
        ("confirm", {"confirmed": True}),
        ("submit", {"submit": True}),
    ]
    for step, value in script:
        assert view["current_step"] == step
        if value is None:
            value = {"plan_id": view["waiting"]["show"]["plans"][0]["plan_id"]}
        view = cli(cli_env, "answer", sid, step, json.dumps(value, ensure_ascii=False))
        pids.add(view.get("session_id"))
    assert view["outcome"] == "completed"
    assert view["selections"]["submission"]["reservation"]["device_id"] == GOLDEN.device.device_id
    assert view["selections"]["selected_plan"]["plan_id"]
    final = cli(cli_env, "show", sid)
    assert final["outcome"] == "completed"
