"""Checkpoint saver benchmark: AsyncRedisSaver vs InMemorySaver vs AsyncSqliteSaver (file).

Run on demand (not collected by pytest):

    .venv/bin/python -m tests.benchmarks.bench_checkpoint [--runs 300] [--nodes 10]
        [--concurrency 1,32,64]
    .venv/bin/python -m tests.benchmarks.bench_checkpoint --click-cost [--runs 200]
        [--concurrency 1,16]
    .venv/bin/python -m tests.benchmarks.bench_checkpoint --cluster [--concurrency 1,32]

`--cluster` adds AsyncRedisSaver on a local Redis Cluster (3 masters + 3 replicas started for
the run by `tests/support/redis_cluster.py`, stopped after; `--cluster-replicas 0` for masters
only: on one box the replicas' CPU competes with the run) to the rotation, next to the one on
one Redis, so both ratios to InMemorySaver come from the same rounds.

`--click-cost` measures what the service pays instead: a click on the real renewal state (see
`renewal_state.py`) with no checkpointer, InMemorySaver and AsyncRedisSaver, under the API's
durability ("exit") and LangGraph's default ("async"); the saver's cost is the difference to the
no-checkpointer run, in wall time and in this process's CPU.

A linear graph of `--nodes` nodes is invoked `--runs` times per saver and concurrency level, each
run on a new thread. At concurrency C the runs go in rounds of C at once (asyncio.gather); the
savers are interleaved round by round (rotating who goes first) so machine noise hits all of them
alike. Per superstep = round wall time / (C x nodes), i.e. the cost of a superstep when C runs
share the process. Redis commands (replies read), round trips (packed sends) and new
connections are all counted at the client's own sockets, so other clients of the shared Redis
add nothing.
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

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command, Durability
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import Connection

from graphs.checkpoint import AsyncRedisSaver
from graphs.checkpoint.cluster import ClusterRoundTrips
from graphs.checkpoint.transport import make_async_client
from tests.benchmarks.renewal_state import (
    PLAN_CHANNELS,
    capture,
    click_builder,
    serialized_sizes,
)
from tests.checkpoint.sample_graphs import linear_builder
from tests.support.redis_cluster import LocalRedisCluster

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingConnection(Connection):
    sends = 0
    connects = 0
    replies = 0  # one per command sent (MULTI and EXEC included)

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        await super().send_packed_command(command, check_health)

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        type(self).replies += 1
        return await super().read_response(*args, **kwargs)

    async def connect(self) -> None:
        if not self.is_connected:
            type(self).connects += 1
        await super().connect()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def bench(
    runs: int, nodes: int, concurrency: int, cluster_url: str | None = None
) -> list[dict[str, Any]]:
    """Per superstep of every saver, round by round in rotation. With `cluster_url` the Redis
    saver on that cluster joins the rotation as "AsyncRedisSaver (cluster)", next to the one on
    REDIS_URL, so both ratios come from the same window."""
    prefix = f"sbbench-{uuid.uuid4().hex[:8]}"
    admin = Redis.from_url(REDIS_URL)
    redis_savers: dict[str, AsyncRedisSaver] = {}
    clients: list[Redis | RedisCluster] = []
    for name, url in (("AsyncRedisSaver", None), ("AsyncRedisSaver (cluster)", cluster_url)):
        if name == "AsyncRedisSaver" or url is not None:
            clients.append(_counted_client(url))
            saver = redis_savers[name] = AsyncRedisSaver(clients[-1], key_prefix=prefix)
            if isinstance(saver.redis, ClusterRoundTrips):
                saver.redis.connection_class = CountingConnection
            await saver.setup()
    rounds = max(1, runs // concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncSqliteSaver.from_conn_string(str(Path(tmp) / "bench.db")) as sqlite:
            savers: dict[str, BaseCheckpointSaver] = {
                **redis_savers,
                "InMemorySaver": InMemorySaver(),
                "AsyncSqliteSaver (file)": sqlite,
            }
            builder = linear_builder(nodes)
            apps = {name: builder.compile(checkpointer=s) for name, s in savers.items()}
            names = list(apps)
            times: dict[str, list[float]] = {name: [] for name in names}
            counted = {name: [0, 0, 0, 0.0] for name in redis_savers}  # commands trips new s

            async def one(name: str, thread: str) -> None:
                result = await apps[name].ainvoke({"count": 0}, _cfg(thread))
                assert result["count"] == nodes

            async def round_of(name: str, r: int, record: bool) -> None:
                before = (
                    CountingConnection.replies,
                    CountingConnection.sends,
                    CountingConnection.connects,
                )
                started = time.perf_counter()
                await asyncio.gather(
                    *(one(name, f"{name}-{r}-{k}-{record}") for k in range(concurrency))
                )
                elapsed = time.perf_counter() - started
                if name in counted and record:
                    total = counted[name]
                    total[0] += CountingConnection.replies - before[0]
                    total[1] += CountingConnection.sends - before[1]
                    total[2] += CountingConnection.connects - before[2]
                    total[3] += elapsed
                if record:
                    times[name].append(elapsed / (concurrency * nodes) * 1000)

            for r in range(max(2, 20 // concurrency)):  # warm-up: imports, connections, scripts
                for name in names:
                    await round_of(name, r, False)
            for r in range(rounds):
                shift = r % len(names)
                for name in names[shift:] + names[:shift]:
                    await round_of(name, r, True)
    for saver in redis_savers.values():
        await saver.aclose()
    for client in clients:
        await client.aclose()
    async for key in admin.scan_iter(match=f"{prefix}:*", count=5000):
        await admin.unlink(key)
    await admin.aclose()

    base = statistics.mean(times["InMemorySaver"])
    steps = rounds * concurrency * nodes
    rows = []
    for name in names:
        mean = statistics.mean(times[name])
        row: dict[str, Any] = {
            "saver": name,
            "concurrency": concurrency,
            "mean_ms": mean,
            "p95_ms": _p95(times[name]),
            "ratio": mean / base,
        }
        if name in counted:
            commands, trips, connects, seconds = counted[name]
            row["commands"] = commands / steps
            row["trips"] = trips / steps
            row["connects_per_s"] = connects / seconds
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]], runs: int, nodes: int) -> str:
    def cell(r: dict[str, Any], k: str) -> str:
        return f"{r[k]:.2f}" if k in r else "-"

    lines = [
        f"{nodes}-node linear graph, {runs} runs per saver and concurrency, interleaved; "
        f"per superstep = round wall time / (concurrent runs x {nodes})",
        "",
        "| saver | concurrent runs | mean ms/superstep | p95 ms/superstep | mean vs InMemorySaver "
        "| Redis commands/superstep | Redis round trips/superstep | new connections/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['saver']} | {r['concurrency']} | {r['mean_ms']:.3f} | {r['p95_ms']:.3f} "
            f"| {r['ratio']:.2f}x | {cell(r, 'commands')} | {cell(r, 'trips')} "
            f"| {cell(r, 'connects_per_s')} |"
        )
    return "\n".join(lines)


# --- the saver's own cost on a renewal click (see tests/benchmarks/renewal_state.py) ----------

Variant = tuple[str, BaseCheckpointSaver | None, Durability | None]


async def click_cost(state: dict[str, Any], runs: int, concurrency: int) -> list[dict[str, Any]]:
    """Per click: no checkpointer vs InMemorySaver vs AsyncRedisSaver, durability exit and async.

    A click on a saver is what the API does per step: read the state (`aget_state`, the view
    checked under the session lock), then resume. Variants are interleaved round by round."""
    prefix = f"sbbench-{uuid.uuid4().hex[:8]}"
    client = Redis.from_url(REDIS_URL, connection_class=CountingConnection)
    redis_saver = AsyncRedisSaver(client, key_prefix=prefix)
    await redis_saver.setup()
    memory = InMemorySaver()
    variants: list[Variant] = [("no checkpointer", None, None)] + [
        (name, saver, mode)
        for name, saver in (("InMemorySaver", memory), ("AsyncRedisSaver", redis_saver))
        for mode in ("exit", "async")
    ]
    apps = {
        v: click_builder(state, checkpointed=v[1] is not None).compile(checkpointer=v[1])
        for v in variants
    }
    threads = {v: [f"{v[0]}-{v[2]}-{k}" for k in range(concurrency)] for v in variants}
    for v in variants[1:]:  # each thread waits at its step, as a session between clicks
        for thread in threads[v]:
            await apps[v].ainvoke(state, _cfg(thread), version="v2", durability=v[2])
    samples: dict[Variant, list[tuple[float, float]]] = {v: [] for v in variants}
    counted: dict[Variant, list[int]] = {v: [0, 0] for v in variants}  # commands, round trips

    async def click(v: Variant, thread: str) -> None:
        if v[1] is None:
            output = await apps[v].ainvoke(state, version="v2")
            assert output.value["comparison"] == state["comparison"]
            return
        await apps[v].aget_state(_cfg(thread))
        resume: Command[Any] = Command(resume={"plan_id": "bench"})
        output = await apps[v].ainvoke(resume, _cfg(thread), version="v2", durability=v[2])
        assert output.interrupts, "the click must stop at the next step"

    async def round_of(v: Variant, record: bool) -> None:
        before = (CountingConnection.replies, CountingConnection.sends)
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(click(v, t) for t in threads[v]))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if record:
            samples[v].append((wall / concurrency * 1000, cpu / concurrency * 1000))
            counted[v][0] += CountingConnection.replies - before[0]
            counted[v][1] += CountingConnection.sends - before[1]

    for _ in range(max(2, 20 // concurrency)):  # warm-up
        for v in variants:
            await round_of(v, False)
    rounds = max(1, runs // concurrency)
    for r in range(rounds):
        shift = r % len(variants)
        for v in variants[shift:] + variants[:shift]:
            await round_of(v, True)
    await redis_saver.aclose()
    await client.aclose()
    admin = Redis.from_url(REDIS_URL)
    async for key in admin.scan_iter(match=f"{prefix}:*", count=5000):
        await admin.unlink(key)
    await admin.aclose()

    base = samples[variants[0]]
    rows = []
    for v in variants:
        wall = [s[0] for s in samples[v]]
        clicks = rounds * concurrency
        # Paired by round (the variants ran back to back), median: a round the shared box
        # preempted moves the mean, not this.
        paired = [(s[0] - b[0], s[1] - b[1]) for s, b in zip(samples[v], base, strict=True)]
        rows.append(
            {
                "variant": v[0],
                "durability": v[2] or "-",
                "concurrency": concurrency,
                "wall_ms": statistics.median(wall),
                "p95_ms": _p95(wall),
                "cpu_ms": statistics.median(s[1] for s in samples[v]),
                "saver_wall_ms": statistics.median(d[0] for d in paired),
                "saver_cpu_ms": statistics.median(d[1] for d in paired),
                "commands": counted[v][0] / clicks,
                "trips": counted[v][1] / clicks,
            }
        )
    return rows


def _cfg(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def render_click_cost(rows: list[dict[str, Any]], sizes: dict[str, int], runs: int) -> str:
    top = ", ".join(f"{k} {v:,}" for k, v in list(sizes.items())[:4])
    written = sum(sizes[k] for k in PLAN_CHANNELS)
    lines = [
        f"Renewal state after list-plans + compare, from the real graph: {sum(sizes.values()):,} "
        f"bytes serialized by the saver's serde ({top}, ...); a click rewrites the plan channels "
        f"({written:,} bytes). {runs} clicks per variant and concurrency, interleaved; the API "
        "resumes with durability='exit'. Saver cost = median over rounds of (round minus the "
        "no-checkpointer round next to it); CPU = this process only (not redis-server); "
        "Redis commands and round trips counted at the client's sockets.",
        "",
        "| saver | durability | concurrent clicks | p50 wall ms/click | p95 | p50 CPU ms/click "
        "| saver cost wall ms | saver cost CPU ms | Redis commands/click | round trips/click |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        redis = r["variant"] == "AsyncRedisSaver"
        lines.append(
            f"| {r['variant']} | {r['durability']} | {r['concurrency']} | {r['wall_ms']:.2f} "
            f"| {r['p95_ms']:.2f} | {r['cpu_ms']:.2f} | {r['saver_wall_ms']:+.2f} "
            f"| {r['saver_cpu_ms']:+.2f} | {r['commands'] if redis else 0:.1f} "
            f"| {r['trips'] if redis else 0:.1f} |"
        )
    return "\n".join(lines)


async def click_cost_main(runs: int, levels: list[int]) -> str:
    """Capture the real renewal state once, then measure every concurrency level."""
    with tempfile.TemporaryDirectory() as tmp:
        state = await capture(Path(tmp))
    sizes = serialized_sizes(state, InMemorySaver().serde)
    rows: list[dict[str, Any]] = []
    for level in levels:
        rows += await click_cost(state, runs, level)
    return render_click_cost(rows, sizes, runs)


def _counted_client(cluster_url: str | None) -> Redis | RedisCluster:
    """The saver's client; on a cluster the saver's transport is given CountingConnection."""
    if cluster_url is None:
        return Redis.from_url(REDIS_URL, connection_class=CountingConnection)
    return make_async_client(cluster_url, cluster=True)  # type: ignore[return-value]


def cluster_main(runs: int, nodes: int, levels: list[int], replicas: int = 1) -> str:
    """The superstep comparison with the Redis saver on a fresh local cluster."""
    directory = Path(tempfile.mkdtemp(prefix="sbbench-cluster-"))
    cluster = LocalRedisCluster(directory, replicas=replicas)
    try:
        cluster.start()
        rows: list[dict[str, Any]] = []
        for level in levels:
            rows += asyncio.run(bench(runs, nodes, level, cluster_url=cluster.url))
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
    heading = (
        f"AsyncRedisSaver (cluster): a local Redis Cluster (3 masters, {replicas} replica(s) "
        f"each, started in {cluster.started_in_seconds:.1f} s), in the same rotation as the "
        f"others; load average {os.getloadavg()[0]:.1f} at the end\n\n"
    )
    return heading + render(rows, runs, nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument(
        "--concurrency", default="1,32,64", help="comma-separated concurrent runs per round"
    )
    parser.add_argument(
        "--click-cost",
        action="store_true",
        help="instead: the saver's own cost per renewal click (real state, exit and async)",
    )
    parser.add_argument(
        "--cluster", action="store_true", help="the Redis saver on a local Redis Cluster"
    )
    parser.add_argument(
        "--cluster-replicas", type=int, default=1, help="replicas per master with --cluster"
    )
    args = parser.parse_args()
    if args.cluster:
        levels = [int(c) for c in args.concurrency.split(",")]
        print(cluster_main(args.runs, args.nodes, levels, args.cluster_replicas))
        return
    if args.click_cost:
        levels = [int(c) for c in args.concurrency.split(",")]
        print(asyncio.run(click_cost_main(args.runs, levels)))
        return
    rows: list[dict[str, Any]] = []
    for level in (int(c) for c in args.concurrency.split(",")):
        rows += asyncio.run(bench(args.runs, args.nodes, level))
    print(render(rows, args.runs, args.nodes))


if __name__ == "__main__":
    main()
