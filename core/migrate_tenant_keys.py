"""One-shot move of the Redis keys of tenant data written before tenants to the tenant layout.

Run once on the upgrade that brings tenant-qualified keys, after the last API instance and mail
worker of the previous version stopped and before the new ones serve (the API's run locks,
claims, queue index and outbox must not be written under two layouts at once):

    python -m core.migrate_tenant_keys            # REDIS_URL, REDIS_KEY_PREFIX as the API's

| before (P = REDIS_KEY_PREFIX) | after (T = P:t:<the session's tenant>) |
|---|---|
| `P:sup:idx` + `{P:sup:idx}:<status>` | `T:sup:idx` + `{T:sup:idx}:<status>`, `P:sup:idx:tenants` |
| `P:sup:claim:<session>` (TTL kept) | `T:sup:claim:<session>` |
| `P:sup:load:<agent>` | `T:sup:load:<agent>` |
| `P:sup:due` | `T:sup:due`, tenant in `P:sup:due:tenants` |
| `P:events:session:<session>` (stream, TTL kept) | `T:events:session:<session>` |
| `P:events:t:<tenant>:workbench` (stream) | `T:events:workbench` |
| `P:sup:outbox` + `{P:sup:outbox}:<r>` | `T:sup:outbox` + `{T:sup:outbox}:<r>` (r: held, ...) |
| (the tenants that have mail) | `P:sup:outbox:tenants` |
| `P:sup:mail:<session>` (TTL kept) | `T:sup:mail:<session>` |

A session's tenant is the one its queue summary names (every run writes the summary, closed
chats included; summaries from before tenants name none: tenant `default`, as their chats are),
in the old index or, once moved, a tenant's. A handoff's is the `tenant_id` it carries (before
tenants none: `default`); a delivery record's is its handoff's, else its session's. Streams are
copied whole (DUMP / RESTORE), so their entry ids, the SSE ids clients resume from, stay.
Run locks and chat turn locks (`P:chat:turn:<session>`) are left alone: with no old instance
running none is held, and each expires within its TTL (60 s, 120 s). Every step copies first
(never overwriting a key of the new layout) and deletes the old key after, so a run cut short
is simply run again (a queued handoff copied twice is dropped when claimed after it was sent).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.tenant_keys import tenant_stream
from graphs.supervision.due import DueQueue
from graphs.supervision.outbox import DELIVERY_RECORDS, RedisOutbox
from graphs.supervision.queue_index import SessionIndex
from graphs.supervision.takeover import ClaimStore


@dataclass
class Moved:
    """How many of each were moved (what the command prints)."""

    sessions: int = 0
    claims: int = 0
    loads: int = 0
    due_items: int = 0
    streams: int = 0  # session and workbench event streams
    mails: int = 0  # handoffs queued, claimed or deferred in the outbox
    mail_records: int = 0  # delivery records and the email route's per-session records


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _glob(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


async def _scored(redis: Redis, key: Any) -> list[tuple[str, float]]:
    raw: Any = await redis.zrange(key, 0, -1, withscores=True)
    return [(_text(member), float(score)) for member, score in raw]


async def migrate(redis: Redis, prefix: str) -> Moved:
    """Move every pre-tenant key of tenant data under `prefix` to its tenant."""
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
    for tenant in await index.tenants():  # sessions already in the tenant layout, closed ones too
        names: Any = await redis.hkeys(index.root(tenant))  # type: ignore[misc]
        for name in names:
            tenant_of.setdefault(_text(name), tenant)

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
    await _streams(redis, prefix, owner, moved)
    await _outbox(redis, prefix, owner, moved)
    return moved


async def _keys(redis: Redis, start: str) -> list[str]:
    """Every key that starts with `start` (collected first: the moves delete as they go)."""
    return [_text(k) async for k in redis.scan_iter(match=_glob(start) + "*", count=1000)]


async def _move(redis: Redis, old: str, new: str) -> bool:
    """`old` renamed to `new`, value and TTL, unless `new` exists; across slots, so DUMP and
    RESTORE rather than RENAME. The old key is deleted either way."""
    copied = False
    if not await redis.exists(new):
        dumped: Any = await redis.dump(old)
        if dumped is not None:
            ttl = await redis.pttl(old)
            await redis.restore(new, max(int(ttl), 0), dumped)
            copied = True
    await redis.delete(old)
    return copied


async def _streams(redis: Redis, prefix: str, owner: Callable[[str], str], moved: Moved) -> None:
    root = f"{prefix}:events:"
    for key in await _keys(redis, f"{root}session:"):
        name = key.removeprefix(f"{root}session:")
        target = tenant_stream(prefix, owner(name), f"session:{name}")
        moved.streams += await _move(redis, key, target)
    for key in await _keys(redis, f"{root}t:"):  # a tenant's workbench: `t:<tenant>:<name>`
        tenant, _, name = key.removeprefix(f"{root}t:").partition(":")
        moved.streams += await _move(redis, key, tenant_stream(prefix, tenant, name))


def _tenant_of_mail(raw: Any) -> str:
    """The tenant a queued or held handoff names (before tenants, or unreadable: `default`)."""
    try:
        found = json.loads(raw).get("tenant_id")
    except (ValueError, AttributeError):
        return DEFAULT_TENANT
    return str(found or DEFAULT_TENANT)


async def _outbox(redis: Redis, prefix: str, owner: Callable[[str], str], moved: Moved) -> None:
    outbox = RedisOutbox(redis, prefix)
    old = f"{prefix}:sup:outbox"
    records = {name: f"{{{old}}}:{name}" for name in DELIVERY_RECORDS}
    raw: Any = await redis.hgetall(records["held"])  # type: ignore[misc]
    held = {_text(k): _tenant_of_mail(v) for k, v in raw.items()}
    raw = await redis.hgetall(records["status"])  # type: ignore[misc]
    statuses = {_text(k): _text(v) for k, v in raw.items()}

    def tenant_of(mail_id: str) -> str:
        if mail_id in held:
            return held[mail_id]
        session = json.loads(statuses.get(mail_id) or "{}").get("session_name")
        return owner(str(session)) if session else DEFAULT_TENANT

    tenants = set(held.values()) | {tenant_of(mail_id) for mail_id in statuses}
    queued: Any = await redis.lrange(old, 0, -1)  # type: ignore[misc]
    tenants |= {_tenant_of_mail(entry) for entry in queued}
    for tenant in tenants:  # registered first, as `RedisOutbox.send` does
        await redis.sadd(outbox.tenants_key, tenant)  # type: ignore[misc]
    for entry in queued:  # in queue order
        await redis.rpush(outbox.key(_tenant_of_mail(entry)), entry)  # type: ignore[misc]
        moved.mails += 1
    await redis.delete(old)
    for name, key in records.items():
        kind = _text(await redis.type(key))
        if kind == "hash":
            fields: Any = await redis.hgetall(key)  # type: ignore[misc]
            for field, value in fields.items():
                target = outbox.delivery_keys(tenant_of(_text(field)))[name]
                added = int(await redis.hsetnx(target, field, value))  # type: ignore[misc]
                if name == "held":
                    moved.mails += added
                elif name == "status":
                    moved.mail_records += added
        elif kind == "zset":
            for member, score in await _scored(redis, key):
                target = outbox.delivery_keys(tenant_of(member))[name]
                await redis.zadd(target, {member: score}, nx=True)
        await redis.delete(key)
    for key in await _keys(redis, f"{prefix}:sup:mail:"):
        name = key.removeprefix(f"{prefix}:sup:mail:")
        moved.mail_records += await _move(redis, key, outbox.mail_record_key(name, owner(name)))


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
