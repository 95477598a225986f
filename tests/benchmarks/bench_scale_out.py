"""Journeys/s and serving CPU per request with 1, 2 and 4 API instances, on one Redis and on a
Redis Cluster (issue 23), interleaved in one window; the figures behind docs/sizing.md.

Run: .venv/bin/python -m tests.benchmarks.bench_scale_out [--instances 1,2,4] [--staff 12]
     [--customers 8] [--window 20] [--rounds 1] [--stores single,cluster] [--kinds renewals,chats]
     .venv/bin/python -m tests.benchmarks.bench_scale_out --sizing   (docs/sizing.md's tables)

Per store it prepares what `bench_api` prepares (back office with plenty of stock, the search
index, a seeded PostgreSQL database of its own) and a Redis of its own: a private
`redis-server` ("single") or a local 3 masters + 3 replicas cluster (`tests.support.
redis_cluster`, "cluster", `REDIS_CLUSTER=true`, each instance told another startup node).
Then it starts the largest number of API instances on each store (uvicorn, one worker each,
every one with its own MCP server children), and measures, round after round, for each instance
count and each store in turn (single 1, cluster 1, single 2, cluster 2, ...; idle instances
stay up and are not counted):

- **renewals**: `--staff` staff doing the renewal journey of `bench_api_journeys` back to back
  (no think time: saturation), split evenly over the instances (each member stays on one
  instance, as behind a sticky load balancer; any instance could serve any click);
- **chats**: `--customers` website customers, each a chat of `CHAT_TURNS` messages to the AI
  (`POST /api/chat`, offline model, the default tenant's widget) and then a new chat, split the
  same way.

Each is one window of `--window` s. CPU per request = user+sys CPU (/proc) of the instances in
use and their MCP children ("serving"), and of the store's redis-server processes ("redis"),
over the window and the requests still in flight at its end, divided by those requests (the
cluster's primaries and replicas apart); "Redis KB per unit" is how much the primaries'
`used_memory` grew per finished journey or chat. An idle floor (CPU per second of every
instance and the Redis with no traffic) is printed first. The
PostgreSQL server is shared with the machine and not counted. The load generator runs on the
same cores, so journeys/s is what this 2-core box gives, not what instances would give on their
own machines: use the CPU per request for sizing. Prints the load average with every row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from redis import Redis

from core.db.models import DEFAULT_TENANT
from core.db.seed import DEMO_SITE_KEYS
from tests.api_http import api_env, start_api, stop_api
from tests.benchmarks.bench_api import client, staff_of, warm_up
from tests.benchmarks.bench_api_journeys import Staff
from tests.benchmarks.bench_servers import (
    Served,
    bench_settings,
    private_redis,
    service_database,
    sign_in,
)
from tests.benchmarks.proc_cpu import cpu_by_role
from tests.benchmarks.sizing import CHAT_TURNS, print_tables
from tests.mcp_http import free_port, wait_for_port
from tests.support.redis_cluster import LocalRedisCluster

# What customers ask the AI (no words that ask for a human: those chats would wait for an agent).
CHAT_TEXTS = (
    "你好",
    "請問 5G 吃到飽方案有哪些？",
    "我想知道 iPhone 續約有什麼優惠",
    "帳單什麼時候會寄出？",
    "出國要怎麼開通國際漫遊",
    "謝謝",
)
NO_LIMITS = {
    name: "1000000"
    for name in ("CHAT_RATE_PER_SESSION", "CHAT_RATE_PER_IP", "CONVERSATION_RATE_PER_IP")
}


@dataclass
class Store:
    """One Redis (or cluster) with its API instances, database and back office."""

    name: str
    servers: list[Served]
    masters: dict[int, int]  # port -> pid of each primary (the one Redis: itself)
    replicas: list[int] = field(default_factory=list)  # pids
    tokens: list[str] = field(default_factory=list)

    def used_memory(self) -> int:
        """Bytes the primaries hold (INFO used_memory, summed)."""
        total = 0
        for port in self.masters:
            with Redis(port=port) as node:
                total += int(node.info("memory")["used_memory"])
        return total


@dataclass
class Measured:
    store: str
    instances: int
    kind: str  # "renewals" or "chats"
    seconds: float
    requests: int  # clicks or chat turns answered inside the window
    units: int  # journeys or chats finished inside the window
    cpu_ms: dict[str, float]  # per request, by role
    load: float
    problems: dict[str, int]
    memory: int = 0  # bytes the Redis primaries grew by over the window

    def row(self) -> str:
        unit = "journeys" if self.kind == "renewals" else "chats"
        return (
            f"| {self.store} | {self.instances} | {self.kind} "
            f"| {self.units / self.seconds:.2f} {unit}/s | {self.requests / self.seconds:.1f} "
            f"| {self.cpu_ms.get('server', 0):.1f} | {self.cpu_ms.get('mcp servers', 0):.1f} "
            f"| **{self.serving:.1f}** | {self.cpu_ms.get('redis', 0):.2f} "
            f"| {self.cpu_ms.get('redis replicas', 0):.2f} "
            f"| {self.memory / 1024 / max(1, self.units):.0f} "
            f"| {self.cpu_ms.get('load generator', 0):.1f} | {self.load:.1f} "
            f"| {dict(self.problems) or '-'} |"
        )

    @property
    def serving(self) -> float:
        return self.cpu_ms.get("server", 0) + self.cpu_ms.get("mcp servers", 0)


HEADER = (
    "| store | instances | load | rate | requests/s | API CPU ms/req | MCP CPU ms/req "
    "| serving ms/req | redis primaries ms/req | redis replicas ms/req | Redis KB per unit "
    "| load generator ms/req | load avg | errors |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def serving_cpu(store: Store, instances: int) -> dict[str, float]:
    """CPU seconds so far of the first `instances` servers' trees and the store's Redis."""
    spent: dict[str, float] = {"redis": 0.0}
    for n, served in enumerate(store.servers[:instances]):
        # the store's primaries counted once, with the first tree
        primaries = list(store.masters.values()) if n == 0 else []
        for role, seconds in cpu_by_role(served.pid, primaries).items():
            spent[role] = spent.get(role, 0.0) + seconds
    if store.replicas:  # pid 0 is no process: only the replicas are read
        spent["redis replicas"] = cpu_by_role(0, store.replicas)["redis"]
    spent["load generator"] = time.process_time()
    return spent


@asynccontextmanager
async def store_of(name: str, instances: int, db: str, work: Path) -> AsyncIterator[Store]:
    """A database, a Redis (one node or a 3+3 cluster) and `instances` API processes on it."""
    async with AsyncExitStack() as stack:
        database = await stack.enter_async_context(service_database(db, work))
        if name == "cluster":
            cluster = LocalRedisCluster(work / "cluster")
            (work / "cluster").mkdir()
            await asyncio.to_thread(cluster.start)
            stack.callback(cluster.stop)
            nodes = [f"redis://127.0.0.1:{port}/0" for port in cluster.alive_ports()]
            masters = {port: cluster.processes[port].pid for port in cluster.masters()}
            replicas = [p.pid for port, p in cluster.processes.items() if port not in masters]
            extra = {"REDIS_CLUSTER": "true"}
        else:
            url, pid = await stack.enter_async_context(private_redis(work))
            masters = {int(url.rsplit(":", 1)[1].split("/")[0]): pid}
            nodes, replicas, extra = [url], [], {}
        settings = await bench_settings(database, work, nodes[0])
        servers = []
        for n in range(instances):
            port = free_port()
            env = {**api_env(settings, port), "LOG_LEVEL": "WARNING", **NO_LIMITS, **extra}
            env["REDIS_URL"] = nodes[n % len(nodes)]
            process = start_api(env, work / f"api-{name}-{n}.log")
            stack.callback(stop_api, process)
            # one at a time: eight API processes starting together on two cores time out
            await asyncio.to_thread(wait_for_port, port, process, 180)
            servers.append(Served(f"http://127.0.0.1:{port}", process.pid))
        store = Store(name, servers, masters, replicas)
        store.tokens = await sign_in(servers[0].url, "api")
        yield store


class Customers:
    """Website customers chatting with the AI on one instance while a window is open."""

    def __init__(self, http: aiohttp.ClientSession, offset: int) -> None:
        self.http = http
        self.offset = offset
        self.deadline = 0.0
        self.turns = self.late = self.chats = 0
        self.problems: dict[str, int] = {}

    async def window(self, members: int, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds
        self.turns = self.late = self.chats = 0
        self.problems = {}
        await asyncio.gather(*(self._customer(self.offset + n) for n in range(members)))

    def _problem(self, what: str) -> None:
        self.problems[what] = self.problems.get(what, 0) + 1

    async def _customer(self, n: int) -> None:
        widget = {"X-Site-Key": DEMO_SITE_KEYS[DEFAULT_TENANT],
                  "X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"}  # fmt: skip
        while time.perf_counter() < self.deadline:
            async with self.http.post("/api/conversation/new", json={}, headers=widget) as r:
                if r.status != 201:
                    self._problem(f"new {r.status}")
                    return
                opened = (await r.json())["data"]
            headers = {**widget, "Authorization": f"Bearer {opened['token']}"}
            for turn in range(CHAT_TURNS):
                if time.perf_counter() >= self.deadline:
                    return
                body = {"session_name": opened["session_name"], "message": CHAT_TEXTS[turn]}
                async with self.http.post("/api/chat", json=body, headers=headers) as r:
                    answer = await r.json()
                inside = time.perf_counter() < self.deadline
                if r.status != 200:
                    self._problem(f"chat {r.status} {answer.get('code')}")
                    return
                if answer["data"]["status"] != "bot_active":
                    self._problem(f"status {answer['data']['status']}")
                self.turns += inside
                self.late += not inside
            self.chats += time.perf_counter() < self.deadline


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (n < total % parts) for n in range(parts)]


async def renewals(
    store: Store, teams: list[Staff], instances: int, staff: int, seconds: float
) -> Measured:
    """One window of `staff` members on the first `instances` servers (a new team each: a
    team's members only ever grow, and the previous window may have had more per instance)."""
    before, memory = serving_cpu(store, instances), store.used_memory()
    shares = split(staff, instances)
    windows = await asyncio.gather(
        *(team.window(k, seconds) for team, k in zip(teams, shares, strict=False) if k)
    )
    after, memory = serving_cpu(store, instances), store.used_memory() - memory
    await asyncio.gather(*(team.close() for team in teams))
    recs = [rec for rec, _ in windows]
    requests = sum(r.clicks for r in recs)
    counted = requests + sum(r.late for r in recs)
    problems: dict[str, int] = {}
    for rec in recs:
        for what, count in rec.errors.items():
            problems[what] = problems.get(what, 0) + count
        if rec.timeouts:
            problems["timeouts"] = problems.get("timeouts", 0) + rec.timeouts
        if rec.refusal_ms:
            problems["503 refused"] = problems.get("503 refused", 0) + len(rec.refusal_ms)
    return Measured(store.name, instances, "renewals", seconds, requests,
                    sum(r.journeys for r in recs), per_request(before, after, counted),
                    os.getloadavg()[0], problems, memory)  # fmt: skip


async def chats(
    store: Store, groups: list[Customers], instances: int, customers: int, seconds: float
) -> Measured:
    before, memory = serving_cpu(store, instances), store.used_memory()
    shares = split(customers, instances)
    await asyncio.gather(
        *(group.window(k, seconds) for group, k in zip(groups, shares, strict=False) if k)
    )
    after, memory = serving_cpu(store, instances), store.used_memory() - memory
    used = groups[:instances]
    turns = sum(g.turns for g in used)
    problems: dict[str, int] = {}
    for group in used:
        for what, count in group.problems.items():
            problems[what] = problems.get(what, 0) + count
    return Measured(store.name, instances, "chats", seconds, turns, sum(g.chats for g in used),
                    per_request(before, after, turns + sum(g.late for g in used)),
                    os.getloadavg()[0], problems, memory)  # fmt: skip


async def idle_cpu(store: Store, seconds: float) -> dict[str, float]:
    """CPU milliseconds per second of all the store's instances and its Redis with no traffic
    (heartbeats, pollers, sharded pub/sub, replication pings): the floor under every row."""
    before = serving_cpu(store, len(store.servers))
    await asyncio.sleep(seconds)
    after = serving_cpu(store, len(store.servers))
    return {role: (after[role] - before[role]) * 1000 / seconds for role in after}


def idle(store: Store, rates: dict[str, float]) -> str:
    return (
        f"idle {store.name}, {len(store.servers)} instances: API "
        f"{rates.get('server', 0):.1f} ms/s, MCP {rates.get('mcp servers', 0):.1f} ms/s, "
        f"redis primaries {rates.get('redis', 0):.1f} ms/s, replicas "
        f"{rates.get('redis replicas', 0):.1f} ms/s (load average {os.getloadavg()[0]:.1f})"
    )


def per_request(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    return {role: (after[role] - before.get(role, 0.0)) * 1000 / max(1, n) for role in after}


async def main(args: argparse.Namespace) -> None:
    most = max(args.instances)
    work = Path(tempfile.mkdtemp(prefix="sbbench-scale-"))
    print(f"load average at start: {os.getloadavg()}", flush=True)
    async with AsyncExitStack() as stack:
        stores: list[Store] = []
        for name in args.stores:
            folder = work / name
            folder.mkdir()
            started = time.monotonic()
            stores.append(await stack.enter_async_context(store_of(name, most, args.db, folder)))
            print(f"{name}: {most} instances up in {time.monotonic() - started:.0f} s", flush=True)
        clients: dict[str, list[aiohttp.ClientSession]] = {}
        groups: dict[str, list[Customers]] = {}
        for store in stores:
            clients[store.name], groups[store.name] = [], []
            for n, served in enumerate(store.servers):
                await warm_up(served, "api", store.tokens, args)
                http = await stack.enter_async_context(client(served.url, args.staff))
                clients[store.name].append(http)
                chat_http = await stack.enter_async_context(client(served.url, args.customers))
                groups[store.name].append(Customers(chat_http, 1000 * n))
            await chats(store, groups[store.name], most, most, 5.0)  # warms the chat path
        for store in stores:
            print(idle(store, await idle_cpu(store, args.idle)), flush=True)
        rows: list[Measured] = []
        print(HEADER, flush=True)
        for _ in range(args.rounds):
            for instances in args.instances:
                for store in stores:
                    for kind in args.kinds:
                        if kind == "renewals":
                            fresh = [staff_of(http, "api", store.tokens, args, 0.0)
                                     for http in clients[store.name]]  # fmt: skip
                            measured = await renewals(store, fresh, instances, args.staff,
                                                      args.window)  # fmt: skip
                        else:
                            measured = await chats(store, groups[store.name], instances,
                                                   args.customers, args.window)  # fmt: skip
                        rows.append(measured)
                        print(measured.row(), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end: {os.getloadavg()}")


def _names(text: str) -> list[str]:
    return [x for x in text.split(",") if x]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 2, 4])  # fmt: skip
    parser.add_argument("--stores", type=_names, default=["single", "cluster"])
    parser.add_argument("--kinds", type=_names, default=["renewals", "chats"])
    parser.add_argument("--staff", type=int, default=12, help="staff members, no think time")
    parser.add_argument("--customers", type=int, default=8, help="chatting customers")
    parser.add_argument("--window", type=float, default=20.0, help="seconds per window")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of the idle floor")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--timeout", type=float, default=20.0, help="client timeout per click")
    parser.add_argument("--free-text", type=float, default=0.5,
                        help="share of journeys that type their own search words")  # fmt: skip
    parser.add_argument("--sizing", action="store_true",
                        help="only print docs/sizing.md's table (Sizing defaults)")  # fmt: skip
    arguments = parser.parse_args()
    if arguments.sizing:
        print_tables()
    else:
        asyncio.run(main(arguments))
