"""Values read at scrape time, from the shared stores every worker sees (so any worker's scrape
is right): conversations by status and the agents' queue from the session index in Redis, and
whether Redis and the database answer. Each read is bounded by a short timeout; a store that
does not answer reports `up 0` and leaves its other values out rather than failing the scrape.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any, Final

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from graphs.supervision.takeover import SessionIndex

TIMEOUT_SECONDS: Final = 1.0
PENDING: Final = "pending_manual"


class Snapshot(Collector):
    """Families computed before the scrape, handed to the registry as they are."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


async def _queue(redis: Any, prefix: str, now: float) -> list[Metric]:
    by_tenant, oldest = await SessionIndex(redis, prefix).counts()  # every tenant's queue
    memory = await redis.info("memory")
    counts = [by_tenant[status] for status in SessionIndex.STATUSES]
    by_status = GaugeMetricFamily(
        "switchboard_conversations",
        "Chat sessions by status (the session index)",
        labels=["status"],
    )
    for status, count in zip(SessionIndex.STATUSES, counts, strict=True):
        by_status.add_metric([status], float(count))
    waited = max(0.0, now - oldest / 1000) if oldest is not None else 0.0
    used, cap = memory.get("used_memory", 0), memory.get("maxmemory", 0)
    return [
        by_status,
        _gauge(
            "switchboard_queue_waiting_sessions", "Chats waiting for an agent", by_tenant[PENDING]
        ),
        _gauge(
            "switchboard_queue_oldest_wait_seconds",
            "How long the oldest waiting chat waits",
            waited,
        ),
        _gauge("switchboard_redis_memory_used_bytes", "Redis used_memory", float(used)),
        _gauge("switchboard_redis_memory_max_bytes", "Redis maxmemory (0: none)", float(cap)),
    ]


async def _database(runtime: Any) -> None:
    statement = "SELECT 1 FROM DUAL" if runtime.engine.dialect.name == "oracle" else "SELECT 1"
    async with runtime.engine.connect() as conn:
        await conn.execute(text(statement))


async def read(runtime: Any) -> list[Metric]:
    """The scrape-time families (`runtime`: api.runtime.Runtime)."""
    prefix = runtime.settings.redis_key_prefix
    families: list[Metric] = []
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            families += await _queue(runtime.redis, prefix, time.time())
        redis_up = 1.0
    except Exception:  # down or slow: say so, keep the scrape
        redis_up = 0.0
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await _database(runtime)
        db_up = 1.0
    except Exception:
        db_up = 0.0
    families.append(_gauge("switchboard_redis_up", "1 when Redis answered this scrape", redis_up))
    families.append(_gauge("switchboard_db_up", "1 when the database answered", db_up))
    return families
