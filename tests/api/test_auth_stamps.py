"""The account stamps that spare each request a users-table read (real Redis)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from api.auth.stamps import AccountStamp, AccountStamps
from core.db.models import User
from core.settings import Settings


@pytest.fixture
async def redis(test_settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(test_settings.redis_url)
    yield client
    await client.aclose()


def stamps(redis: Redis, database: str) -> AccountStamps:
    return AccountStamps(redis, "sbtest", database, ttl_seconds=30)


def user(version: int, *, role: str = "agent", active: bool = True) -> User:
    return User(id=7, username="agent007", role=role, store_id=None, token_version=version,
                is_active=active)  # fmt: skip


async def read(s: AccountStamps) -> AccountStamp | None:
    raw = await s.redis.get(s.key(7))
    return None if raw is None else AccountStamp.decode(raw)


async def test_a_reader_never_overwrites_a_writers_newer_stamp(redis: Redis) -> None:
    s = stamps(redis, f"db-{uuid.uuid4()}")
    stale = AccountStamp.of(user(0))  # read from the database before the password changed
    await s.refresh(user(1))  # the password change commits, then stores its row
    await s.fill(stale)  # the slow reader arrives late
    assert (await read(s)) == AccountStamp.of(user(1))


async def test_a_writer_replaces_what_a_reader_filled(redis: Redis) -> None:
    s = stamps(redis, f"db-{uuid.uuid4()}")
    await s.fill(AccountStamp.of(user(0)))
    await s.refresh(user(0, role="admin", active=False))
    found = await read(s)
    assert found is not None and (found.role, found.is_active) == ("admin", False)
    assert 0 < await redis.ttl(s.key(7)) <= 30


async def test_two_databases_behind_one_prefix_keep_their_own_stamps(redis: Redis) -> None:
    one, two = stamps(redis, f"db-{uuid.uuid4()}"), stamps(redis, f"db-{uuid.uuid4()}")
    await one.refresh(user(3))
    assert await read(one) == AccountStamp.of(user(3))
    assert await read(two) is None


@pytest.mark.parametrize("raw", [b"not json", b'{"user_id": 7}', b"[1, 2]"])
def test_an_unreadable_stamp_reads_as_missing(raw: bytes) -> None:
    assert AccountStamp.decode(raw) is None
