"""Takeover claims on a Redis Cluster, where a session's claim and an agent's load live in
different slots (no script spans both): one winner per (session, epoch), capacity never
exceeded under concurrency, and what a crash between the two steps leaves is pruned."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from core.errors import ManualInProgress
from core.redis_clients import async_client_for, connected
from graphs.supervision.takeover import AgentAtCapacity, ClaimStore
from tests.support.redis_cluster import LocalRedisCluster

pytestmark = pytest.mark.slow


@pytest.fixture
async def stores(redis_cluster: LocalRedisCluster) -> AsyncIterator[list[ClaimStore]]:
    """Four stores (four processes' clients) on one prefix."""
    prefix = f"sbtest-claims-{uuid.uuid4().hex[:8]}"
    clients: list[Redis] = [async_client_for(redis_cluster.url, cluster=True)  # type: ignore[misc]
                            for _ in range(4)]  # fmt: skip
    for client in clients:
        await connected(client)  # before the first burst (see core.redis_clients.connected)
    yield [ClaimStore(client, prefix, provisional_ms=2000) for client in clients]
    for client in clients:
        await client.aclose()


async def test_claim_and_load_are_in_different_slots_and_one_agent_wins(
    stores: list[ClaimStore],
) -> None:
    store = stores[0]
    assert key_slot(store.claim_key("s1").encode()) != key_slot(store.load_key("a0").encode())

    async def take(n: int) -> str:
        try:
            await stores[n % 4].claim("s1", f"a{n}", 1, 5)
            return f"a{n}"
        except ManualInProgress:
            return ""

    winners = [w for w in await asyncio.gather(*(take(n) for n in range(50))) if w]
    assert len(winners) == 1
    assert (await store.holder("s1")).agent_id == winners[0]  # type: ignore[union-attr]
    assert await store.sessions_of(winners[0]) == {"s1"}


async def test_capacity_is_never_exceeded_by_concurrent_takeovers(
    stores: list[ClaimStore],
) -> None:
    """One agent with room for two grabs ten chats at once on four processes: exactly two are
    claimed, and the eight refused chats are free for others at once."""

    async def take(n: int) -> bool:
        try:
            return await stores[n % 4].claim(f"c{n}", "alice", 1, 2)
        except AgentAtCapacity:
            return False

    taken = await asyncio.gather(*(take(n) for n in range(10)))
    assert sum(taken) == 2
    held = await stores[0].sessions_of("alice")
    assert len(held) == 2
    free = [f"c{n}" for n in range(10) if f"c{n}" not in held]
    assert all([await stores[1].holder(name) is None for name in free])
    assert await stores[1].claim(free[0], "bob", 1, 2) is True


async def test_a_crash_between_claim_and_load_steps_leaves_nothing_that_blocks(
    stores: list[ClaimStore],
) -> None:
    """A release whose process died after freeing the claim but before the load entry (and a
    provisional claim that expired) leave load entries naming chats the agent no longer holds:
    the next count prunes them."""
    store = stores[0]
    await store.claim("x1", "carol", 1, 2)
    await store.confirm("x1", "carol", 1)
    await store.claim("x2", "carol", 1, 2)  # never confirmed: expires after 2 s
    await store.redis.delete(store.claim_key("x1"))  # released, crash before the load update
    assert await store.claim("x3", "carol", 1, 2) is True  # x1's entry was pruned
    await store.confirm("x3", "carol", 1)
    with pytest.raises(AgentAtCapacity):  # x2's provisional claim still counts
        await store.claim("x4", "carol", 1, 2)
    await asyncio.sleep(2.2)
    assert await store.claim("x4", "carol", 1, 2) is True  # ... until it expired
    assert await store.sessions_of("carol") == {"x3", "x4"}
    members = await store.redis.zrange(store.load_key("carol"), 0, -1)
    assert sorted(m.decode() if isinstance(m, bytes) else m for m in members) == ["x3", "x4"]
