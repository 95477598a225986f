"""Operations across threads stay correct without cross-slot scripts, on one Redis and on a
Redis Cluster whose threads live on different masters; a failover answers 503, then heals.

The run index (`P:cp:r:R`) is written before the checkpoint, so it may name a thread too many
(never too few): `delete_for_runs` must tolerate such entries.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio.connection import Connection

from core.redis_clients import SyncClient, redis_down
from graphs.checkpoint import AsyncRedisSaver, CheckpointStoreUnavailable
from graphs.checkpoint.base import escape
from graphs.checkpoint.cluster import ClusterRoundTrips, slot_of
from tests.checkpoint.conftest import ON_BOTH
from tests.checkpoint.sample_graphs import linear_builder
from tests.support.redis_cluster import LocalRedisCluster


def _checkpoint(n: int) -> dict[str, Any]:
    return {
        "v": 1,
        "id": f"1f0a0000-0000-6000-8000-{n:012d}",
        "ts": "2026-01-01T00:00:00+00:00",
        "channel_values": {"n": n},
        "channel_versions": {"n": f"{n:032}.1"},
        "versions_seen": {},
        "updated_channels": None,
    }


def _node(saver: AsyncRedisSaver, thread: str) -> str:
    if not isinstance(saver.redis, ClusterRoundTrips):
        return "single"
    manager = saver.redis.cluster.nodes_manager
    return manager.get_node_from_slot(slot_of(saver.thread_keys(thread).idx)).name


def _threads_on_distinct_nodes(saver: AsyncRedisSaver, count: int) -> list[str]:
    """Thread ids served by `count` different masters (any ids on one Redis)."""
    chosen: dict[str, str] = {}
    for i in range(1000):
        node = _node(saver, f"thread-{i}")
        if node not in chosen or node == "single":
            chosen[node if node != "single" else str(i)] = f"thread-{i}"
        if len(chosen) == count:
            return list(chosen.values())
    raise AssertionError(f"fewer than {count} nodes")


async def _put(saver: AsyncRedisSaver, thread: str, n: int, run: str, parent: Any) -> Any:
    config = parent or {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    checkpoint = _checkpoint(n)
    metadata = {"run_id": run, "step": n}
    return await saver.aput(config, checkpoint, metadata, checkpoint["channel_versions"])


async def _steps(saver: AsyncRedisSaver, thread: str) -> list[int]:
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    return [t.metadata["step"] async for t in saver.alist(config)]


@ON_BOTH
async def test_runs_copy_and_prune_across_threads_on_different_nodes(
    saver: AsyncRedisSaver, store_client: SyncClient
) -> None:
    *threads, target = _threads_on_distinct_nodes(saver, 3)
    for t, thread in enumerate(threads):
        config = None
        for n in range(3):  # steps 0, 1 by run "old", step 2 by run "new"
            config = await _put(saver, thread, 10 * t + n, "old" if n < 2 else "new", config)
    await saver.acopy_thread(threads[0], target)  # another node: two MULTIs, index first
    assert await _steps(saver, target) == [2, 1, 0]

    await saver.adelete_for_runs(["new"])  # one DROP script per thread, each in its slot
    assert await _steps(saver, threads[0]) == [1, 0]
    assert await _steps(saver, threads[1]) == [11, 10]
    assert await _steps(saver, target) == [1, 0]  # the copy was indexed under the run too
    assert store_client.exists(saver.run_key("new")) == 0

    await saver.aprune([threads[0], threads[1], target], strategy="keep_latest")
    for thread, latest in ((threads[0], 1), (threads[1], 11), (target, 1)):
        assert await _steps(saver, thread) == [latest]
        tup = await saver.aget_tuple({"configurable": {"thread_id": thread, "checkpoint_ns": ""}})
        assert tup is not None and tup.checkpoint["channel_values"] == {"n": latest}


@ON_BOTH
async def test_a_failed_checkpoint_write_leaves_only_a_tolerated_index_entry(
    saver: AsyncRedisSaver, store_client: SyncClient
) -> None:
    broken, healthy = _threads_on_distinct_nodes(saver, 2)
    store_client.set(saver.thread_keys(broken).cp, b"not a hash")  # the script's first write fails
    config = {"configurable": {"thread_id": broken, "checkpoint_ns": ""}}
    with pytest.raises(CheckpointStoreUnavailable):
        await saver.aput(config, _checkpoint(1), {"run_id": "r9", "step": 1}, {})
    # The index was written first: it names the thread, which has no checkpoint of the run.
    assert store_client.zrange(saver.run_key("r9"), 0, -1) == [escape(broken).encode()]
    assert store_client.exists(saver.thread_keys(broken).idx) == 0

    await _put(saver, healthy, 2, "r9", None)
    await saver.adelete_for_runs(["r9"])  # the stale entry is skipped, the real one dropped
    assert await _steps(saver, healthy) == []
    assert store_client.exists(saver.run_key("r9")) == 0


@pytest.mark.slow
async def test_failover_answers_503_then_heals_by_itself(tmp_path: Path) -> None:
    """Kill the master serving a thread mid-load: calls fail with the typed 503 error (never
    another error) while the replica is elected, then succeed again with no intervention."""
    cluster = LocalRedisCluster(tmp_path)
    cluster.start()
    try:
        async with AsyncRedisSaver.from_url(cluster.url, key_prefix="fo", cluster=True) as saver:
            app = linear_builder(3).compile(checkpointer=saver)
            thread = _threads_on_distinct_nodes(saver, 1)[0]
            config = {"configurable": {"thread_id": thread}}
            assert (await app.ainvoke({"count": 0}, config))["count"] == 3
            await asyncio.sleep(0.5)  # replication is asynchronous: let the replica catch up
            cluster.kill(int(_node(saver, thread).rsplit(":", 1)[1]))

            errors: list[BaseException] = []
            started = time.monotonic()
            while time.monotonic() - started < 30:
                try:
                    result = await app.ainvoke({"count": 0}, config)
                    break
                except Exception as error:
                    errors.append(error)
                    await asyncio.sleep(0.2)
            else:
                raise AssertionError(f"no recovery within 30 s: {errors[-3:]}")
            healed_after = time.monotonic() - started
            assert errors, "the failover went unnoticed: was the right master killed?"
            assert all(isinstance(e, CheckpointStoreUnavailable) for e in errors), errors
            assert all(e.status == 503 and redis_down(e.__cause__ or e) for e in errors)
            assert len(result["trail"]) == 6  # the state from before the failover survived
            print(f"failover: {len(errors)} failed calls, healed after {healed_after:.1f} s")
    finally:
        cluster.stop()


class _OverlapConnection(Connection):
    """Records how many requests were being sent at the same moment (each send lingers 20 ms,
    a stand-in for the network between the API and a remote master)."""

    sending = 0
    most = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        cls = type(self)
        cls.sending += 1
        cls.most = max(cls.most, cls.sending)
        try:
            await asyncio.sleep(0.02)
        finally:
            cls.sending -= 1
        await super().send_packed_command(command, check_health)


@pytest.mark.parametrize(
    "backend", [pytest.param("cluster", marks=pytest.mark.slow)], indirect=True
)
async def test_writes_of_threads_on_three_masters_go_to_them_at_once(
    saver: AsyncRedisSaver,
) -> None:
    """Writes that one turn of the event loop batches (32 runs each stopping at once) wait for
    one round trip on a cluster, not one per master in turn (issue 23's superstep at 32 runs)."""
    assert isinstance(saver.redis, ClusterRoundTrips)
    saver.redis.connection_class = _OverlapConnection
    threads = _threads_on_distinct_nodes(saver, 3)
    for thread in threads:  # the runs' first checkpoints (their run-index writes go first)
        await _put(saver, thread, 0, "r-once", None)
    _OverlapConnection.most = 0
    await asyncio.gather(*(_put(saver, thread, 1, "r-once", None) for thread in threads))
    assert _OverlapConnection.most == 3
    for thread in threads:
        assert await _steps(saver, thread) == [1, 0]
