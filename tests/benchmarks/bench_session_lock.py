"""The renewal session lock's client CPU per click, by way of taking it (issue 24, sixth pass).

Run: .venv/bin/python -m tests.benchmarks.bench_session_lock [--ops 400] [--reps 7]

One process, uvloop, the machine's Redis, one saved checkpoint (a waiting session of ~8 KB):
per op a click's lock-and-read part, `lock, read, release`, on the event loop thread's clock
(`time.thread_time`), the ways alternating rep by rep:

- `own trip`: `SessionLocks.acquire` (its own round trip through redis-py), the read, the
  release through redis-py (session 15's click);
- `rides read`: `take`, the read carrying it (`RenewalFlow.read(ahead=)` does the same),
  `settle`, the release through redis-py;
- `rides read, saver release`: the same, the release on the saver's transport (`trips`, what a
  click does now).

The read is `ReadOnceSaver.aget_tuple` after `arm`, as `RenewalFlow.read` makes it; the release
is `HeldLock.release`. Printed: best / median µs per op and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import uvloop
from langgraph.checkpoint.base import empty_checkpoint
from redis.asyncio import Redis

from api.renewal.locks import SessionLocks
from graphs.checkpoint import AsyncRedisSaver
from graphs.renewal.reads import ReadOnceSaver, arm

REDIS = "redis://127.0.0.1:6379/0"


async def main(ops: int, reps: int) -> None:
    prefix = f"sb-bench-lock-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(REDIS)
    async with AsyncRedisSaver.from_url(REDIS, key_prefix=prefix, ttl_seconds=600) as inner:
        saver = ReadOnceSaver(inner)
        locks = SessionLocks(redis, prefix)
        on_saver = SessionLocks(redis, prefix, trips=inner.redis)
        thread = f"renewal_2_{uuid.uuid4().hex[:12]}"
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        checkpoint = empty_checkpoint()
        checkpoint["channel_values"] = {f"k{i}": "x" * 400 for i in range(20)}
        await inner.aput(config, checkpoint, {"source": "loop", "step": 1}, {})  # type: ignore[arg-type]

        async def own_trip() -> None:
            held = await locks.acquire(thread)
            arm(thread)
            await saver.aget_tuple(config)  # type: ignore[arg-type]
            await held.release()

        def rides_read(locks: SessionLocks) -> Callable[[], Awaitable[None]]:
            async def click() -> None:
                take = locks.take(thread)
                arm(thread, take)
                await saver.aget_tuple(config)  # type: ignore[arg-type]
                await locks.settle(take).release()

            return click

        ways: dict[str, Callable[[], Awaitable[None]]] = {
            "own trip": own_trip,
            "rides read": rides_read(locks),
            "rides read, saver release": rides_read(on_saver),
        }
        spent: dict[str, list[float]] = {name: [] for name in ways}
        for way in ways.values():  # connections, scripts
            for _ in range(50):
                await way()
        for _ in range(reps):
            for name, way in ways.items():
                started = time.thread_time()
                for _ in range(ops):
                    await way()
                spent[name].append((time.thread_time() - started) / ops * 1e6)
        for name, us in spent.items():
            print(
                f"{name:26s} best {min(us):6.1f} / median {statistics.median(us):6.1f} µs a click"
            )
        print(f"load average: {os.getloadavg()}")
        await inner.adelete_thread(thread)
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=400)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    uvloop.run(main(args.ops, args.reps))
