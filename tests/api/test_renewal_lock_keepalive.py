"""The renewal lock's keepalive ends with its request: a released lock is gone at once and no
renewal brings it back, however many renewals ran while it was held."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis

from api.renewal.locks import SessionLocks


async def test_a_released_lock_stays_released_after_its_renewals() -> None:
    redis = Redis.from_url("redis://127.0.0.1:6379")
    locks = SessionLocks(redis, f"test-lock-{uuid.uuid4().hex[:8]}", lease_seconds=1.0)
    try:
        held = await locks.acquire("s1")
        # ~10 renewals at a 250 ms interval: the lease outlived 1 s (a shorter lease failed
        # when a loaded CI box left the process without CPU for three quarters of it)
        await asyncio.sleep(2.5)
        assert await redis.get(held.key) == held.token.encode()
        async with asyncio.timeout(2):
            await held.release()
        assert await redis.exists(held.key) == 0
        await asyncio.sleep(1.2)  # a renewal still running would have taken it back by now
        assert await redis.exists(held.key) == 0
        again = await locks.acquire("s1")  # the next click is not refused
        await again.release()
    finally:
        await redis.aclose()
