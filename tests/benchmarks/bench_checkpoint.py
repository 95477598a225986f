"""Checkpoint saver benchmark: AsyncRedisSaver vs InMemorySaver vs AsyncSqliteSaver (file).

Run on demand (not collected by pytest):

    .venv/bin/python -m tests.benchmarks.bench_checkpoint [--runs 300] [--nodes 10]
        [--concurrency 1,32,64]

A linear graph of `--nodes` nodes is invoked `--runs` times per saver and concurrency level, each
run on a new thread. At concurrency C the runs go in rounds of C at once (asyncio.gather); the
savers are interleaved round by round (rotating who goes first) so machine noise hits all of them
alike. Per superstep = round wall time / (C x nodes), i.e. the cost of a superstep when C runs
share the process. Redis commands come from the server's INFO commandstats delta (server-wide:
other clients of the same Redis add noise); round trips and new connections are counted at the
client socket.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from redis.asyncio import Redis
from redis.asyncio.connection import Connection

from graphs.checkpoint import AsyncRedisSaver
from tests.checkpoint.sample_graphs import linear_builder

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingConnection(Connection):
    sends = 0
    connects = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        await super().send_packed_command(command, check_health)

    async def connect(self) -> None:
        if not self.is_connected:
            type(self).connects += 1
        await super().connect()


async def _commands_total(client: Redis) -> int:
    stats = await client.info("commandstats")
    return sum(int(v["calls"]) for v in stats.values())


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def bench(runs: int, nodes: int, concurrency: int) -> list[dict[str, Any]]:
    prefix = f"sbbench-{uuid.uuid4().hex[:8]}"
    client = Redis.from_url(REDIS_URL, connection_class=CountingConnection)
    admin = Redis.from_url(REDIS_URL)
    redis_saver = AsyncRedisSaver(client, key_prefix=prefix)
    await redis_saver.setup()
    rounds = max(1, runs // concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncSqliteSaver.from_conn_string(str(Path(tmp) / "bench.db")) as sqlite:
            savers: dict[str, BaseCheckpointSaver] = {
                "AsyncRedisSaver": redis_saver,
                "InMemorySaver": InMemorySaver(),
                "AsyncSqliteSaver (file)": sqlite,
            }
            builder = linear_builder(nodes)
            apps = {name: builder.compile(checkpointer=s) for name, s in savers.items()}
            names = list(apps)
            times: dict[str, list[float]] = {name: [] for name in names}
            commands = trips = connects = 0
            redis_seconds = 0.0

            async def one(name: str, thread: str) -> None:
                config = {"configurable": {"thread_id": thread}}
                result = await apps[name].ainvoke({"count": 0}, config)
                assert result["count"] == nodes

            async def round_of(name: str, r: int, record: bool) -> None:
                nonlocal commands, trips, connects, redis_seconds
                before = (
                    await _commands_total(admin),
                    CountingConnection.sends,
                    CountingConnection.connects,
                )
                started = time.perf_counter()
                await asyncio.gather(
                    *(one(name, f"{name}-{r}-{k}-{record}") for k in range(concurrency))
                )
                elapsed = time.perf_counter() - started
                if name == "AsyncRedisSaver" and record:
                    commands += await _commands_total(admin) - before[0] - 1  # minus INFO
                    trips += CountingConnection.sends - before[1]
                    connects += CountingConnection.connects - before[2]
                    redis_seconds += elapsed
                if record:
                    times[name].append(elapsed / (concurrency * nodes) * 1000)

            for r in range(max(2, 20 // concurrency)):  # warm-up: imports, connections, scripts
                for name in names:
                    await round_of(name, r, False)
            for r in range(rounds):
                shift = r % len(names)
                for name in names[shift:] + names[:shift]:
                    await round_of(name, r, True)
    await redis_saver.aclose()
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
        if name == "AsyncRedisSaver":
            row["commands"] = commands / steps
            row["trips"] = trips / steps
            row["connects_per_s"] = connects / redis_seconds
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument(
        "--concurrency", default="1,32,64", help="comma-separated concurrent runs per round"
    )
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for level in (int(c) for c in args.concurrency.split(",")):
        rows += asyncio.run(bench(args.runs, args.nodes, level))
    print(render(rows, args.runs, args.nodes))


if __name__ == "__main__":
    main()
