"""Checkpoint saver benchmark: AsyncRedisSaver vs InMemorySaver vs AsyncSqliteSaver (file).

Run on demand (not collected by pytest):

    .venv/bin/python -m tests.benchmarks.bench_checkpoint [--runs 300] [--nodes 10]

A linear graph of `--nodes` nodes is invoked `--runs` times per saver, each run on a new thread,
the savers interleaved run by run (rotating who goes first) so machine noise hits all of them
alike. Per superstep = run wall time / nodes. Redis commands come from the server's
INFO commandstats delta (server-wide: other clients of the same Redis add noise); round trips
are counted at the client socket.
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

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        await super().send_packed_command(command, check_health)


async def _commands_total(client: Redis) -> int:
    stats = await client.info("commandstats")
    return sum(int(v["calls"]) for v in stats.values())


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def bench(runs: int, nodes: int) -> list[dict[str, Any]]:
    prefix = f"sbbench-{uuid.uuid4().hex[:8]}"
    client = Redis.from_url(REDIS_URL, connection_class=CountingConnection)
    admin = Redis.from_url(REDIS_URL)
    redis_saver = AsyncRedisSaver(client, key_prefix=prefix)
    await redis_saver.setup()
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
            commands = trips = 0

            async def one(name: str, i: int, record: bool) -> None:
                nonlocal commands, trips
                config = {"configurable": {"thread_id": f"{name}-{i}-{record}"}}
                before = (await _commands_total(admin), CountingConnection.sends)
                started = time.perf_counter()
                result = await apps[name].ainvoke({"count": 0}, config)
                elapsed = time.perf_counter() - started
                assert result["count"] == nodes
                if name == "AsyncRedisSaver" and record:
                    commands += await _commands_total(admin) - before[0] - 1  # minus INFO
                    trips += CountingConnection.sends - before[1]
                if record:
                    times[name].append(elapsed / nodes * 1000)

            for i in range(20):  # warm-up: imports, connections, script cache, sqlite tables
                for name in names:
                    await one(name, i, False)
            for i in range(runs):
                shift = i % len(names)
                for name in names[shift:] + names[:shift]:
                    await one(name, i, True)
    await redis_saver.aclose()
    await client.aclose()
    async for key in admin.scan_iter(match=f"{prefix}:*", count=5000):
        await admin.unlink(key)
    await admin.aclose()

    base = statistics.mean(times["InMemorySaver"])
    rows = []
    for name in names:
        mean = statistics.mean(times[name])
        row: dict[str, Any] = {
            "saver": name,
            "mean_ms": mean,
            "p95_ms": _p95(times[name]),
            "ratio": mean / base,
        }
        if name == "AsyncRedisSaver":
            row["commands"] = commands / (runs * nodes)
            row["trips"] = trips / (runs * nodes)
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]], runs: int, nodes: int) -> str:
    def cell(r: dict[str, Any], k: str) -> str:
        return f"{r[k]:.2f}" if k in r else "-"

    lines = [
        f"{nodes}-node linear graph, {runs} runs per saver, interleaved; "
        f"per superstep = run time / {nodes}",
        "",
        "| saver | mean ms/superstep | p95 ms/superstep | mean vs InMemorySaver "
        "| Redis commands/superstep | Redis round trips/superstep |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['saver']} | {r['mean_ms']:.3f} | {r['p95_ms']:.3f} | {r['ratio']:.2f}x "
            f"| {cell(r, 'commands')} | {cell(r, 'trips')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--nodes", type=int, default=10)
    args = parser.parse_args()
    rows = asyncio.run(bench(args.runs, args.nodes))
    print(render(rows, args.runs, args.nodes))


if __name__ == "__main__":
    main()
