"""The event hub on the real Redis: delivery across instances, replay without loss or repeats."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from api.realtime.hub import LIVE_BUCKETS, Event, EventHub
from core.redis_clients import async_client_for
from tests.mcp_http import free_port, wait_for_port
from tests.support.redis_cluster import LocalRedisCluster

ONE_NODE = "redis://127.0.0.1:6379/0"
ON_BOTH = pytest.mark.parametrize(
    "where", ["node", pytest.param("cluster", marks=pytest.mark.slow)], indirect=True
)


@pytest.fixture
def where(request: pytest.FixtureRequest) -> tuple[str, bool]:
    """(url, cluster): the machine's Redis, or the session's local Redis Cluster."""
    if request.param == "cluster":
        cluster: LocalRedisCluster = request.getfixturevalue("redis_cluster")
        return cluster.url, True
    return ONE_NODE, False


@pytest.fixture
async def hubs(where: tuple[str, bool]) -> AsyncIterator[tuple[EventHub, EventHub]]:
    """Two hubs on one Redis (or one cluster), as two API instances would have."""
    url, cluster = where
    prefix = f"sbtest-hub-{uuid.uuid4().hex[:8]}"
    clients = [async_client_for(url, cluster=cluster, socket_timeout=None) for _ in range(2)]
    pair = (EventHub(clients[0], prefix, history=50), EventHub(clients[1], prefix, history=50))
    for hub in pair:
        await hub.start()
    yield pair
    for hub in pair:
        await hub.stop()
    keys = [k async for k in clients[0].scan_iter(f"{prefix}:*")]
    for key in keys:
        await clients[0].delete(key)
    for client in clients:
        await client.aclose()


async def take(stream: AsyncIterator[Event], n: int, wait: float = 5) -> list[Event]:
    async def collect() -> list[Event]:
        return [await anext(stream) for _ in range(n)]

    return await asyncio.wait_for(collect(), wait)


@ON_BOTH
async def test_event_published_on_one_instance_reaches_a_listener_on_the_other(
    hubs: tuple[EventHub, EventHub],
) -> None:
    a, b = hubs
    stream = b.listen("session:s1", after="0")
    listening = asyncio.ensure_future(take(stream, 2))
    await asyncio.sleep(0.1)
    await a.publish(["session:s1"], {"type": "manual_message", "content": "您好"})
    await a.publish(["session:s1", "agent:7"], {"type": "status_change", "status": "manual_live"})
    events = await listening
    assert [e[1]["type"] for e in events] == ["manual_message", "status_change"]
    assert events[0][1]["content"] == "您好"


@ON_BOTH
async def test_reconnecting_with_last_event_id_misses_nothing_and_repeats_nothing(
    hubs: tuple[EventHub, EventHub],
) -> None:
    a, b = hubs
    first = [await a.publish(["session:s2"], {"n": i}) for i in range(3)]
    seen = await take(b.listen("session:s2", after="0"), 3)
    assert [e[1]["n"] for e in seen] == [0, 1, 2]
    last_id = seen[-1][0]
    assert last_id == first[-1]["session:s2"]
    # the client is gone; two events happen; it reconnects with Last-Event-ID
    for i in (3, 4):
        await a.publish(["session:s2"], {"n": i})
    resumed = b.listen("session:s2", after=last_id)
    replayed = await take(resumed, 2)
    live_task = asyncio.ensure_future(take(resumed, 1))
    await asyncio.sleep(0.1)
    await a.publish(["session:s2"], {"n": 5})
    live = await live_task
    assert [e[1]["n"] for e in [*replayed, *live]] == [3, 4, 5]


@ON_BOTH
async def test_history_is_bounded(hubs: tuple[EventHub, EventHub]) -> None:
    a, _ = hubs
    for i in range(300):
        await a.publish(["session:s3"], {"n": i})
    kept = await a.replay("session:s3", None)
    assert 50 <= len(kept) < 300
    assert kept[-1][1]["n"] == 299


@ON_BOTH
async def test_listener_is_removed_when_the_client_goes(hubs: tuple[EventHub, EventHub]) -> None:
    _, b = hubs
    stream = b.listen("session:s4")
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    assert b.listener_count == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await stream.aclose()
    assert b.listener_count == 0


@ON_BOTH
async def test_concurrent_publishers_keep_one_order_per_channel(
    hubs: tuple[EventHub, EventHub],
) -> None:
    a, b = hubs
    stream = b.listen("session:s5", after="0")
    listening = asyncio.ensure_future(take(stream, 40))
    await asyncio.sleep(0.1)

    async def burst(hub: EventHub, who: str) -> list[Any]:
        return [await hub.publish(["session:s5"], {"who": who, "i": i}) for i in range(20)]

    await asyncio.gather(burst(a, "a"), burst(b, "b"))
    events = await listening
    ids = [e[0] for e in events]
    assert len(set(ids)) == 40
    assert ids == sorted(ids, key=lambda x: tuple(int(p) for p in x.split("-")))


def _one_channel_per_bucket(hub: EventHub) -> list[str]:
    """Session channels whose notifications use every bucket (so every master on a cluster)."""
    chosen: dict[str, str] = {}
    for i in range(10_000):
        chosen.setdefault(hub.live_key(f"session:b{i}"), f"session:b{i}")
        if len(chosen) == LIVE_BUCKETS:
            return list(chosen.values())
    raise AssertionError("buckets not all reached")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own (its pub/sub connections are dropped on purpose)."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--bind", "127.0.0.1", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process, timeout=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(10)


async def _dropping_subscriptions_loses_nothing(
    hubs: tuple[EventHub, EventHub], ports: list[int]
) -> None:
    """Sixteen channels, one per notification bucket (on a cluster spread over the masters):
    each listener on B gets A's events; then the servers drop every pub/sub connection (as a
    restarted node would) and events published right after still arrive, once, in order."""
    a, b = hubs
    channels = _one_channel_per_bucket(a)
    streams = [b.listen(channel, after="0") for channel in channels]
    listening = [asyncio.ensure_future(take(s, 3, wait=15)) for s in streams]
    await asyncio.sleep(0.2)
    for channel in channels:
        await a.publish([channel], {"n": 0})
    for port in ports:
        node = Redis(host="127.0.0.1", port=port)
        await node.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        await node.aclose()
    for n in (1, 2):
        for channel in channels:
            await a.publish([channel], {"n": n})
    for task in listening:
        assert [e[1]["n"] for e in await task] == [0, 1, 2]


@pytest.mark.slow
@pytest.mark.parametrize("where", ["cluster"], indirect=True)
async def test_every_bucket_delivers_and_a_dropped_subscription_loses_nothing(
    hubs: tuple[EventHub, EventHub], redis_cluster: LocalRedisCluster
) -> None:
    await _dropping_subscriptions_loses_nothing(hubs, redis_cluster.alive_ports())


async def test_a_dropped_subscription_on_one_redis_loses_nothing(private_redis: str) -> None:
    """On one node redis-py reconnects the subscription by itself: the hub notices the second
    round of SSUBSCRIBE confirmations and wakes its listeners."""
    prefix = f"sbtest-hub-{uuid.uuid4().hex[:8]}"
    clients = [async_client_for(private_redis, socket_timeout=None) for _ in range(2)]
    pair = (EventHub(clients[0], prefix), EventHub(clients[1], prefix))
    for hub in pair:
        await hub.start()
    try:
        port = int(private_redis.rsplit(":", 1)[1].split("/")[0])
        await _dropping_subscriptions_loses_nothing(pair, [port])
    finally:
        for hub in pair:
            await hub.stop()
        for client in clients:
            await client.aclose()
