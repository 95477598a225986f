"""Per-process caches of the agent tools (quick replies, tags, auto-reply rules), kept honest
across API instances by a version key in Redis.

Why a version key and not pub/sub: a subscriber that reconnects has missed messages and cannot
know it; a version number cannot be missed. Every write bumps `<prefix>:atools:ver:<name>`
after its commit (`invalidate`); every read asks Redis for the version (one GET, ~0.2 ms) and
reloads from the database only when it changed or the seed's cache time passed (5 minutes for
quick replies and tags, 10 for auto-reply rules). The version is read *before* loading, so a
write that lands while we load makes the next read reload again rather than keep stale rows.

Concurrent readers of an expired cache share one load (single flight): 100 agents opening the
quick-reply panel at once cost one query.

Every cache is one tenant's (`P:t:<tenant>:atools:ver:<name>`): the API's writes and the
graph's reads of one tenant's rules name the same version key, and never another tenant's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.repositories.agent_tools import AutoReplyRuleRepository
from core.tenant_keys import PerTenant, tenant_prefix
from graphs.supervision.auto_reply import Rule

T = TypeVar("T")
QUICK_REPLIES: Final = "quick_replies"
TAGS: Final = "tags"
AUTO_REPLY_RULES: Final = "auto_reply_rules"
MODEL_SETTINGS: Final = "model_settings"  # a tenant's chat model (tenant_models.py)
CACHE_SECONDS: Final[dict[str, float]] = {
    QUICK_REPLIES: 300, TAGS: 300, AUTO_REPLY_RULES: 600, MODEL_SETTINGS: 300,
}  # fmt: skip


def version_key(prefix: str, name: str) -> str:
    return f"{prefix}:atools:ver:{name}"


@dataclass
class _Entry(Generic[T]):
    version: str
    value: T
    loaded_at: float


class VersionedCache(Generic[T]):
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        name: str,
        load: Callable[[], Awaitable[T]],
        *,
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.key = version_key(prefix, name)
        self.load = load
        self.ttl = CACHE_SECONDS.get(name, 300) if ttl_seconds is None else ttl_seconds
        self.clock = clock
        self._entry: _Entry[T] | None = None
        self._loading: asyncio.Lock | None = None
        self.loads = 0  # how many times the database was read (tests, benchmark)

    async def _version(self) -> str:
        raw: Any = await self.redis.get(self.key)
        return raw.decode() if isinstance(raw, bytes) else str(raw or "0")

    def _fresh(self, version: str) -> T | None:
        entry = self._entry
        fresh = entry is not None and self.clock() - entry.loaded_at < self.ttl
        return entry.value if fresh and entry is not None and entry.version == version else None

    async def get(self) -> T:
        version = await self._version()
        cached = self._fresh(version)
        if cached is not None:
            return cached
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:
            cached = self._fresh(version)  # another reader loaded it while we waited
            if cached is not None:
                return cached
            value = await self.load()
            self.loads += 1
            self._entry = _Entry(version, value, self.clock())
            return value

    async def invalidate(self) -> None:
        """After a committed write: every instance reloads on its next read."""
        self._entry = None
        await self.redis.incr(self.key)


def rule_of(row: Any) -> Rule:
    return Rule(
        id=row.id,
        type=row.type,
        reply_content=row.reply_content,
        trigger_condition=dict(row.trigger_condition or {}),
        enabled=bool(row.enabled),
        delay_seconds=int(row.delay_seconds),
        created_at=row.created_at.timestamp(),
    )


class SqlAutoReplies:
    """The auto-reply rules the graph applies to a tenant's chats: service database, through
    that tenant's versioned cache (the one `api.auto_replies` bumps)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], redis: Redis, prefix: str):
        self.sessions = sessions
        self.cache: PerTenant[VersionedCache[Sequence[Rule]]] = PerTenant(
            lambda t: VersionedCache(
                redis, tenant_prefix(prefix, t), AUTO_REPLY_RULES, self._loader(t)
            )
        )

    def _loader(self, tenant: str) -> Callable[[], Awaitable[Sequence[Rule]]]:
        async def load() -> Sequence[Rule]:
            async with self.sessions() as db:
                rows = await AutoReplyRuleRepository(db, tenant).list_all()
            return tuple(rule_of(r) for r in rows)

        return load

    async def rules(self, tenant_id: str) -> Sequence[Rule]:
        return await self.cache(tenant_id).get()
