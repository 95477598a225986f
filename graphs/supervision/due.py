"""Work that falls due later: delayed auto-replies (`delay_seconds`) and "is the customer still
waiting?" checks for timeout rules.

One sorted set per tenant, `P:t:<tenant>:sup:due`, scored by the due time (ms), holds JSON
items; `P:sup:due:tenants` names the tenants that have one. Every API instance sweeps them
(`sweep`) and takes due items with one Lua call per tenant (pipelined) that reads and removes
them atomically (one key: one slot), so each item runs exactly once whichever instance is first, and
an item survives a restart of the instance that scheduled it.

The sweep does not poll: the same call returns each set's earliest score, and the sweeper
sleeps until the earliest of them, or until this instance schedules an item due before that,
or `FALLBACK_SECONDS` at most (items another instance scheduled and did not live to take, a
Redis that was away). An idle API used to wake twice a second for it (issue 24).

Items are idempotent by content (the same session, kind and time schedule the same member), so
a graph node that re-runs on resume does not schedule twice. An item is filed under the tenant
of the graph run that scheduled it (`SESSION_TENANT`, set by the supervision service around
every run) and comes back from `take` with that `tenant_id`. Before tenants the queue was
`P:sup:due`: `core.migrate_tenant_keys` moves it once on upgrade (docs/tenants.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, Final, NamedTuple

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from core.tenant_keys import tenant_prefix

log = get_logger(__name__)
# The tenant of the session whose graph run is going on (SupervisionService sets it around every
# run): where a node's scheduled item is filed. Unset: tenant `default`.
SESSION_TENANT: ContextVar[str | None] = ContextVar("session_tenant", default=None)

# The longest a sweeper sleeps: how late an item can run whose scheduling instance died.
FALLBACK_SECONDS: Final = 5.0
# Past an item's due time before looking (a timer may fire a hair early).
_SLACK: Final = 0.002

# KEYS: the set. ARGV: now_ms, limit. Returns the due items and the earliest score left (nil:
# the set is empty).
TAKE_LUA: Final = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, item in ipairs(items) do redis.call('ZREM', KEYS[1], item) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {items, first[2] or false}
"""


class Taken(NamedTuple):
    items: list[dict[str, Any]]
    next_due: float | None  # the earliest item left (UTC seconds), None: nothing is waiting


class DueQueue:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.tenants_key = f"{prefix}:sup:due:tenants"
        # this instance's sweeper: when it looks next (UTC s), and what wakes it before that
        self._wake_at = math.inf
        self._earlier = asyncio.Event()

    def key(self, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:sup:due"

    async def schedule(self, item: Mapping[str, Any], due_at: float) -> None:
        """Run `item` at `due_at` (UTC seconds), in the current run's tenant's queue; wakes
        this instance's sweeper when it would look later than that."""
        tenant = SESSION_TENANT.get() or DEFAULT_TENANT
        member = json.dumps(dict(item), ensure_ascii=False, sort_keys=True)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(self.tenants_key, tenant)
            pipe.zadd(self.key(tenant), {member: int(due_at * 1000)})
            await pipe.execute()
        if due_at < self._wake_at:
            self._earlier.set()

    def watch(self) -> None:
        """A sweep pass starts: any item scheduled from now on wakes the next `wait_until`
        (the pass's own read may have missed it)."""
        self._earlier.clear()
        self._wake_at = math.inf

    async def wait_until(self, at: float, clock: Callable[[], float]) -> None:
        """Sleep until `at` (UTC seconds) or until this instance schedules an item due earlier
        (or did since `watch`)."""
        self._wake_at = at
        delay = at - clock()
        if delay <= 0 or self._earlier.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay + _SLACK):
                await self._earlier.wait()

    async def _tenants(self) -> list[str]:
        raw = await self.redis.smembers(self.tenants_key)  # type: ignore[misc]
        return sorted(r.decode() if isinstance(r, bytes) else str(r) for r in raw)

    async def take(self, now: float, limit: int = 50) -> Taken:
        """Remove and return the items due at `now` (oldest first within a tenant), each with
        its `tenant_id`, at most `limit` per tenant; and when the earliest item left is due."""
        tenants = await self._tenants()
        # one round trip per node; EVAL, not EVALSHA: a cluster pipeline cannot load a script
        # a node has not seen, and the script is short
        async with self.redis.pipeline(transaction=False) as pipe:
            for tenant in tenants:
                pipe.eval(TAKE_LUA, 1, self.key(tenant), int(now * 1000), limit)
            results = await pipe.execute()
        taken: list[dict[str, Any]] = []
        scores: list[float] = []
        for tenant, (raw, first) in zip(tenants, results, strict=True):
            for r in raw:
                item = json.loads(r.decode() if isinstance(r, bytes) else r)
                taken.append({**item, "tenant_id": tenant})
            if first is not None:
                scores.append(float(first) / 1000)
        return Taken(taken, min(scores, default=None))

    async def pending(self) -> int:
        return sum([int(await self.redis.zcard(self.key(t))) for t in await self._tenants()])


async def sweep(
    due: DueQueue,
    apply: Callable[[Mapping[str, Any]], Awaitable[None]],
    *,
    fallback: float = FALLBACK_SECONDS,
    clock: Callable[[], float] = time.time,
) -> None:
    """Forever: take what is due and apply it (`SupervisionService.apply_due`), then sleep
    until the earliest item left is due, this instance schedules an earlier one, or `fallback`
    seconds pass. One failing item is logged and dropped; Redis being away only pauses the
    loop."""
    while True:
        due.watch()
        wake = clock() + fallback
        try:
            taken = await due.take(clock())
            for item in taken.items:
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
            if taken.next_due is not None:
                wake = min(wake, taken.next_due)
        except Exception as exc:
            log.warning("due_sweep_failed", error=type(exc).__name__)
        await due.wait_until(wake, clock)
