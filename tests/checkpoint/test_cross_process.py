"""Interrupt in one OS process, resume with Command(resume=...) in another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from graphs.checkpoint import AsyncRedisSaver
from tests.checkpoint.conftest import ON_BOTH, Store

ROOT = Path(__file__).resolve().parents[2]


def _run(store: Store, prefix: str, *args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "REDIS_URL": store.url,
        "REDIS_CLUSTER": str(store.cluster).lower(),
        "REDIS_KEY_PREFIX": prefix,
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.checkpoint.sample_graphs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@ON_BOTH
async def test_interrupt_in_one_process_resume_in_another(prefix: str, store: Store) -> None:
    started = _run(store, prefix, "start", "xproc")
    assert started == {"interrupts": [{"question": "approve renewal?"}]}

    async with AsyncRedisSaver.from_url(
        store.url, key_prefix=prefix, cluster=store.cluster
    ) as saver:
        paused = await saver.aget_tuple(
            {"configurable": {"thread_id": "xproc", "checkpoint_ns": ""}}
        )
        assert paused is not None
        assert paused.checkpoint["channel_values"]["steps"] == ["prepare"]

    resumed = _run(store, prefix, "resume", "xproc", "approved")
    assert resumed == {
        "result": {"name": "renewal", "answer": "approved", "steps": ["prepare", "ask", "finish"]},
        "next": [],
    }
