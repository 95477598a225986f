"""The event hub on the real Redis: delivery across instances, replay without loss or repeats."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from api.realtime.hub import Event, EventHub


@pytest.fixture
async def hubs() -> AsyncIterator[tuple[EventHub, EventHub]]:
    """Two hubs on one Redis, as two API instances would have."""
    prefix = f"sbtest-hub-{uuid.uuid4().hex[:8]}"
    clients = [Redis.from_url("redis://127.0.0.1:6379/0") for _ in range(2)]
    pair = (EventHub(clients[0], prefix, history=50), EventHub(clients[1], prefix, history=50))
    for hub in pair:
        await hub.start()
    yield pair
    for hub in pair:
        await hub.stop()
    keys = [k async for k in clients[0].scan_iter(f"{prefix}:*")]
    if keys:
        await clients[0].delete(*keys)
    for client in clients:
        await client.aclose()


async def take(stream: AsyncIterator[Event], n: int, wait: float = 5) -> list[Event]:
    async def collect() -> list[Event]:
        return [await anext(stream) for _ in range(n)]

    return await asyncio.wait_for(collect(), wait)


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


async def test_history_is_bounded(hubs: tuple[EventHub, EventHub]) -> None:
    a, _ = hubs
    for i in range(300):
        await a.publish(["session:s3"], {"n": i})
    kept = await a.replay("session:s3", None)
    assert 50 <= len(kept) < 300
    assert kept[-1][1]["n"] == 299


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
