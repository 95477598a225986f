"""Fixtures for the Redis checkpoint tests: each test gets its own key prefix, deleted after.

The tests run against the real Redis at REDIS_URL (default redis://127.0.0.1:6379/0) and only
ever delete keys under their own `sbtest-cp-*` prefixes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis import Redis

from graphs.checkpoint import AsyncRedisSaver, RedisSaver

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def new_prefix() -> str:
    return f"sbtest-cp-{uuid.uuid4().hex[:10]}"


def delete_prefix(client: Redis, prefix: str) -> int:
    """UNLINK every key under `prefix:` (SCAN is fine here: tests only, never the saver)."""
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}:*", count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            deleted += client.unlink(*batch)
            batch.clear()
    if batch:
        deleted += client.unlink(*batch)
    return deleted


@pytest.fixture(scope="session")
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Redis) -> Iterator[str]:
    value = new_prefix()
    yield value
    delete_prefix(redis_client, value)


@pytest.fixture
async def saver(prefix: str) -> AsyncIterator[AsyncRedisSaver]:
    async with AsyncRedisSaver.from_url(REDIS_URL, key_prefix=prefix) as value:
        yield value


@pytest.fixture
def sync_saver(prefix: str) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(REDIS_URL, key_prefix=prefix) as value:
        yield value
