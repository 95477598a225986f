"""`langgraph dev` with langgraph.json naming our factory, graphs.checkpoint.redis_checkpointer.

A temporary langgraph.json (never the repo's) points at tests/checkpoint/sample_graphs.py:graph
(compiled without a checkpointer) and at our factory; the server runs in a temp dir on a free
port with REDIS_KEY_PREFIX set to a test prefix. Through langgraph_sdk: run to the interrupt,
resume, check the final state, then check the thread's keys are in Redis under that prefix.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_sync_client
from redis import Redis

from tests.checkpoint.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = ROOT / ".venv" / "bin" / "langgraph"


def _free_port() -> int:
    if port := os.environ.get("SB_TEST_LANGGRAPH_PORT"):
        return int(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"langgraph dev exited with {server.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev not ready after {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "checkpointer_path",
    [
        "graphs.checkpoint.redis_checkpointer",
        str(ROOT / "graphs" / "checkpoint" / "__init__.py") + ":redis_checkpointer",
    ],
    ids=["module-path", "file-path"],
)
def test_langgraph_dev_runs_on_redis_checkpointer(
    tmp_path: Path, prefix: str, redis_client: Redis, checkpointer_path: str
) -> None:
    config = {
        "dependencies": [str(ROOT)],
        "graphs": {"approval": str(ROOT / "tests" / "checkpoint" / "sample_graphs.py") + ":graph"},
        # langgraph-api 0.16.7 imports a non-file checkpointer path with rsplit("."), so the
        # module form is "package.module.attr"; "graphs.checkpoint:redis_checkpointer" would
        # be read as attribute "checkpoint:redis_checkpointer" of package "graphs".
        "checkpointer": {"path": checkpointer_path},
    }
    (tmp_path / "langgraph.json").write_text(json.dumps(config))
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(LANGGRAPH), "dev", "--port", str(port), "--no-browser", "--no-reload"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server, log)
        client = get_sync_client(url=url)
        thread = client.threads.create()
        thread_id = thread["thread_id"]
        paused = client.runs.wait(thread_id, "approval", input={"name": "renewal"})
        assert paused["__interrupt__"][0]["value"] == {"question": "approve renewal?"}
        state = client.threads.get_state(thread_id)
        assert state["next"] == ["ask"]

        final = client.runs.wait(thread_id, "approval", command={"resume": "approved"})
        assert final == {
            "name": "renewal",
            "answer": "approved",
            "steps": ["prepare", "ask", "finish"],
        }
        state = client.threads.get_state(thread_id)
        assert state["values"]["steps"] == ["prepare", "ask", "finish"] and state["next"] == []
        history = client.threads.get_history(thread_id, limit=20)
        assert len(history) >= 5

        assert "Using custom checkpointer: AsyncRedisSaver" in log.read_text()
        keys = {
            k.decode() for k in redis_client.scan_iter(match=f"{prefix}:cp:{{t:{thread_id}}}:*")
        }
        suffixes = {k.rsplit(":", 1)[1] for k in keys}
        assert {"idx", "cp", "cv", "blob", "w", "wi"} <= suffixes, keys
        assert redis_client.zcard(f"{prefix}:cp:{{t:{thread_id}}}:idx") == len(history)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
