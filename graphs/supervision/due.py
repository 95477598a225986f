"""Work that falls due later: delayed auto-replies (`delay_seconds`) and "is the customer still
waiting?" checks for timeout rules.

A sorted set `P:sup:due` scored by the due time (ms) holds JSON items; every API instance polls
it (`SupervisionService.sweep`) and takes due items with one Lua call that reads and removes
them atomically, so each item runs exactly once whichever instance is first, and an item
survives a restart of the instance that scheduled it. Items are idempotent by content (the same
session, kind and time schedule the same member), so a graph node that re-runs on resume does
not schedule twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from redis.asyncio import Redis

from core.logging import get_logger

log = get_logger(__name__)

# KEYS: the set. ARGV: now_ms, limit.
TAKE_LUA: Final = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, item in ipairs(items) do redis.call('ZREM', KEYS[1], item) end
return items
"""


class DueQueue:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.key = f"{prefix}:sup:due"
        self._take = redis.register_script(TAKE_LUA)

    async def schedule(self, item: Mapping[str, Any], due_at: float) -> None:
        """Run `item` at `due_at` (UTC seconds)."""
        member = json.dumps(dict(item), ensure_ascii=False, sort_keys=True)
        await self.redis.zadd(self.key, {member: int(due_at * 1000)})

    async def take(self, now: float, limit: int = 50) -> list[dict[str, Any]]:
        """Remove and return the items due at `now` (oldest first)."""
        raw = await self._take(keys=[self.key], args=[int(now * 1000), limit])
        return [json.loads(r.decode() if isinstance(r, bytes) else r) for r in raw]

    async def pending(self) -> int:
        return int(await self.redis.zcard(self.key))


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
                        error=type(exc).__name__,
                    )
        except Exception as exc:
            log.warning("due_sweep_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)
