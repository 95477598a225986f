"""get_tuple, list(limit=1) and delete_thread cost O(that thread), not O(all threads).

Same latency with 100 and with 100,000 other threads under the same prefix, and the saver never
sends SCAN or KEYS (recorded at the connection, so other users of this Redis do not interfere).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.connection import Connection

from graphs.checkpoint import AsyncRedisSaver
from graphs.checkpoint.base import PUT_CHECKPOINT_LUA
from tests.checkpoint.conftest import REDIS_URL, delete_prefix, new_prefix

CHECKPOINT = {
    "v": 1,
    "ts": "2026-01-01T00:00:00+00:00",
    "channel_values": {"messages": ["hello"] * 20, "step": 3},
    "channel_versions": {"messages": "1", "step": "1"},
    "versions_seen": {"n": {"messages": "1"}},
    "updated_channels": None,
}


class RecordingConnection(Connection):
    commands: ClassVar[list[bytes]] = []

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        payload = command if isinstance(command, bytes) else b"".join(command)
        type(self).commands.append(payload)
        await super().send_packed_command(command, check_health)


def _checkpoint(n: int) -> dict[str, Any]:
    return {**CHECKPOINT, "id": f"1f0a0000-0000-6000-8000-{n:012d}"}


def _fill(saver: AsyncRedisSaver, client: Redis, start: int, stop: int) -> None:
    """Other threads, one checkpoint each, written with raw pipelines (no per-call trips)."""
    for first in range(start, stop, 2000):
        with client.pipeline(transaction=False) as pipe:
            for i in range(first, min(first + 2000, stop)):
                config = {"configurable": {"thread_id": f"other-{i}", "checkpoint_ns": ""}}
                call = saver._put_call(config, _checkpoint(i), {"step": i}, {"messages": "1"})
                keys = call.keys
                pipe.execute_command(
                    "EVALSHA", PUT_CHECKPOINT_LUA.sha, len(keys), *keys, *call.args
                )
            pipe.execute()


async def _thread(saver: AsyncRedisSaver, thread: str, checkpoints: int) -> None:
    parent = None
    for n in range(checkpoints):
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        if parent:
            config["configurable"]["checkpoint_id"] = parent
        stored = await saver.aput(
            config, _checkpoint(n), {"step": n}, {"messages": "1", "step": "1"}
        )
        await saver.aput_writes(stored, [("messages", n)], f"task-{n}")
        parent = stored["configurable"]["checkpoint_id"]


async def _median_ms(op: Callable[[], Awaitable[Any]], reps: int = 150) -> float:
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        await op()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def _measure(saver: AsyncRedisSaver) -> dict[str, float]:
    config = {"configurable": {"thread_id": "target", "checkpoint_ns": ""}}

    async def get() -> None:
        assert await saver.aget_tuple(config) is not None

    async def list_one() -> None:
        assert len([t async for t in saver.alist(config, limit=1)]) == 1

    deletes = []
    for rep in range(30):
        await _thread(saver, f"doomed-{rep}", 20)
        started = time.perf_counter()
        await saver.adelete_thread(f"doomed-{rep}")
        deletes.append((time.perf_counter() - started) * 1000)
    return {
        "get_tuple": await _median_ms(get),
        "list_limit_1": await _median_ms(list_one),
        "delete_thread": statistics.median(deletes),
    }


@pytest.mark.slow
async def test_latency_with_100_vs_100k_other_threads(redis_client: Redis) -> None:
    prefix = new_prefix()
    client = AsyncRedis.from_url(REDIS_URL, connection_class=RecordingConnection)
    saver = AsyncRedisSaver(client, key_prefix=prefix)
    await saver.setup()
    try:
        await _thread(saver, "target", 50)
        _fill(saver, redis_client, 0, 100)
        small = await _measure(saver)
        _fill(saver, redis_client, 100, 100_000)
        assert redis_client.exists(f"{prefix}:cp:{{t:other-99999}}:idx")
        RecordingConnection.commands.clear()
        large = await _measure(saver)
        sent = b"".join(RecordingConnection.commands).upper()
        assert b"SCAN" not in sent and b"\r\nKEYS\r\n" not in sent
        print(f"\nmedian ms with 100 / 100k other threads: {small} / {large}")
        for op, base in small.items():
            assert large[op] < max(2.0 * base, base + 0.5), (op, small, large)
    finally:
        await saver.aclose()
        await client.aclose()
        delete_prefix(redis_client, prefix)
