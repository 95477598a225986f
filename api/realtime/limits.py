"""Rate limits shared by every instance (Redis): a sliding window per key.

One Lua call per hit: drop entries older than the window, count, and either record the hit or
answer how long until the oldest entry leaves the window (the Retry-After).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from redis.asyncio import Redis

from core.errors import RateLimited

SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
"""


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._script: Any = redis.register_script(SLIDING_WINDOW)

    async def hit(self, scope: str, who: str, *, limit: int, per_seconds: int) -> int:
        """Count one request of `who` in `scope`; returns what is left, or raises RateLimited
        carrying `retry_after` (whole seconds, at least 1)."""
        now_ms = int(time.time() * 1000)
        allowed, left, wait_ms = await self._script(
            keys=[f"{self.prefix}:rate:{scope}:{who}"],
            args=[now_ms, per_seconds * 1000, limit, f"{now_ms}-{uuid.uuid4().hex[:8]}"],
        )
        if not allowed:
            retry_after = max(1, -(-int(wait_ms) // 1000))
            raise RateLimited(
                f"too many requests: {limit} per {per_seconds}s, retry in {retry_after}s",
                retry_after=retry_after,
            )
        return int(left)
