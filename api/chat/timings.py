"""AI response times, measured where they happen: from the customer's message arriving at the
API to the last token of the AI's answer (history timestamps are whole seconds, too coarse).

Kept in Redis per tenant and hour (`{prefix}:t:<tenant>:stats:ai_rt:<epoch hour>` hash
{sum_ms, n}, 35-day TTL), so every instance adds to the same numbers and `/api/sessions/stats`
reads any window in hours of the caller's tenant.
"""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.tenant_keys import tenant_prefix

BUCKET_TTL_SECONDS = 35 * 86_400


class ResponseTimes:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def key(self, hour: int, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:stats:ai_rt:{hour}"

    async def record(
        self, millis: float, at: float | None = None, *, tenant: str = DEFAULT_TENANT
    ) -> None:
        key = self.key(int((at or time.time()) // 3600), tenant)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "sum_ms", round(millis))
            pipe.hincrby(key, "n", 1)
            pipe.expire(key, BUCKET_TTL_SECONDS)
            await pipe.execute()

    async def average_ms(
        self, hours: int, now: float | None = None, *, tenant: str = DEFAULT_TENANT
    ) -> float | None:
        """Mean over the last `hours` hour buckets (the current one included); None if empty."""
        last = int((now or time.time()) // 3600)
        async with self.redis.pipeline(transaction=False) as pipe:
            for hour in range(last - hours + 1, last + 1):
                pipe.hmget(self.key(hour, tenant), ["sum_ms", "n"])
            rows: list[Any] = await pipe.execute()
        total = sum(int(s or 0) for s, _ in rows)
        count = sum(int(n or 0) for _, n in rows)
        return total / count if count else None
