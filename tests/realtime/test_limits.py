"""Rate limits on the real Redis: shared across instances, precise Retry-After."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from api.realtime.limits import RateLimiter
from core.errors import RateLimited


@pytest.fixture
async def limiters() -> list[RateLimiter]:
    prefix = f"sbtest-rate-{uuid.uuid4().hex[:8]}"
    return [RateLimiter(Redis.from_url("redis://127.0.0.1:6379/0"), prefix) for _ in range(2)]


async def test_twenty_messages_a_minute_then_429_with_retry_after(
    limiters: list[RateLimiter],
) -> None:
    a, b = limiters
    lefts = [await (a if i % 2 else b).hit("chat", "session-1", limit=20, per_seconds=60)
             for i in range(20)]  # fmt: skip
    assert lefts[-1] == 0
    with pytest.raises(RateLimited) as refused:
        await a.hit("chat", "session-1", limit=20, per_seconds=60)
    assert 1 <= refused.value.details["retry_after"] <= 60
    # another session is not affected
    assert await b.hit("chat", "session-2", limit=20, per_seconds=60) == 19


async def test_window_slides(limiters: list[RateLimiter]) -> None:
    a, _ = limiters
    for _ in range(3):
        await a.hit("ip", "10.0.0.1", limit=3, per_seconds=1)
    with pytest.raises(RateLimited):
        await a.hit("ip", "10.0.0.1", limit=3, per_seconds=1)
    await asyncio.sleep(1.05)
    assert await a.hit("ip", "10.0.0.1", limit=3, per_seconds=1) == 2


async def test_concurrent_hits_never_exceed_the_limit(limiters: list[RateLimiter]) -> None:
    a, b = limiters

    async def one(limiter: RateLimiter) -> bool:
        try:
            await limiter.hit("chat", "burst", limit=10, per_seconds=60)
            return True
        except RateLimited:
            return False

    results = await asyncio.gather(*(one(a if i % 2 else b) for i in range(50)))
    assert sum(results) == 10
