"""`langgraph dev` on our langgraph.json: our graphs, our Redis checkpointer, driven by the SDK."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client

from core.settings import ROOT, Settings
from graphs.checkpoint import redis_checkpointer
from graphs.supervision.shift import ShiftConfig, is_on_duty
from mcp_servers.backoffice.golden import GOLDEN
from tests.mcp_http import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def studio(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Settings]]:
    """The repo's langgraph.json, with absolute paths and a test env file, in a temp dir."""
    workdir = tmp_path_factory.mktemp("studio")
    prefix = f"sbtest-studio-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(update={"redis_key_prefix": prefix})
    env_file = workdir / "test.env"
    env_file.write_text("\n".join([
        f"REDIS_KEY_PREFIX={prefix}", f"DATABASE_URL={settings.database_url}",
        f"BACKOFFICE_DB_PATH={settings.backoffice_db_path}",
        f"SEARCH_INDEX_DIR={settings.search_index_dir}", "LOG_LEVEL=WARNING",
        "CHECKPOINT_TTL_SECONDS=3600",
    ]) + "\n")  # fmt: skip
    config = json.loads((ROOT / "langgraph.json").read_text())
    config["graphs"] = {k: str(ROOT / v.removeprefix("./")) for k, v in config["graphs"].items()}
    config["dependencies"] = [str(ROOT)]
    config["env"] = str(env_file)
    (workdir / "langgraph.json").write_text(json.dumps(config))
    port = free_port()
    log = (workdir / "langgraph-dev.log").open("wb")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/langgraph"), "dev", "--port", str(port), "--no-browser",
         "--no-reload", "--config", str(workdir / "langgraph.json")],
        cwd=workdir, env={**settings_env(), "PYTHONPATH": str(ROOT)}, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, (workdir / "langgraph-dev.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url, settings
    finally:
        server.terminate()
        server.wait(timeout=30)


def settings_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "USER")}


def waiting_step(client: Any, thread_id: str) -> dict[str, Any]:
    state = client.threads.get_state(thread_id)
    interrupts = [i for task in state["tasks"] for i in task["interrupts"]]
    assert len(interrupts) == 1, state
    return interrupts[0]["value"]


def test_studio_lists_our_graphs_and_runs_the_renewal_on_our_redis(
    studio: tuple[str, Settings],
) -> None:
    url, settings = studio
    client = get_sync_client(url=url)
    graphs = {a["graph_id"] for a in client.assistants.search()}
    assert {"renewal", "side_chat", "supervision"} <= graphs

    thread = client.threads.create()
    tid = thread["thread_id"]
    start = {"session_id": tid, "staff_id": "2", "store_id": "S001", "visited": []}
    client.runs.wait(tid, "renewal", input=start)
    first = waiting_step(client, tid)
    assert first["step"] == "query_customer"
    assert first["title"] and first["input_schema"]["type"] == "object"

    client.runs.wait(tid, "renewal", command={"resume": {"id_number": GOLDEN.eligible.national_id}})
    second = waiting_step(client, tid)
    assert second["step"] == "select_phone"
    assert {p["phone_number"] for p in second["show"]["phones"]} >= {GOLDEN.eligible.phone}

    async def saved() -> Any:
        async with redis_checkpointer(settings) as saver:
            return await saver.aget_tuple({"configurable": {"thread_id": tid, "checkpoint_ns": ""}})

    import asyncio

    checkpoint = asyncio.run(saved())
    assert checkpoint is not None
    assert checkpoint.checkpoint["channel_values"]["customer"]["customer_id"] == (
        GOLDEN.eligible.customer_id
    )


def test_studio_runs_the_supervision_graph_to_an_agent_inbox_interrupt(
    studio: tuple[str, Settings],
) -> None:
    url, _ = studio
    client = get_sync_client(url=url)
    tid = client.threads.create()["thread_id"]
    start = {"type": "start", "session_name": tid, "user_profile": {"language": "zh-TW"}}
    client.runs.wait(tid, "supervision", input={"incoming": start})
    client.runs.wait(
        tid,
        "supervision",
        input={"incoming": {"type": "user_message", "content": "我要轉人工客服"}},
    )
    state = client.threads.get_state(tid)
    if not is_on_duty(ShiftConfig(), datetime.now(UTC)):  # the default shift: agents are off
        assert state["values"]["status"] == "bot_active"
        assert state["values"]["mail"]["sent"] is True  # e-mail handoff instead of a queue
        return
    assert state["values"]["status"] == "pending_manual"
    inbox = waiting_step(client, tid)
    assert inbox["action_request"]["action"] == "takeover"
    assert {"allow_respond", "allow_accept", "allow_edit", "allow_ignore"} <= set(inbox["config"])
    assert inbox["description"]
