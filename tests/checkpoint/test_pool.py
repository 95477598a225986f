"""The async saver's connections under concurrency: kept for reuse, never more than the pool.

Connections are counted at the socket (a redis-py connection class that counts real connects),
against the real Redis. With 8 idle connections kept (before this pool), 32 concurrent runs
opened and closed hundreds of connections (a handshake of several round trips each).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.connection import Connection

from graphs.checkpoint import AsyncRedisSaver
from graphs.checkpoint.transport import POOL_SIZE
from tests.checkpoint.conftest import REDIS_URL
from tests.checkpoint.sample_graphs import linear_builder


class ConnectCounting(Connection):
    opened = 0

    async def connect(self) -> None:
        if not self.is_connected:
            type(self).opened += 1
        await super().connect()


@pytest.fixture
async def client() -> AsyncIterator[Redis]:
    redis = Redis.from_url(REDIS_URL, connection_class=ConnectCounting)
    yield redis
    await redis.aclose()


async def _rounds(saver: AsyncRedisSaver, concurrent: int, rounds: int) -> None:
    app = linear_builder(10).compile(checkpointer=saver)
    for r in range(rounds):
        results = await asyncio.gather(
            *(
                app.ainvoke({"count": 0}, {"configurable": {"thread_id": f"t-{r}-{k}"}})
                for k in range(concurrent)
            )
        )
        assert [res["count"] for res in results] == [10] * concurrent


async def test_32_concurrent_runs_reuse_their_connections(client: Redis, prefix: str) -> None:
    saver = AsyncRedisSaver(client, key_prefix=prefix)
    await saver.setup()
    try:
        before = ConnectCounting.opened
        await _rounds(saver, concurrent=32, rounds=4)
        opened = ConnectCounting.opened - before
    finally:
        await saver.aclose()
    # 4 rounds x 32 runs x 21 saver calls; a run can have a checkpoint and its writes in
    # flight at once, so up to 64 calls: never more connections than the pool (64).
    assert 1 <= opened <= POOL_SIZE, opened


async def test_calls_past_the_pool_wait_instead_of_opening_more(client: Redis, prefix: str) -> None:
    saver = AsyncRedisSaver(client, key_prefix=prefix, pool_size=4)
    await saver.setup()
    try:
        before = ConnectCounting.opened
        await _rounds(saver, concurrent=32, rounds=2)
        opened = ConnectCounting.opened - before
        state = await saver.aget_tuple({"configurable": {"thread_id": "t-1-31"}})
    finally:
        await saver.aclose()
    assert 1 <= opened <= 4, opened
    assert state is not None and state.checkpoint["channel_values"]["count"] == 10
