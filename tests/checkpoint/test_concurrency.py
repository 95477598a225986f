"""Concurrent put_writes for the same task: every (task, idx) write survives, none duplicates."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from langgraph.checkpoint.serde.types import ERROR, INTERRUPT, RESUME

from graphs.checkpoint import AsyncRedisSaver, RedisSaver
from tests.checkpoint.conftest import REDIS_URL

CHECKPOINT = {
    "v": 1,
    "id": "1f0a0000-0000-6000-8000-000000000001",
    "ts": "2026-01-01T00:00:00+00:00",
    "channel_values": {},
    "channel_versions": {},
    "versions_seen": {},
    "updated_channels": None,
}


async def test_two_savers_writing_one_task_concurrently(
    saver: AsyncRedisSaver, prefix: str
) -> None:
    config = {"configurable": {"thread_id": "race", "checkpoint_ns": ""}}
    stored = await saver.aput(config, dict(CHECKPOINT), {"step": 0}, {})
    async with AsyncRedisSaver.from_url(REDIS_URL, key_prefix=prefix) as other:
        for r in range(25):
            task = f"task-{r}"
            await asyncio.gather(
                saver.aput_writes(stored, [("a", r), ("b", -r)], task, "~p"),
                other.aput_writes(stored, [(INTERRUPT, {"round": r})], task, "~p"),
                other.aput_writes(stored, [(RESUME, "yes")], task, "~p"),
                saver.aput_writes(stored, [(ERROR, "boom")], task, "~p"),
            )
    tup = await saver.aget_tuple(stored)
    assert tup is not None and tup.pending_writes is not None
    assert len(tup.pending_writes) == 25 * 5
    for r in range(25):
        mine = {(c, repr(v)) for t, c, v in tup.pending_writes if t == f"task-{r}"}
        assert mine == {
            ("a", repr(r)),
            ("b", repr(-r)),
            (INTERRUPT, repr({"round": r})),
            (RESUME, "'yes'"),
            (ERROR, "'boom'"),
        }


def test_threads_writing_one_task_in_parallel(sync_saver: RedisSaver, prefix: str) -> None:
    config = {"configurable": {"thread_id": "race-threads", "checkpoint_ns": ""}}
    stored = sync_saver.put(config, dict(CHECKPOINT), {"step": 0}, {})
    barrier = threading.Barrier(2)
    with RedisSaver.from_url(REDIS_URL, key_prefix=prefix) as other:

        def write(saver: RedisSaver, writes: list, round_: int) -> None:
            barrier.wait()
            saver.put_writes(stored, writes, f"task-{round_}", "~p")

        with ThreadPoolExecutor(2) as pool:
            for r in range(25):
                a = pool.submit(write, sync_saver, [("x", r), ("y", r)], r)
                b = pool.submit(write, other, [(INTERRUPT, r), (ERROR, r)], r)
                a.result(), b.result()
    tup = sync_saver.get_tuple(stored)
    assert tup is not None and len(tup.pending_writes or []) == 100


async def test_same_task_and_index_is_written_once(saver: AsyncRedisSaver) -> None:
    config = {"configurable": {"thread_id": "dupe", "checkpoint_ns": ""}}
    stored = await saver.aput(config, dict(CHECKPOINT), {"step": 0}, {})
    await asyncio.gather(*(saver.aput_writes(stored, [("x", i)], "same") for i in range(10)))
    tup = await saver.aget_tuple(stored)
    assert tup is not None and tup.pending_writes is not None
    assert len(tup.pending_writes) == 1 and tup.pending_writes[0][2] in range(10)
