"""At most one Redis round trip per hot-path call (aput, aput_writes, aget_tuple).

Counted at the socket: a connection class that counts `send_packed_command`, the only way
redis-py writes a request (a pipeline or MULTI/EXEC is one call, then the replies are read).
Also on a Redis Cluster, where the one exception is a run's first checkpoint in a thread
whose run-index key lives on another node (written first, one more round trip).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from langgraph.checkpoint.serde.types import INTERRUPT
from redis.asyncio import Redis
from redis.asyncio.connection import Connection

import graphs.checkpoint.aio as aio_module
from graphs.checkpoint import AsyncRedisSaver
from graphs.checkpoint.base import CheckpointStoreUnavailable, LuaScript
from graphs.checkpoint.cluster import ClusterRoundTrips, slot_of
from graphs.checkpoint.transport import make_async_client
from tests.checkpoint.conftest import ON_BOTH, Store
from tests.checkpoint.sample_graphs import linear_builder
from tests.mcp_http import free_port


class CountingConnection(Connection):
    """Counts request sends; a new connection's handshake (HELLO, CLIENT SETINFO, ...) is the
    pool's cost, not a saver call's, and happens more often on a loaded machine."""

    sends = 0
    _handshaking = False

    async def on_connect(self) -> None:
        self._handshaking = True
        try:
            await super().on_connect()
        finally:
            self._handshaking = False

    async def check_health(self) -> None:  # the pool's PING, not a saver call
        self._handshaking = True
        try:
            await super().check_health()
        finally:
            self._handshaking = False

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if not self._handshaking:
            type(self).sends += 1
        await super().send_packed_command(command, check_health)


class CountingSaver(AsyncRedisSaver):
    calls = 0

    async def aput(self, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return await super().aput(*args, **kwargs)

    async def aput_writes(self, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return await super().aput_writes(*args, **kwargs)

    async def aget_tuple(self, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return await super().aget_tuple(*args, **kwargs)


pytestmark = ON_BOTH


@pytest.fixture(params=[None, 60], ids=["no-ttl", "ttl"])
async def counted(
    request: pytest.FixtureRequest, prefix: str, store: Store
) -> AsyncIterator[CountingSaver]:
    if store.cluster:
        client: Any = make_async_client(store.url, cluster=True)
    else:
        client = Redis.from_url(store.url, connection_class=CountingConnection)
    saver = CountingSaver(client, key_prefix=prefix, ttl_seconds=request.param)
    if isinstance(saver.redis, ClusterRoundTrips):
        saver.redis.connection_class = CountingConnection
    await saver.setup()
    # Warm up: a new connection's handshake (CLIENT SETINFO, ...) is paid once, not per call
    # (on a cluster: once per node, so every primary gets a connection first).
    await saver.aget_tuple({"configurable": {"thread_id": "warm-up", "checkpoint_ns": ""}})
    if isinstance(saver.redis, ClusterRoundTrips):
        await saver.redis.load_script(aio_module.GET_TUPLE_LUA)
    yield saver
    await saver.aclose()
    await client.aclose()


def _trips(fn_result_before: int) -> int:
    return CountingConnection.sends - fn_result_before


def _run_key_elsewhere(saver: AsyncRedisSaver, run_id: str, thread_id: str) -> int:
    """1 when the run's index key is served by another cluster node than the thread."""
    if not isinstance(saver.redis, ClusterRoundTrips):
        return 0
    manager = saver.redis.cluster.nodes_manager
    run_node = manager.get_node_from_slot(slot_of(saver.run_key(run_id)))
    thread_node = manager.get_node_from_slot(slot_of(saver.thread_keys(thread_id).idx))
    return int(run_node.name != thread_node.name)


async def test_each_hot_path_call_is_one_round_trip(counted: CountingSaver) -> None:
    config = {"configurable": {"thread_id": "rt", "checkpoint_ns": ""}}
    checkpoint = {
        "v": 1,
        "id": "1f0a0000-0000-6000-8000-000000000001",
        "ts": "2026-01-01T00:00:00+00:00",
        "channel_values": {"a": [1, 2, 3], "b": "x", "c": {"k": 1}},
        "channel_versions": {"a": "1", "b": "1", "c": "1"},
        "versions_seen": {"n": {"a": "1"}},
        "updated_channels": None,
    }
    before = CountingConnection.sends
    stored = await counted.aput(
        config, checkpoint, {"step": 1, "run_id": "r1"}, {"a": "1", "b": "1", "c": "1"}
    )
    assert _trips(before) == 1 + _run_key_elsewhere(counted, "r1", "rt")

    before = CountingConnection.sends
    await counted.aput_writes(stored, [("a", 1), ("b", 2), ("c", 3)], "task", "~p")
    assert _trips(before) == 1
    before = CountingConnection.sends
    await counted.aput_writes(stored, [(INTERRUPT, "stop")], "task", "~p")
    assert _trips(before) == 1

    for cfg in (stored, config):  # by id and latest
        before = CountingConnection.sends
        tup = await counted.aget_tuple(cfg)
        assert _trips(before) == 1
        assert tup is not None and len(tup.pending_writes or []) == 4
        assert tup.checkpoint["channel_values"] == checkpoint["channel_values"]

    before = CountingConnection.sends
    assert (
        await counted.aget_tuple({"configurable": {"thread_id": "none", "checkpoint_ns": ""}})
        is None
    )
    assert _trips(before) == 1

    before = CountingConnection.sends  # the run's index entry for this thread is written once
    second = {**checkpoint, "id": "1f0a0000-0000-6000-8000-000000000002"}
    await counted.aput(stored, second, {"step": 2, "run_id": "r1"}, {})
    assert _trips(before) == 1


