"""`core.migrate_tenant_keys` on a Redis Cluster: a chat's event stream, a tenant's workbench,
the handoff outbox and its records move from the layout before tenants to the tenant's keys,
each to a slot other than the old one (so no RENAME: a copy, then the old key goes), with the
stream's entry ids and TTL kept; and the mail worker's claim works on what was moved."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from api.mail.store import MailStore
from core.migrate_tenant_keys import Moved, migrate
from core.redis_clients import async_client_for, connected
from tests.support.redis_cluster import LocalRedisCluster

pytestmark = pytest.mark.slow


@pytest.fixture
async def cluster(redis_cluster: LocalRedisCluster) -> AsyncIterator[tuple[Redis, str]]:
    """A cluster client and a prefix of this test's own (its keys removed after)."""
    client: Redis = async_client_for(redis_cluster.url, cluster=True)  # type: ignore[assignment]
    await connected(client)
    prefix = f"sbtest-migrate-{uuid.uuid4().hex[:8]}"
    yield client, prefix
    async for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        await client.unlink(key)
    await client.aclose()


def handoff(session: str) -> dict[str, Any]:
    return {"mail_id": f"mail_{uuid.uuid4().hex[:16]}", "session_name": session,
            "email_to": ["desk@example.com"], "subject": "s", "body": "b", "escalation": {},
            "created_at": int(time.time()), "tenant_id": "harbor"}  # fmt: skip


async def test_streams_and_the_outbox_move_across_slots_with_their_ids(
    cluster: tuple[Redis, str],
) -> None:
    redis, prefix = cluster
    session = f"session_{uuid.uuid4().hex[:16]}"
    summary = {"session_name": session, "status": "manual_live", "tenant_id": "harbor"}
    await redis.hset(f"{prefix}:sup:idx", session, json.dumps(summary))  # type: ignore[misc]
    await redis.zadd(f"{{{prefix}:sup:idx}}:manual_live", {session: 1.0})
    old_stream = f"{prefix}:events:session:{session}"
    ids = [await redis.xadd(old_stream, {"d": json.dumps({"n": n})}) for n in range(3)]
    await redis.expire(old_stream, 600)
    await redis.xadd(f"{prefix}:events:t:harbor:workbench", {"d": "{}"})
    mail = handoff(session)
    await redis.rpush(f"{prefix}:sup:outbox", json.dumps(mail))  # type: ignore[misc]
    sent = {"state": "sent", "attempts": 1, "session_name": session, "updated_at": time.time()}
    await redis.hset(f"{{{prefix}:sup:outbox}}:status", "mail_earlier", json.dumps(sent))  # type: ignore[misc]

    moved = await migrate(redis, prefix)
    assert (moved.sessions, moved.streams, moved.mails, moved.mail_records) == (1, 2, 1, 1)
    new_stream = f"{prefix}:t:harbor:events:session:{session}"
    assert key_slot(new_stream.encode()) != key_slot(old_stream.encode())
    rows: Any = await redis.xrange(new_stream)
    assert [r[0] for r in rows] == ids  # the SSE ids a client resumes from
    assert 0 < await redis.ttl(new_stream) <= 600
    assert await redis.xlen(f"{prefix}:t:harbor:events:workbench") == 1
    assert not [k async for k in redis.scan_iter(match=f"{prefix}:events:*")]

    store = MailStore(redis, prefix)
    earlier = await store.status("mail_earlier", "harbor")
    assert earlier is not None and earlier.state == "sent"
    claim = await store.claim(lease_seconds=30)  # one tenant's slot, on the cluster
    assert claim is not None and claim.tenant == "harbor"
    assert claim.mail.mail_id == mail["mail_id"]
    assert await store.claim(lease_seconds=30) is None
    assert await migrate(redis, prefix) == Moved()
