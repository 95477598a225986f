"""Work that falls due later: delayed auto-replies (`delay_seconds`) and "is the customer still
waiting?" checks for timeout rules.

One sorted set per tenant, `P:t:<tenant>:sup:due`, scored by the due time (ms), holds JSON
items; `P:sup:due:tenants` names the tenants that have one. Every API instance polls them
(`sweep`) and takes due items with one Lua call per tenant (pipelined) that reads and removes
them atomically (one key: one slot), so each item runs exactly once whichever instance is first, and
an item survives a restart of the instance that scheduled it. Items are idempotent by content
(the same session, kind and time schedule the same member), so a graph node that re-runs on
resume does not schedule twice. An item is filed under the tenant of the graph run that
scheduled it (`SESSION_TENANT`, set by the supervision service around every run) and comes back
from `take` with that `tenant_id`. Before tenants the queue was `P:sup:due`:
`core.migrate_tenant_keys` moves it once on upgrade (docs/tenants.md).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, Final

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from core.tenant_keys import tenant_prefix

log = get_logger(__name__)
# The tenant of the session whose graph run is going on (SupervisionService sets it around every
# run): where a node's scheduled item is filed. Unset: tenant `default`.
SESSION_TENANT: ContextVar[str | None] = ContextVar("session_tenant", default=None)

# KEYS: the set. ARGV: now_ms, limit.
TAKE_LUA: Final = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, item in ipairs(items) do redis.call('ZREM', KEYS[1], item) end
return items
"""


class DueQueue:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.tenants_key = f"{prefix}:sup:due:tenants"

    def key(self, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:sup:due"

    async def schedule(self, item: Mapping[str, Any], due_at: float) -> None:
        """Run `item` at `due_at` (UTC seconds), in the current run's tenant's queue."""
        tenant = SESSION_TENANT.get() or DEFAULT_TENANT
        member = json.dumps(dict(item), ensure_ascii=False, sort_keys=True)
        await self.redis.sadd(self.tenants_key, tenant)  # type: ignore[misc]
        await self.redis.zadd(self.key(tenant), {member: int(due_at * 1000)})

    async def _tenants(self) -> list[str]:
        raw = await self.redis.smembers(self.tenants_key)  # type: ignore[misc]
        return sorted(r.decode() if isinstance(r, bytes) else str(r) for r in raw)

    async def take(self, now: float, limit: int = 50) -> list[dict[str, Any]]:
        """Remove and return the items due at `now` (oldest first within a tenant), each with
        its `tenant_id`; at most `limit` per tenant."""
        tenants = await self._tenants()
        # one round trip per node; EVAL, not EVALSHA: a cluster pipeline cannot load a script
        # a node has not seen, and the script is short
        async with self.redis.pipeline(transaction=False) as pipe:
            for tenant in tenants:
                pipe.eval(TAKE_LUA, 1, self.key(tenant), int(now * 1000), limit)
            results = await pipe.execute()
        taken: list[dict[str, Any]] = []
        for tenant, raw in zip(tenants, results, strict=True):
            for r in raw:
                item = json.loads(r.decode() if isinstance(r, bytes) else r)
                taken.append({**item, "tenant_id": tenant})
        return taken

    async def pending(self) -> int:
        return sum([int(await self.redis.zcard(self.key(t))) for t in await self._tenants()])


async def sweep(
    due: DueQueue,
    apply: Callable[[Mapping[str, Any]], Awaitable[None]],
    *,
    interval: float = 0.5,
    clock: Callable[[], float] = time.time,
) -> None:
    """Forever: take what is due and apply it (`SupervisionService.apply_due`). One failing
    item is logged and dropped; Redis being away only pauses the loop."""
    while True:
        try:
            for item in await due.take(clock()):
                try:
                    await apply(item)
                except Exception as exc:
                    log.warning(
                        "due_item_failed",
                        kind=item.get("kind"),
                        session=item.get("session_name"),
                        tenant=item.get("tenant_id"),
                        error=type(exc).__name__,
                    )
        except Exception as exc:
            log.warning("due_sweep_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)