async def test_a_whole_run_needs_at_most_one_round_trip_per_call(counted: CountingSaver) -> None:
    app = linear_builder(10).compile(checkpointer=counted)
    # durability="sync": every checkpoint is written before the run goes on, so no write of the
    # warm-up run is still in flight (counted as a call, sent later) when the counters are read
    # (under load a late write made this flaky: 28 sends for 24 calls).
    await app.ainvoke({"count": 0}, {"configurable": {"thread_id": "warm"}}, durability="sync")
    calls, sends = CountingSaver.calls, CountingConnection.sends
    result = await app.ainvoke(
        {"count": 0}, {"configurable": {"thread_id": "run"}}, durability="sync"
    )
    assert result["count"] == 10
    calls, sends = CountingSaver.calls - calls, CountingConnection.sends - sends
    assert calls >= 20  # 11 checkpoints, 10 task writes, the initial read
    assert sends <= calls, (sends, calls)


async def test_lost_script_costs_one_extra_trip_once(
    counted: CountingSaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = LuaScript.of(aio_module.GET_TUPLE_LUA.text + f"\n-- {uuid.uuid4()}\n")
    monkeypatch.setattr(aio_module, "GET_TUPLE_LUA", fresh)
    config = {"configurable": {"thread_id": "noscript", "checkpoint_ns": ""}}
    before = CountingConnection.sends
    assert await counted.aget_tuple(config) is None
    assert _trips(before) == 2  # EVALSHA -> NOSCRIPT, then EVAL (which caches it)
    before = CountingConnection.sends
    assert await counted.aget_tuple(config) is None
    assert _trips(before) == 1


def _exit_writes(saver: AsyncRedisSaver, thread_id: str) -> tuple[Any, Any]:
    """What a run stopping at an interrupt saves (durability "exit"): its checkpoint and the
    interrupted task's writes, asked for from two tasks started in the same turn of the loop."""
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    checkpoint = {
        "v": 4,
        "id": "1f0a0000-0000-6000-8000-00000000000a",
        "ts": "2026-01-01T00:00:00+00:00",
        "channel_values": {"a": [1, 2, 3], "b": "x"},
        "channel_versions": {"a": "1", "b": "1"},
        "versions_seen": {"n": {"a": "1"}},
        "updated_channels": None,
    }
    at = {"configurable": {**config["configurable"], "checkpoint_id": checkpoint["id"]}}
    return (
        saver.aput(config, checkpoint, {"step": 1, "run_id": "r-exit"}, {"a": "1", "b": "1"}),
        saver.aput_writes(at, [(INTERRUPT, "stop"), ("__resume__", "go")], "task", "~p"),
    )


async def test_writes_asked_for_together_share_one_round_trip(counted: CountingSaver) -> None:
    before = CountingConnection.sends
    stored, _ = await asyncio.gather(*_exit_writes(counted, "exit"))
    assert _trips(before) == 1 + _run_key_elsewhere(counted, "r-exit", "exit")
    tup = await counted.aget_tuple({"configurable": {"thread_id": "exit", "checkpoint_ns": ""}})
    assert tup is not None and tup.config == stored
    assert tup.checkpoint["channel_values"] == {"a": [1, 2, 3], "b": "x"}
    assert sorted((c, v) for _, c, v in tup.pending_writes or []) == [
        ("__interrupt__", "stop"), ("__resume__", "go")
    ]  # fmt: skip


async def test_a_lost_write_script_in_a_shared_round_trip_is_sent_again(
    counted: CountingSaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = LuaScript.of(aio_module.PUT_WRITES_LUA.text + f"\n-- {uuid.uuid4()}\n")
    monkeypatch.setattr(aio_module, "PUT_WRITES_LUA", fresh)
    before = CountingConnection.sends
    await asyncio.gather(*_exit_writes(counted, "exit-noscript"))
    # both in one trip, then the writes' EVAL (which caches the script)
    assert _trips(before) == 2 + _run_key_elsewhere(counted, "r-exit", "exit-noscript")
    config = {"configurable": {"thread_id": "exit-noscript", "checkpoint_ns": ""}}
    tup = await counted.aget_tuple(config)
    assert tup is not None and len(tup.pending_writes or []) == 2


async def test_a_failed_shared_round_trip_fails_every_write_in_it(backend: str) -> None:
    """Redis unreachable (nothing listens on the port): each write raises the saver's 503."""
    client = make_async_client(f"redis://127.0.0.1:{free_port()}/0")
    saver = AsyncRedisSaver(client, key_prefix="sbtest-cp-down", timeout_seconds=1)
    try:
        results = await asyncio.gather(*_exit_writes(saver, "down"), return_exceptions=True)
    finally:
        await saver.aclose()
        await client.aclose()
    assert [type(r) for r in results] == [CheckpointStoreUnavailable] * 2
