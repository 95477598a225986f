"""Realtime benchmark: idle SSE connections one uvicorn worker holds, and push latency.

Run: .venv/bin/python -m tests.benchmarks.bench_realtime [--idle 5000] [--customers 1000]
     [--live 50] [--pushes 400] [--heartbeat 5] [--rate 20]

It prepares its own back office, a seeded SQLite service database and a Redis prefix of its
own, starts API instance A (and later B on the same prefix and database), then:

1. idle: opens `--idle` customer session streams (raw asyncio sockets; customer tokens minted
   with the server's secret for synthetic sessions, so no graph run per connection), holds
   them until each got two `: ping` heartbeats (`--heartbeat` s, the servers'
   SSE_HEARTBEAT_SECONDS), reports connect time, server RSS and open files per connection and
   `/health` latency while holding; then one event to every one of those channels (burst).
2. push: `--customers` connected customers, `--live` of them in real chats taken over by an
   agent; all held through two heartbeats, then the agent sends `--pushes` messages (POST
   /api/manual/messages on A, `--rate`/s, at most 4 in flight; 0 = flat out).
   Server-side latency = receive time − the event's Redis stream id (its XADD time, i.e. when
   the server published it); end-to-end = the customer's SSE receipt − when the client sent
   the agent's POST (stamped in the message).
3. cross-instance: the same pushes sent through instance B while the customers stay on A.
Streams that ended early or got fewer than two pings are counted.

Client and server share the machine's cores; every connection is on loopback. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from api.chat.access import CustomerTokens
from api.realtime.hub import EventHub, session_channel
from core.db.models import DEFAULT_TENANT
from core.settings import Settings
from tests.api_http import WIDGET_HEADERS, api_env, start_api, stop_api
from tests.benchmarks.bench_servers import bench_settings
from tests.benchmarks.sse_streams import (
    HOST,
    Handler,
    SseConnection,
    ended,
    hold,
    open_all,
    proc_stats,
    raise_fd_limit,
    summary,
    wait_until,
)
from tests.mcp_http import free_port, wait_for_port

ALWAYS_ON = {"start": "00:00", "end": "00:00", "weekends_disabled": False}


@dataclass
class Instance:
    url: str
    port: int
    process: Any


@dataclass
class Bench:
    settings: Settings
    work: Path
    env: dict[str, str]
    instances: list[Instance] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    heartbeat: float = 15.0
    rate: float = 0.0  # agent pushes per second; 0 = as fast as 4 in flight allow

    def start(self, name: str) -> Instance:
        port = free_port()
        env = {**self.env, "APP_PORT": str(port)}
        process = start_api(env, self.work / f"api-{name}.log")
        wait_for_port(port, process, 120)
        instance = Instance(f"http://{HOST}:{port}", port, process)
        self.instances.append(instance)
        return instance

    def tokens(self) -> CustomerTokens:
        return CustomerTokens(
            self.settings.model_copy(update={"jwt_secret": self.env["JWT_SECRET"]})
        )


async def idle_phase(bench: Bench, a: Instance, count: int) -> None:
    tokens = bench.tokens()
    names = [f"bench_idle_{i}" for i in range(count)]
    received: dict[str, float] = {}

    def heard(name: str) -> Handler:
        def on(event_id: str, _: str, __: dict[str, Any]) -> None:
            received[name] = time.time() * 1000 - int(event_id.split("-")[0])

        return on

    conns = [
        SseConnection(
            a.port, f"/api/sessions/{n}/stream", tokens.issue(n, DEFAULT_TENANT).token, heard(n)
        )
        for n in names
    ]
    rss0, fds0 = proc_stats(a.process.pid)
    took = await open_all(conns)
    bench.notes.append(await hold(conns, bench.heartbeat, "idle hold"))
    rss1, fds1 = proc_stats(a.process.pid)
    health = []
    async with httpx.AsyncClient(base_url=a.url) as http:
        for _ in range(20):
            started = time.perf_counter()
            assert (await http.get("/health")).status_code == 200
            health.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
    hub = EventHub(Redis.from_url(bench.settings.redis_url), bench.settings.redis_key_prefix)
    sent = time.perf_counter()
    event = {"type": "status_change", "status": "bot_active", "reason": "bench"}
    for i in range(0, count, 500):  # one transaction per 500 channels
        await hub.publish([session_channel(n, DEFAULT_TENANT) for n in names[i : i + 500]], event)
    await wait_until(lambda: len(received) >= count, 60)
    reached = time.perf_counter() - sent
    await hub.redis.aclose()
    for conn in conns:
        await conn.close()
    per_conn = (rss1 - rss0) * 1024 / count
    bench.notes.append(
        f"idle: {count} customer streams held by one worker, opened in {took:.1f} s; server RSS "
        f"{rss0:.0f} → {rss1:.0f} MB (~{per_conn:.0f} KB per connection), open files "
        f"{fds0} → {fds1}; burst of one event to each: {len(received)}/{count} received, all "
        f"within {reached:.2f} s"
    )
    bench.rows.append(summary(f"/health while holding {count} streams (client-side)", health))
    bench.rows.append(
        summary(f"burst: 1 event to each of {count} streams (server-side)", list(received.values()))
    )


async def live_sessions(bench: Bench, a: Instance, live: int) -> tuple[list[str], list[str], str]:
    """`live` real chats taken over by agent001: (session names, customer tokens, agent token)."""
    async with httpx.AsyncClient(base_url=a.url, timeout=60, headers=WIDGET_HEADERS) as http:
        login = await http.post(
            "/api/auth/login", json={"employee_code": "admin", "password": "Demo1234"}
        )
        admin = login.json()["data"]["access_token"]
        auth = {"Authorization": f"Bearer {admin}"}
        assert (
            await http.put("/api/shift/config", json=ALWAYS_ON, headers=auth)
        ).status_code == 200
        agent = (
            await http.post(
                "/api/auth/login", json={"employee_code": "agent001", "password": "Demo1234"}
            )
        ).json()["data"]["access_token"]
        names, tokens = [], []
        for i in range(live):
            data = (await http.post("/api/conversation/new", json={})).json()["data"]
            names.append(data["session_name"])
            tokens.append(data["token"])
            customer = {"Authorization": f"Bearer {data['token']}"}
            escalated = await http.post(
                "/api/manual/escalate",
                headers=customer,
                json={"session_name": data["session_name"]},
            )
            assert escalated.status_code == 200, escalated.text
            took = await http.post(
                f"/api/sessions/{data['session_name']}/takeover",
                headers={"Authorization": f"Bearer {agent}"},
            )
            assert took.status_code == 200, (i, took.text)
    return names, tokens, agent


async def push_phase(
    bench: Bench,
    a: Instance,
    via: Instance,
    label: str,
    customers: int,
    live: int,
    pushes: int,
    chats: tuple[list[str], list[str], str],
) -> None:
    names, tokens, agent = chats
    minted = bench.tokens()
    server: list[float] = []
    e2e: list[float] = []

    def on(event_id: str, event: str, data: dict[str, Any]) -> None:
        if event == "manual_message" and data.get("role") == "agent":
            now = time.time() * 1000
            server.append(now - int(event_id.split("-")[0]))
            e2e.append(now - float(data["content"].split(":")[1]))

    conns = [
        SseConnection(a.port, f"/api/sessions/{n}/stream", t, on)
        for n, t in zip(names, tokens, strict=True)
    ]
    conns += [
        SseConnection(
            a.port,
            f"/api/sessions/bench_idle_{i}/stream",
            minted.issue(f"bench_idle_{i}", DEFAULT_TENANT).token,
        )
        for i in range(customers - live)
    ]
    await open_all(conns)
    held = await hold(conns, bench.heartbeat, f"{label} hold before pushing")
    gate = asyncio.Semaphore(4)
    errors = 0

    async def push(http: httpx.AsyncClient, n: int) -> None:
        nonlocal errors
        if bench.rate:
            await asyncio.sleep(n / bench.rate)  # paced: a steady agent, not a queue
        async with gate:
            body = {
                "session_name": names[n % live],
                "role": "agent",
                "content": f"bench:{time.time() * 1000:.3f}",
            }
            response = await http.post(
                "/api/manual/messages", json=body, headers={"Authorization": f"Bearer {agent}"}
            )
            errors += response.status_code != 200

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=via.url, timeout=60) as http:
        await asyncio.gather(*(push(http, n) for n in range(pushes)))
    await wait_until(lambda: len(server) >= pushes - errors, 30)
    wall = time.perf_counter() - started
    dropped = ended(conns)
    for conn in conns:
        await conn.close()
    bench.rows.append(
        summary(f"agent→customer push, {customers} streams, {label} (server-side)", server)
    )
    bench.rows.append(
        summary(f"agent→customer push, {customers} streams, {label} (POST sent → SSE)", e2e)
    )
    bench.notes.append(held)
    bench.notes.append(
        f"{label}: {len(server)}/{pushes} pushes received in {wall:.1f} s "
        f"({pushes / wall:.0f}/s), {errors} errors; {dropped} of {len(conns)} streams ended "
        "before the client closed them"
    )


async def main(
    idle: int, customers: int, live: int, pushes: int, heartbeat: float, rate: float
) -> None:
    limit = raise_fd_limit(2 * idle + 2048)
    work = Path(tempfile.mkdtemp(prefix="bench-rt-"))
    settings = await bench_settings(f"sqlite+aiosqlite:///{work / 'switchboard.db'}", work)
    settings = settings.model_copy(
        update={"redis_key_prefix": f"sbbench-rt-{uuid.uuid4().hex[:6]}"}
    )
    with sqlite3.connect(work / "switchboard.db") as db:
        db.execute("UPDATE users SET max_sessions = 100000 WHERE username = 'agent001'")
    env = api_env(settings, 0)
    env.update(
        LOG_LEVEL="WARNING",
        SSE_HEARTBEAT_SECONDS=f"{heartbeat:g}",
        CONVERSATION_RATE_PER_IP="100000",
        CHAT_RATE_PER_IP="100000",
        EVENT_HISTORY="100",
    )
    bench = Bench(settings, work, env, heartbeat=heartbeat, rate=rate)
    try:
        a = bench.start("a")
        await idle_phase(bench, a, idle)
        chats = await live_sessions(bench, a, live)
        await push_phase(bench, a, a, "same instance", customers, live, pushes, chats)
        b = bench.start("b")
        await push_phase(bench, a, b, "via instance B", customers, live, pushes, chats)
    finally:
        for instance in bench.instances:
            stop_api(instance.process)
        client = Redis.from_url(settings.redis_url)
        keys = [k async for k in client.scan_iter(match=f"{settings.redis_key_prefix}:*")]
        for i in range(0, len(keys), 1000):
            await client.unlink(*keys[i : i + 1000])
        await client.aclose()
    print(
        f"idle={idle} customers={customers} live={live} pushes={pushes} heartbeat={heartbeat:g} s "
        f"rate={rate:g}/s fd limit={limit}"
    )
    print("| measurement | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    print("\n".join(bench.rows))
    print()
    print("\n".join(f"- {note}" for note in bench.notes))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--live", type=int, default=50)
    parser.add_argument("--pushes", type=int, default=400)
    parser.add_argument("--heartbeat", type=float, default=5.0, help="SSE heartbeat, seconds")
    parser.add_argument("--rate", type=float, default=20.0, help="agent pushes/s (0: flat out)")
    args = parser.parse_args()
    asyncio.run(main(args.idle, args.customers, args.live, args.pushes, args.heartbeat, args.rate))
