"""What the cluster-safe realtime and takeover paths cost, on one Redis and on a Redis Cluster.

Run: .venv/bin/python -m tests.benchmarks.bench_cluster_ops [--n 2000]

Starts a local 3+3 cluster (`tests.support.redis_cluster`) and uses the machine's Redis on
127.0.0.1:6379 with a prefix of its own. For each store, sequentially (one in flight, so the
numbers are round trips plus client CPU, not throughput):

* publish: `EventHub.publish` of one event to a session channel and its workbench channel
  (one node: MULTI of two XADDs + two SPUBLISH; cluster: two slots, pipelined per node);
* wake-up: publish on one hub -> a listener on another hub receives it (sharded pub/sub);
* takeover: `ClaimStore.claim` + `confirm` + `release` of a fresh session by one agent holding
  two other chats (claim script, stale check, load script; then confirm, then release).

Prints p50/p95 wall ms and client CPU µs per operation (process time / n), with the load
average (the machine is shared: wall figures are noisy, CPU per operation less so).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from api.realtime.hub import EventHub
from core.redis_clients import async_client_for, connected
from graphs.supervision.takeover import ClaimStore
from tests.support.redis_cluster import LocalRedisCluster


def _row(name: str, walls: list[float], cpu: float) -> str:
    walls = sorted(walls)
    p95 = walls[int(len(walls) * 0.95) - 1]
    return (f"| {name} | {len(walls)} | {statistics.median(walls) * 1000:.2f} | "
            f"{p95 * 1000:.2f} | {cpu / len(walls) * 1e6:.0f} |")  # fmt: skip


async def _measure(url: str, cluster: bool, n: int, label: str) -> list[str]:
    prefix = f"sbbench-cl-{uuid.uuid4().hex[:8]}"
    clients: list[Any] = [async_client_for(url, cluster=cluster, socket_timeout=None)
                          for _ in range(2)]  # fmt: skip
    for client in clients:
        await connected(client)
    a, b = EventHub(clients[0], prefix), EventHub(clients[1], prefix)
    await a.start()
    await b.start()
    rows = []
    try:
        walls: list[float] = []
        cpu = time.process_time()
        for i in range(n):
            started = time.perf_counter()
            await a.publish([f"session:s{i}", "t:default:workbench"], {"type": "x", "i": i})
            walls.append(time.perf_counter() - started)
        rows.append(_row(f"{label}: publish (2 channels)", walls, time.process_time() - cpu))

        walls, cpu = [], time.process_time()
        stream = b.listen("session:wake", after=None)
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.2)
        for i in range(min(n, 500)):
            started = time.perf_counter()
            await a.publish(["session:wake"], {"i": i})
            await first
            walls.append(time.perf_counter() - started)
            first = asyncio.ensure_future(anext(stream))
        first.cancel()
        await stream.aclose()
        rows.append(_row(f"{label}: publish -> other hub's listener", walls,
                         time.process_time() - cpu))  # fmt: skip

        store = ClaimStore(clients[0], prefix)
        for held in ("h1", "h2"):
            await store.claim(held, "agent", 1, 5)
            await store.confirm(held, "agent", 1)
        walls, cpu = [], time.process_time()
        for i in range(n):
            started = time.perf_counter()
            await store.claim(f"t{i}", "agent", 1, 5)
            await store.confirm(f"t{i}", "agent", 1)
            await store.release(f"t{i}", "agent")
            walls.append(time.perf_counter() - started)
        rows.append(_row(f"{label}: takeover claim+confirm+release", walls,
                         time.process_time() - cpu))  # fmt: skip
    finally:
        await a.stop()
        await b.stop()
        async for key in clients[0].scan_iter(match=f"*{prefix}*", count=1000):
            await clients[0].delete(key)
        for client in clients:
            await client.aclose()
    return rows


async def main(n: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="sbbench-cluster-"))
    cluster = LocalRedisCluster(directory)
    cluster.start()
    try:
        rows = await _measure("redis://127.0.0.1:6379/0", False, n, "one Redis")
        rows += await _measure(cluster.url, True, n, "cluster 3+3")
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} (1 / 5 min)")
    print("| operation | n | p50 ms | p95 ms | client CPU µs/op |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    asyncio.run(main(parser.parse_args().n))
