"""Fixtures for the Redis checkpoint tests: each test gets its own key prefix, deleted after.

The tests run against the real Redis at REDIS_URL (default redis://127.0.0.1:6379/0) and only
ever delete keys under their own `sbtest-cp-*` prefixes. A test marked `@ON_BOTH` runs twice:
on that Redis (`single`) and on a local 3-master/3-replica Redis Cluster (`cluster`, started
once per session by `tests.support.redis_cluster`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from redis import Redis
from redis.cluster import RedisCluster

from core.redis_clients import SyncClient, sync_client_for
from graphs.checkpoint import AsyncRedisSaver, RedisSaver
from tests.support.redis_cluster import redis_cluster  # noqa: F401 - the session fixture

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# Parametrize a test over both stores; the cluster cases are `slow` (they share one cluster
# that takes ~2 s to start).
ON_BOTH = pytest.mark.parametrize(
    "backend", ["single", pytest.param("cluster", marks=pytest.mark.slow)], indirect=True
)


@dataclass(frozen=True, slots=True)
class Store:
    """Where a test's checkpoints go: REDIS_URL, or a node of the test cluster."""

    url: str
    cluster: bool

    def client(self) -> SyncClient:
        return sync_client_for(self.url, cluster=self.cluster)


def new_prefix() -> str:
    return f"sbtest-cp-{uuid.uuid4().hex[:10]}"


def delete_prefix(client: Redis | RedisCluster, prefix: str) -> int:
    """UNLINK every key under `prefix:` (SCAN is fine here: tests only, never the saver).
    A cluster client scans every primary and splits the UNLINK by slot."""
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
def backend(request: pytest.FixtureRequest) -> str:
    """ "single" unless a test is parametrized with ON_BOTH."""
    return getattr(request, "param", "single")


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> Store:
    if backend == "cluster":
        return Store(request.getfixturevalue("redis_cluster").url, cluster=True)
    return Store(REDIS_URL, cluster=False)


@pytest.fixture
def store_client(store: Store) -> Iterator[SyncClient]:
    """A plain (bytes) client of the test's store, for inspecting keys."""
    client = store.client()
    yield client
    client.close()


@pytest.fixture
def prefix(store_client: SyncClient) -> Iterator[str]:
    value = new_prefix()
    yield value
    delete_prefix(store_client, value)


@pytest.fixture
async def saver(prefix: str, store: Store) -> AsyncIterator[AsyncRedisSaver]:
    async with AsyncRedisSaver.from_url(
        store.url, key_prefix=prefix, cluster=store.cluster
    ) as value:
        yield value


@pytest.fixture
def sync_saver(prefix: str, store: Store) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(store.url, key_prefix=prefix, cluster=store.cluster) as value:
        yield value
