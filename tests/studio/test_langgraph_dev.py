"""`langgraph dev` on our langgraph.json: our graphs, our Redis checkpointer, driven by the SDK."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import time as clock
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client
from redis.asyncio import Redis

from core.db.migrate import seed
from core.settings import ROOT, Settings
from graphs.checkpoint import redis_checkpointer
from graphs.supervision.shift import WEEKDAYS, ShiftConfig, ShiftWindow
from graphs.supervision.shift_store import ShiftStore
from mcp_servers.backoffice.golden import GOLDEN
from tests.mcp_http import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def studio(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Settings]]:
    """`make studio` as a user runs it: the repo's langgraph.json and `.env` = `.env.example`,
    both verbatim (relative SQLite path, `REDIS_KEY_PREFIX=sb`), in a directory that mirrors
    the checkout. Exported variables isolate the run and must beat `.env`."""
    workdir = tmp_path_factory.mktemp("studio")
    shutil.copy(ROOT / "langgraph.json", workdir / "langgraph.json")
    shutil.copy(ROOT / ".env.example", workdir / ".env")
    (workdir / "graphs").symlink_to(ROOT / "graphs")
    # .env.example's DATABASE_URL (sqlite+aiosqlite:///var/switchboard.db), relative to the cwd
    (workdir / "var").mkdir()
    asyncio.run(seed(f"sqlite+aiosqlite:///{workdir / 'var' / 'switchboard.db'}", app_settings))
    prefix = f"sbtest-studio-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(
        update={
            "redis_key_prefix": prefix,
            "database_url": "sqlite+aiosqlite:///var/switchboard.db",
        }
    )
    exported = {
        "REDIS_KEY_PREFIX": prefix,  # .env says "sb"
        "CHECKPOINT_TTL_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
        # MCP children run in the checkout: give them the test's back office and index
        "BACKOFFICE_DB_PATH": str(settings.backoffice_db_path),
        "SEARCH_INDEX_DIR": str(settings.search_index_dir),
    }
    port = free_port()
    log = (workdir / "langgraph-dev.log").open("wb")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/langgraph"), "dev", "--port", str(port), "--no-browser",
         "--no-reload"],
        cwd=workdir, env={**settings_env(), **exported, "PYTHONPATH": str(ROOT)}, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
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
        text = (workdir / "langgraph-dev.log").read_text(errors="replace")
        assert "BlockingError" not in text, text[-3000:]


def settings_env() -> dict[str, str]:
    """Only the basics: no developer variable leaks into the server."""
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
    client: Any = get_sync_client(url=url)
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

    async def saved(prefix: str) -> Any:
        at = settings.model_copy(update={"redis_key_prefix": prefix})
        async with redis_checkpointer(at) as saver:
            return await saver.aget_tuple({"configurable": {"thread_id": tid, "checkpoint_ns": ""}})

    checkpoint = asyncio.run(saved(settings.redis_key_prefix))
    assert checkpoint is not None, "not under the exported REDIS_KEY_PREFIX"
    assert asyncio.run(saved("sb")) is None, "written under .env's prefix"
    assert checkpoint.checkpoint["channel_values"]["customer"]["customer_id"] == (
        GOLDEN.eligible.customer_id
    )


async def _save_shift(settings: Settings, config: ShiftConfig) -> None:
    """What an admin's `PUT /api/shift/config` stores; Studio's graph reads the same store."""
    redis = Redis.from_url(settings.redis_url)
    try:
        await ShiftStore(redis, settings.redis_key_prefix).save(config)
    finally:
        await redis.aclose()


def test_studio_runs_the_supervision_graph_to_an_agent_inbox_interrupt_and_resumes_it(
    studio: tuple[str, Settings],
) -> None:
    url, settings = studio
    all_day = (ShiftWindow(start=clock(0), end=clock(0)),)  # end == start: a 24 h window
    every_day = ShiftConfig(hours=dict.fromkeys(WEEKDAYS, all_day), weekends_disabled=False)
    asyncio.run(_save_shift(settings, every_day))
    client: Any = get_sync_client(url=url)
    tid = client.threads.create()["thread_id"]
    start = {"type": "start", "session_name": tid, "user_profile": {"language": "zh-TW"}}
    client.runs.wait(tid, "supervision", input={"incoming": start})
    client.runs.wait(
        tid,
        "supervision",
        input={"incoming": {"type": "user_message", "content": "我要轉人工客服"}},
    )
    state = client.threads.get_state(tid)
    assert state["values"]["status"] == "pending_manual"
    inbox = waiting_step(client, tid)
    assert inbox["action_request"]["action"] == "takeover"
    assert {"allow_respond", "allow_accept", "allow_edit", "allow_ignore"} <= set(inbox["config"])
    assert inbox["description"]

    agent = {"id": "agent001", "name": "Agent 001"}
    client.runs.wait(tid, "supervision", command={"resume": {"type": "takeover", "agent": agent}})
    state = client.threads.get_state(tid)
    assert state["values"]["status"] == "manual_live"
    assert state["values"]["assigned_agent"]["id"] == "agent001"
    assert waiting_step(client, tid)  # waits for the agent's next move


def test_studio_side_chat_answers_and_keeps_the_thread_for_the_next_turn(
    studio: tuple[str, Settings],
) -> None:
    url, _ = studio
    client: Any = get_sync_client(url=url)
    tid = client.threads.create()["thread_id"]
    context = {"store_id": "S001", "phone_number": GOLDEN.eligible.phone}
    question = {"role": "user", "content": "這位客戶適合哪些方案？"}
    client.runs.wait(tid, "side_chat", input={"messages": [question], "context": context})
    client.runs.wait(tid, "side_chat", input={"messages": [{"role": "user", "content": "謝謝"}]})
    messages = client.threads.get_state(tid)["values"]["messages"]
    humans = [m["content"] for m in messages if m["type"] == "human"]
    assert humans == ["這位客戶適合哪些方案？", "謝謝"]
    assert messages[-1]["type"] == "ai" and messages[-1]["content"]
