"""The due sweep wakes when something can be due, not on a poll (issue 24).

Real Redis; each test its own key prefix. A sweeper sleeps until the earliest item waiting,
is woken early by an item its own instance schedules, and otherwise looks every `fallback`
seconds (items other instances scheduled); items still run exactly once across instances
and survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from redis.asyncio import Redis

from graphs.supervision.due import DueQueue, Taken, sweep


class CountedQueue(DueQueue):
    """Counts the sweep's passes (each is a Redis round trip or two)."""

    passes = 0

    async def take(self, now: float, limit: int = 50) -> Taken:
        self.passes += 1
        return await super().take(now, limit)


class Applied:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, float]] = []  # (instance, name, when)
        self.changed = asyncio.Event()

    def by(self, instance: str) -> Any:
        async def apply(item: Mapping[str, Any]) -> None:
            self.items.append((instance, str(item["name"]), time.time()))
            self.changed.set()

        return apply

    async def until(self, count: int, within: float) -> None:
        async with asyncio.timeout(within):
            while len(self.items) < count:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url("redis://127.0.0.1:6379", decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"sbtest-due-{uuid.uuid4().hex[:8]}"


@contextlib.asynccontextmanager
async def sweeping(
    due: DueQueue, applied: Applied, name: str, fallback: float
) -> AsyncIterator[None]:
    task = asyncio.create_task(sweep(due, applied.by(name), fallback=fallback))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_an_item_runs_at_its_due_time_not_at_a_poll(redis: Redis, prefix: str) -> None:
    due, applied = CountedQueue(redis, prefix), Applied()
    async with sweeping(due, applied, "a", fallback=30):
        await asyncio.sleep(0.2)  # the sweeper found nothing and sleeps for the 30 s fallback
        await due.schedule({"name": "later"}, time.time() + 10)
        scheduled = time.time()
        await due.schedule({"name": "soon"}, scheduled + 0.3)
        await applied.until(1, within=2)
    (_, name, when), = applied.items  # fmt: skip
    assert name == "soon"
    assert 0.3 <= when - scheduled < 1.0, f"ran {when - scheduled:.3f} s after scheduling"
    assert await redis.zcard(due.key()) == 1  # "later" waits


async def test_an_idle_sweeper_looks_only_every_fallback(redis: Redis, prefix: str) -> None:
    due, applied = CountedQueue(redis, prefix), Applied()
    async with sweeping(due, applied, "a", fallback=1.0):
        await asyncio.sleep(2.5)
    assert due.passes <= 3  # at 0, 1 and 2 s (a 0.5 s poll: 5 or 6)


async def test_another_instances_item_runs_within_the_fallback(redis: Redis, prefix: str) -> None:
    """The instance that scheduled it has no sweeper (it died): another one finds it."""
    scheduler, sweeper, applied = DueQueue(redis, prefix), DueQueue(redis, prefix), Applied()
    async with sweeping(sweeper, applied, "b", fallback=0.8):
        await asyncio.sleep(0.1)
        scheduled = time.time()
        await scheduler.schedule({"name": "orphan"}, scheduled + 0.1)
        await applied.until(1, within=3)
    assert applied.items[0][:2] == ("b", "orphan")
    assert applied.items[0][2] - scheduled < 0.8 + 0.7  # the fallback, not its due time


async def test_items_run_exactly_once_across_two_instances(redis: Redis, prefix: str) -> None:
    one, two, applied = DueQueue(redis, prefix), DueQueue(redis, prefix), Applied()
    names = [f"item-{i}" for i in range(40)]
    async with sweeping(one, applied, "one", 0.5), sweeping(two, applied, "two", 0.5):
        now = time.time()
        for i, name in enumerate(names):
            queue = one if i % 2 else two
            await queue.schedule({"name": name}, now + (i % 8) * 0.05)
        await applied.until(len(names), within=5)
        await asyncio.sleep(0.3)  # nothing runs twice later either
    assert sorted(name for _, name, _ in applied.items) == sorted(names)
    assert await redis.zcard(one.key()) == 0


async def test_items_due_while_no_instance_ran_run_at_start(redis: Redis, prefix: str) -> None:
    await DueQueue(redis, prefix).schedule({"name": "missed"}, time.time() - 5)
    restarted, applied = DueQueue(redis, prefix), Applied()
    started = time.time()
    async with sweeping(restarted, applied, "restarted", fallback=30):
        await applied.until(1, within=2)
    assert applied.items[0][1] == "missed"
    assert applied.items[0][2] - started < 1.0  # the first pass, not the 30 s fallback
