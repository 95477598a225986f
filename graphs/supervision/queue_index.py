"""The agents' queue index in Redis: a sorted set per status and one hash of JSON summaries,
written after every supervision run under the session lock (`takeover.SessionIndex` re-exports
it). The sets are `{P:sup:idx}:<status>`: their hash tag is the hash's own key `P:sup:idx`, so
all five keys share one slot on a Redis Cluster and `sync` stays one MULTI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _tenant_of(blob: Any) -> str:
    return str(json.loads(_text(blob)).get("tenant_id") or DEFAULT_TENANT)


class SessionIndex:
    """The agents' queue: a sorted set per status (score: when the session entered that status,
    in ms, so two escalations in one second stay first-come first-served) and one hash of JSON
    summaries. Written after every run, under the session lock, so listing the queue never
    opens a checkpoint."""

    STATUSES: Final = ("bot_active", "pending_manual", "manual_live", "closed")

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.root = f"{key_prefix}:sup:idx"

    def key(self, status: str) -> str:
        # `{P:sup:idx}` hashes like the summaries' key `P:sup:idx`: one slot, one MULTI
        return f"{{{self.root}}}:{status}"

    async def sync(self, state: Mapping[str, Any]) -> None:
        name, status = str(state["session_name"]), str(state["status"])
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
            "tenant_id": str(state.get("tenant_id") or DEFAULT_TENANT),
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            for other in self.STATUSES:
                if other != status:
                    pipe.zrem(self.key(other), name)
            pipe.zadd(self.key(status), {name: time.time() * 1000}, nx=True)
            pipe.hset(self.root, name, json.dumps(summary, ensure_ascii=False))
            await pipe.execute()

    async def summaries(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The stored summaries of these sessions (unknown names are left out)."""
        raw = await self.redis.hmget(self.root, names) if names else []  # type: ignore[misc]
        return {n: json.loads(_text(b)) for n, b in zip(names, raw, strict=True) if b is not None}

    async def list(
        self,
        status: str | None,
        *,
        now: int,
        offset: int = 0,
        limit: int = 50,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        """`{items: [SessionSummary], total}`, oldest first within a status; with `tenant`,
        only that tenant's sessions (summaries before 0006 are tenant `default`'s)."""
        statuses = [status] if status else list(self.STATUSES)
        names: list[str] = []
        for item in statuses:
            names += [_text(n) for n in await self.redis.zrange(self.key(item), 0, -1)]
        if tenant is not None and names:
            every = await self.redis.hmget(self.root, names)  # type: ignore[misc]
            names = [n for n, b in zip(names, every, strict=True)
                     if b is not None and _tenant_of(b) == tenant]  # fmt: skip
        page = names[offset : offset + limit]
        raw = await self.redis.hmget(self.root, page) if page else []  # type: ignore[misc]
        items = []
        for blob in raw:
            if blob is None:
                continue
            summary = json.loads(_text(blob))
            trigger = (summary.get("escalation") or {}).get("trigger_at")
            pending = summary["status"] == "pending_manual" and trigger is not None
            summary["waiting_seconds"] = max(0, now - int(trigger or now)) if pending else 0
            items.append(summary)
        return {"items": items, "total": len(names)}
