"""One-shot move of the supervision keys written before tenants to the tenant layout.

Run once on the upgrade that brings tenant-qualified supervision keys, after the last API
instance of the previous version stopped and before the new ones serve (the API's run locks,
claims and queue index must not be written under two layouts at once):

    python -m core.migrate_tenant_keys            # REDIS_URL, REDIS_KEY_PREFIX as the API's

| before (P = REDIS_KEY_PREFIX) | after (T = P:t:<the session's tenant>) |
|---|---|
| `P:sup:idx` + `{P:sup:idx}:<status>` | `T:sup:idx` + `{T:sup:idx}:<status>`, `P:sup:idx:tenants` |
| `P:sup:claim:<session>` (TTL kept) | `T:sup:claim:<session>` |
| `P:sup:load:<agent>` | `T:sup:load:<agent>` |
| `P:sup:due` | `T:sup:due`, tenant in `P:sup:due:tenants` |

A session's tenant is the one its queue summary names (every run writes the summary; summaries
from before tenants name none: tenant `default`, as their chats are). Run locks are left alone:
with no old instance running none is held, and each expires within its 60 s TTL. The handoff
mail outbox keeps its key (docs/tenants.md). Every step copies first (never overwriting a key
of the new layout) and deletes the old key after, so a run cut short is simply run again.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from graphs.supervision.due import DueQueue
from graphs.supervision.queue_index import SessionIndex
from graphs.supervision.takeover import ClaimStore


@dataclass
class Moved:
    """How many of each were moved (what the command prints)."""

    sessions: int = 0
    claims: int = 0
    loads: int = 0
    due_items: int = 0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _glob(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


async def _scored(redis: Redis, key: Any) -> list[tuple[str, float]]:
    raw: Any = await redis.zrange(key, 0, -1, withscores=True)
    return [(_text(member), float(score)) for member, score in raw]


async def migrate(redis: Redis, prefix: str) -> Moved:
    """Move every pre-tenant supervision key under `prefix` to its session's tenant."""
    moved = Moved()
    index, claims = SessionIndex(redis, prefix), ClaimStore(redis, prefix)
    due = DueQueue(redis, prefix)
    old_index = f"{prefix}:sup:idx"
    raw: Any = await redis.hgetall(old_index)  # type: ignore[misc]
    summaries = {_text(k): _text(v) for k, v in raw.items()}
    tenant_of = {name: str(json.loads(blob).get("tenant_id") or DEFAULT_TENANT)
                 for name, blob in summaries.items()}  # fmt: skip

    def owner(session: str) -> str:
        return tenant_of.get(session, DEFAULT_TENANT)

    for tenant in set(tenant_of.values()):
        await redis.sadd(index.tenants_key, tenant)  # type: ignore[misc]
    for name, blob in summaries.items():
        added: Any = await redis.hsetnx(index.root(owner(name)), name, blob)  # type: ignore[misc]
        moved.sessions += int(added)
    for status in SessionIndex.STATUSES:
        old = f"{{{old_index}}}:{status}"
        for name, score in await _scored(redis, old):
            await redis.zadd(index.key(status, owner(name)), {name: score}, nx=True)
        await redis.delete(old)
    await redis.delete(old_index)

    async for key in redis.scan_iter(match=_glob(f"{prefix}:sup:claim:") + "*", count=1000):
        name = _text(key).rsplit(":", 1)[1]
        fields: Any = await redis.hgetall(key)  # type: ignore[misc]
        target = claims.claim_key(name, owner(name))
        if fields and not await redis.exists(target):
            ttl = await redis.pttl(key)
            await redis.hset(target, mapping=fields)  # type: ignore[misc]
            if ttl > 0:
                await redis.pexpire(target, ttl)
            moved.claims += 1
        await redis.delete(key)

    async for key in redis.scan_iter(match=_glob(f"{prefix}:sup:load:") + "*", count=1000):
        agent = _text(key).rsplit(":", 1)[1]
        for name, score in await _scored(redis, key):
            target = claims.load_key(agent, owner(name))
            moved.loads += int(await redis.zadd(target, {name: score}, nx=True) or 0)
        await redis.delete(key)

    old_due = f"{prefix}:sup:due"
    for member, score in await _scored(redis, old_due):
        tenant = owner(str(json.loads(member).get("session_name")))
        await redis.sadd(due.tenants_key, tenant)  # type: ignore[misc]
        moved.due_items += int(await redis.zadd(due.key(tenant), {member: score}, nx=True) or 0)
    await redis.delete(old_due)
    return moved


async def _main() -> None:
    from core.redis_clients import async_client, connected
    from core.settings import get_settings

    settings = get_settings()
    redis = async_client(settings)
    try:
        await connected(redis)
        moved = await migrate(redis, settings.redis_key_prefix)
    finally:
        await redis.aclose()
    print(json.dumps(asdict(moved)))


if __name__ == "__main__":
    asyncio.run(_main())
