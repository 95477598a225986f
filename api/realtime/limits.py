"""Rate limits shared by every instance (Redis): a sliding window per key, per tenant.

One Lua call per hit: drop entries older than the window, count, and either record the hit or
answer how long until the oldest entry leaves the window (the Retry-After).

Every window is one tenant's (`P:t:<tenant>:rate:<scope>:<who>`, the tenant of the request:
`CALLER_TENANT`, from the token or the widget's site key), so one tenant's burst from an IP
never spends another tenant's budget for that IP. A request with no tenant keeps the
platform-wide window `P:rate:<scope>:<who>`. A platform admin may override a tenant's limits
(`PATCH /api/tenants/{id}` `rate_limits`); they live in Redis next to the windows
(`P:t:<tenant>:rate:limits`, a hash scope -> limit per minute) and are cached per process for
`LIMITS_CACHE_SECONDS`: the writing instance sees a change at once, the others within that time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

from redis.asyncio import Redis

from core.errors import RateLimited
from core.tenant_keys import tenant_prefix
from graphs.supervision.service import CALLER_TENANT

LIMITS_CACHE_SECONDS: Final = 5.0

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


class TenantLimits:
    """Per-tenant overrides of the per-minute limits, by scope (`chat-session`, `chat-ip`,
    `conversation-ip`); a scope without an override keeps the deployment's setting."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._cached: dict[str, tuple[float, dict[str, int]]] = {}

    def key(self, tenant: str) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:rate:limits"

    async def of(self, tenant: str) -> dict[str, int]:
        """The tenant's overrides (scope -> limit), from this process's copy when fresh."""
        cached = self._cached.get(tenant)
        if cached is not None and time.monotonic() - cached[0] < LIMITS_CACHE_SECONDS:
            return cached[1]
        raw: Any = await self.redis.hgetall(self.key(tenant))  # type: ignore[misc]
        limits = {_text(k): int(v) for k, v in raw.items()}
        self._cached[tenant] = (time.monotonic(), limits)
        return limits

    async def save(self, tenant: str, changes: Mapping[str, int | None]) -> dict[str, int]:
        """Set (a number) or drop (None: back to the default) overrides; answers all of them."""
        key = self.key(tenant)
        drop = [scope for scope, limit in changes.items() if limit is None]
        keep = {scope: limit for scope, limit in changes.items() if limit is not None}
        async with self.redis.pipeline(transaction=True) as pipe:  # one key: one slot
            if drop:
                pipe.hdel(key, *drop)
            for scope, limit in keep.items():
                pipe.hset(key, scope, limit)
            await pipe.execute()
        self._cached.pop(tenant, None)
        return await self.of(tenant)


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.tenants = TenantLimits(redis, prefix)
        self._script: Any = redis.register_script(SLIDING_WINDOW)

    async def hit(
        self, scope: str, who: str, *, limit: int, per_seconds: int, tenant: str | None = None
    ) -> int:
        """Count one request of `who` in `scope` against the tenant's window (`tenant`, else the
        caller's; `limit` unless the tenant overrides it); returns what is left, or raises
        RateLimited carrying `retry_after` (whole seconds, at least 1)."""
        tenant = tenant if tenant is not None else CALLER_TENANT.get()
        root = self.prefix
        if tenant:
            limit = (await self.tenants.of(tenant)).get(scope, limit)
            root = tenant_prefix(self.prefix, tenant)
        now_ms = int(time.time() * 1000)
        allowed, left, wait_ms = await self._script(
            keys=[f"{root}:rate:{scope}:{who}"],
            args=[now_ms, per_seconds * 1000, limit, f"{now_ms}-{uuid.uuid4().hex[:8]}"],
        )
        if not allowed:
            retry_after = max(1, -(-int(wait_ms) // 1000))
            raise RateLimited(
                f"too many requests: {limit} per {per_seconds}s, retry in {retry_after}s",
                retry_after=retry_after,
            )
        return int(left)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
