"""Claims, capacity and the per-session lock on the real Redis; capacity through the service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from core.errors import ManualInProgress
from graphs.supervision.service import SupervisionService
from graphs.supervision.takeover import AgentAtCapacity, ClaimStore, SessionBusy, SessionLocks
from tests.supervision.helpers import ALICE, BOB, REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def claims(redis: Redis, sup_prefix: str) -> ClaimStore:
    return ClaimStore(redis, sup_prefix, provisional_ms=400)


async def test_one_claim_per_session_and_epoch(claims: ClaimStore) -> None:
    assert await claims.claim("s1", "alice", 1, 5) is True
    assert await claims.claim("s1", "alice", 1, 5) is False  # a retry by the winner
    with pytest.raises(ManualInProgress) as lost:
        await claims.claim("s1", "bob", 1, 5)
    assert lost.value.details["agent_id"] == "alice"
    with pytest.raises(ManualInProgress):
        await claims.claim("s1", "bob", 0, 5)  # an older episode never wins
    assert await claims.confirm("s1", "alice", 1)
    assert (await claims.holder("s1")).agent_id == "alice"  # type: ignore[union-attr]


async def test_twenty_concurrent_claims_on_twenty_connections_one_wins(sup_prefix: str) -> None:
    clients = [Redis.from_url(REDIS_URL, decode_responses=True) for _ in range(20)]
    stores = [ClaimStore(client, sup_prefix) for client in clients]
    try:
        outcomes = await asyncio.gather(
            *(store.claim("hot", f"agent{i}", 1, 5) for i, store in enumerate(stores)),
            return_exceptions=True,
        )
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    assert outcomes.count(True) == 1
    assert all(isinstance(o, ManualInProgress) for o in outcomes if o is not True)


async def test_a_provisional_claim_expires_unless_confirmed(claims: ClaimStore) -> None:
    await claims.claim("s1", "alice", 1, 5)
    await claims.claim("s2", "alice", 1, 5)
    await claims.confirm("s2", "alice", 1)
    await asyncio.sleep(0.6)
    assert await claims.holder("s1") is None  # the process died between claim and resume
    assert await claims.holder("s2") is not None
    assert await claims.claim("s1", "bob", 1, 5) is True
    assert await claims.sessions_of("alice") == {"s2"}


async def test_confirm_repairs_a_claim_that_expired_while_waiting(claims: ClaimStore) -> None:
    await claims.claim("s1", "alice", 1, 5)
    await asyncio.sleep(0.6)  # alice waited on the session lock longer than the claim lived
    await claims.claim("s1", "bob", 1, 5)  # bob will fail his re-check under the lock
    assert await claims.confirm("s1", "alice", 1) is False  # the graph has alice: repaired
    assert (await claims.holder("s1")).agent_id == "alice"  # type: ignore[union-attr]
    assert await claims.sessions_of("bob") == set()
    assert await claims.release("s1", "bob") is False  # bob's clean-up cannot undo it
    assert await claims.sessions_of("alice") == {"s1"}


async def test_a_stale_claim_of_an_old_episode_gives_way(claims: ClaimStore) -> None:
    await claims.claim("s1", "alice", 1, 5)
    await claims.confirm("s1", "alice", 1)
    assert await claims.claim("s1", "bob", 2, 5) is True
    assert await claims.sessions_of("alice") == set()
    assert await claims.sessions_of("bob") == {"s1"}


async def test_capacity_counts_live_claims_only(claims: ClaimStore) -> None:
    for session in ("a", "b"):
        await claims.claim(session, "alice", 1, 2)
        await claims.confirm(session, "alice", 1)
    with pytest.raises(AgentAtCapacity) as full:
        await claims.claim("c", "alice", 1, 2)
    assert full.value.code == "AGENT_AT_CAPACITY" and full.value.status == 409
    assert await claims.holder("c") is None
    assert await claims.release("a", "alice")
    assert await claims.claim("c", "alice", 1, 2) is True


async def test_transfer_and_release_only_by_the_holder(claims: ClaimStore) -> None:
    await claims.claim("s1", "alice", 1, 5)
    await claims.confirm("s1", "alice", 1)
    with pytest.raises(ManualInProgress):
        await claims.transfer("s1", "bob", "carol", 5)
    await claims.claim("x", "bob", 1, 1)
    with pytest.raises(AgentAtCapacity):
        await claims.transfer("s1", "alice", "bob", 1)
    assert (await claims.holder("s1")).agent_id == "alice"  # type: ignore[union-attr]
    await claims.transfer("s1", "alice", "carol", 5)
    assert await claims.sessions_of("alice") == set()
    assert await claims.sessions_of("carol") == {"s1"}
    assert await claims.release("s1", "alice") is False
    assert await claims.release("s1", "carol") is True
    assert await claims.holder("s1") is None and await claims.sessions_of("carol") == set()


async def test_the_session_lock_serialises_and_outlives_its_ttl(
    redis: Redis, sup_prefix: str
) -> None:
    locks = SessionLocks(redis, sup_prefix, ttl_ms=300, wait_seconds=5)
    inside, overlaps = 0, 0

    async def run() -> None:
        nonlocal inside, overlaps
        async with locks.hold("s1"):
            inside += 1
            overlaps += inside > 1
            await asyncio.sleep(0.05)
            inside -= 1

    await asyncio.gather(*(run() for _ in range(10)))
    assert overlaps == 0

    impatient = SessionLocks(redis, sup_prefix, ttl_ms=300, wait_seconds=0.2)
    async with locks.hold("s2"):
        await asyncio.sleep(0.7)  # longer than the TTL: renewed while held
        with pytest.raises(SessionBusy):
            async with impatient.hold("s2"):
                pass
    async with impatient.hold("s2"):
        pass
    assert await redis.exists(f"{sup_prefix}:sup:lock:s2") == 0


async def test_max_sessions_is_enforced_by_the_service(service: SupervisionService) -> None:
    capped = {"id": "capped", "name": "Capped", "max_sessions": 2}
    sessions = [await service.new_conversation() for _ in range(3)]
    for session in sessions:
        await service.escalate(session)
    await service.takeover(sessions[0], capped)
    await service.takeover(sessions[1], capped)
    with pytest.raises(AgentAtCapacity):
        await service.takeover(sessions[2], capped)
    assert (await service.get_session(sessions[2]))["session"]["status"] == "pending_manual"
    await service.takeover(sessions[2], BOB)  # the refused session is still free for others
    with pytest.raises(AgentAtCapacity):
        await service.transfer(sessions[2], BOB, capped)
    assert (await service.get_session(sessions[2]))["session"]["assigned_agent"]["id"] == "agent002"
    await service.release(sessions[0], capped)
    await service.transfer(sessions[2], BOB, capped)
    assert await service.sessions_of("capped") == {sessions[1], sessions[2]}


async def test_max_sessions_comes_from_the_agent_account(service: SupervisionService) -> None:
    sessions = [await service.new_conversation() for _ in range(6)]
    for session in sessions:
        await service.escalate(session)
    for session in sessions[:5]:  # agent001 is seeded with max_sessions = 5
        await service.takeover(session, ALICE)
    with pytest.raises(AgentAtCapacity):
        await service.takeover(sessions[5], ALICE)
    assert len(await service.sessions_of("agent001")) == 5
