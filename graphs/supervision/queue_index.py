"""The agents' queue index in Redis, one per tenant: a sorted set per status and one hash of
JSON summaries, written after every supervision run under the session lock
(`takeover.SessionIndex` re-exports it). A tenant's keys are `P:t:<tenant>:sup:idx` (the hash)
and `{P:t:<tenant>:sup:idx}:<status>`: the sets' hash tag is the hash's own key, so a tenant's
five keys share one slot on a Redis Cluster and `sync` stays one MULTI (different tenants' queues
spread over the slots). `P:sup:idx:tenants` names the tenants that have a queue, for the readers
of every tenant's (the metrics, tests and Studio, which run as no tenant).

Before tenants the index was `P:sup:idx` + `{P:sup:idx}:<status>`: `core.migrate_tenant_keys`
moves it once on upgrade (docs/tenants.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.tenant_keys import tenant_prefix


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SessionIndex:
    """The agents' queue: a sorted set per status (score: when the session entered that status,
    in ms, so two escalations in one second stay first-come first-served) and one hash of JSON
    summaries, per tenant. Written after every run, under the session lock, so listing the
    queue never opens a checkpoint."""

    STATUSES: Final = ("bot_active", "pending_manual", "manual_live", "closed")

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.tenants_key = f"{key_prefix}:sup:idx:tenants"
        self._registered: set[str] = set()  # tenants this process has put in `tenants_key`

    def root(self, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:sup:idx"

    def key(self, status: str, tenant: str = DEFAULT_TENANT) -> str:
        # `{P:t:<t>:sup:idx}` hashes like the summaries' key: one slot, one MULTI
        return f"{{{self.root(tenant)}}}:{status}"

    async def tenants(self) -> list[str]:
        """Every tenant that has had a queue (sorted)."""
        raw: Any = await self.redis.smembers(self.tenants_key)  # type: ignore[misc]
        return sorted(_text(t) for t in raw)

    async def sync(self, state: Mapping[str, Any]) -> None:
        name, status = str(state["session_name"]), str(state["status"])
        tenant = str(state.get("tenant_id") or DEFAULT_TENANT)
        escalation = state.get("escalation") or {}
        spoken = [m for m in state.get("history") or [] if m.get("role") != "system"]
        profile = state.get("user_profile") or {}
        summary = {
            "session_name": name,
            "status": status,
            "escalation": escalation or None,
            "assigned_agent": state.get("assigned_agent"),
            "last_message_preview": spoken[-1]["content"][:80] if spoken else "",
            "updated_at": state.get("updated_at"),
            "user_profile": {"nickname": profile.get("nickname"), "vip": profile.get("vip")},
            "tenant_id": tenant,
        }
        if tenant not in self._registered:  # another slot: its own command, once per process
            await self.redis.sadd(self.tenants_key, tenant)  # type: ignore[misc]
            self._registered.add(tenant)
        async with self.redis.pipeline(transaction=True) as pipe:
            for other in self.STATUSES:
                if other != status:
                    pipe.zrem(self.key(other, tenant), name)
            pipe.zadd(self.key(status, tenant), {name: time.time() * 1000}, nx=True)
            pipe.hset(self.root(tenant), name, json.dumps(summary, ensure_ascii=False))
            await pipe.execute()

    async def summaries(
        self, names: list[str], tenant: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """The stored summaries of these sessions in `tenant`'s queue (None: any tenant's);
        unknown names are left out."""
        if not names:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for owner in [tenant] if tenant is not None else await self.tenants():
            raw = await self.redis.hmget(self.root(owner), names)  # type: ignore[misc]
            found.update({n: json.loads(_text(b)) for n, b in zip(names, raw, strict=True)
                          if b is not None})  # fmt: skip
        return found

    async def list(
        self,
        status: str | None,
        *,
        now: int,
        offset: int = 0,
        limit: int = 50,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        """`{items: [SessionSummary], total}`, oldest first within a status; `tenant`'s queue
        (None: every tenant's, each status's sessions merged by time)."""
        statuses = [status] if status else list(self.STATUSES)
        owners = [tenant] if tenant is not None else await self.tenants()
        names: list[tuple[str, str]] = []  # (tenant, session)
        for item in statuses:
            scored: list[tuple[float, str, str]] = []
            for owner in owners:
                raw: Any = await self.redis.zrange(self.key(item, owner), 0, -1, withscores=True)
                scored += [(float(score), owner, _text(n)) for n, score in raw]
            names += [(owner, name) for _, owner, name in sorted(scored)]
        page = names[offset : offset + limit]
        found: dict[tuple[str, str], Any] = {}
        for owner in {owner for owner, _ in page}:  # one HMGET per tenant on the page
            mine = [name for o, name in page if o == owner]
            raw = await self.redis.hmget(self.root(owner), mine)  # type: ignore[misc]
            found.update({(owner, n): b for n, b in zip(mine, raw, strict=True)})
        items = []
        for entry in page:
            blob = found.get(entry)
            if blob is None:
                continue
            summary = json.loads(_text(blob))
            trigger = (summary.get("escalation") or {}).get("trigger_at")
            pending = summary["status"] == "pending_manual" and trigger is not None
            summary["waiting_seconds"] = max(0, now - int(trigger or now)) if pending else 0
            items.append(summary)
        return {"items": items, "total": len(names)}

    async def counts(self) -> tuple[dict[str, int], float | None]:
        """Sessions per status over every tenant, and when the oldest waiting chat started
        waiting (ms; None: nobody waits): what the metrics show."""
        counts = dict.fromkeys(self.STATUSES, 0)
        oldest: float | None = None
        for owner in await self.tenants():
            async with self.redis.pipeline(transaction=False) as pipe:  # one slot
                for status in self.STATUSES:
                    pipe.zcard(self.key(status, owner))
                pipe.zrange(self.key("pending_manual", owner), 0, 0, withscores=True)
                *each, first = await pipe.execute()
            for status, count in zip(self.STATUSES, each, strict=True):
                counts[status] += int(count)
            if first:
                oldest = min(float(first[0][1]), oldest if oldest is not None else float("inf"))
        return counts, oldest
