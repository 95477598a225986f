"""The renewal journey over HTTP with N concurrent staff sessions (offline chat model).

Run: .venv/bin/python -m tests.benchmarks.bench_api [--sessions 50] [--url http://...]
Without --url it prepares its own back office (stock raised so reservations never run out: this
measures the API, not a stock race), a seeded service database (PostgreSQL; `--db sqlite`) and
the API in its own uvicorn process (Redis prefix `sbbench`). Each journey: start,
query-customer, list-phones, select-phone, smartphone, iOS, a device, list-plans (SSE), compare
(SSE), select-plan, confirm, submit. Prints p50/p95/max per step, errors, requests/s over the
whole run, and the CPU the server's processes spent per request (the API workers, their MCP
server children, Redis).

`--think S` paces each staff member like a person at a counter: a pause of 0.5-1.5 × S seconds
before every step (and a start spread over the first S seconds). `--think 0` (the default) fires
every step as soon as the last one answered: that measures saturation throughput, not the
latency a member of staff sees. `--workers N` serves the API with N uvicorn workers.
`--journeys J` has each staff member do J renewals in a row (J × sessions samples a step, so one
half-second stall of the host does not decide a step's p95 on its own); the table also shows
each step's slowest sample.

`--target langgraph-dev` runs the same journey against the same graphs served by `langgraph dev`
(the repo's langgraph.json, our Redis checkpointer), driven through `langgraph_sdk`; `--compare`
runs both targets in one invocation, one after the other with the same settings, and prints the
throughput ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from core.bootstrap import build_search_index
from core.db.migrate import seed
from core.settings import ROOT, Settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.store import load
from tests.api_http import api_env, start_api, stop_api
from tests.benchmarks.proc_cpu import cpu_by_role
from tests.mcp_http import free_port, wait_for_port

STAFF = [f"E{n}{k:03d}" for n in range(1, 6) for k in range(3)]  # managers and sales, 5 stores
Samples = dict[str, list[float]]


class Recorder:
    def __init__(self, think: float = 0.0) -> None:
        self.samples: Samples = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.requests = 0
        self.think = think

    async def pause(self, first: bool = False) -> None:
        """A person's time between two clicks (0 when measuring saturation)."""
        if self.think > 0:
            await asyncio.sleep(random.uniform(0, 1) * self.think if first else
                                random.uniform(0.5, 1.5) * self.think)  # fmt: skip

    async def call(
        self, step: str, http: aiohttp.ClientSession, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        await self.pause()
        started = time.perf_counter()
        async with http.post(path, **kwargs) as response:
            body = await response.read()
        self.samples[step].append((time.perf_counter() - started) * 1000)
        self.requests += 1
        if response.status >= 400:
            self.errors[f"{step} {response.status}"] += 1
            raise RuntimeError(f"{step}: {response.status} {body[:200]!r}")
        data: dict[str, Any] = json.loads(body)["data"]
        return data

    async def stream(
        self, step: str, http: aiohttp.ClientSession, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        """An SSE step: the time to its first event (what the staff see start moving) and to
        its `complete` event, as two rows."""
        await self.pause()
        started = time.perf_counter()
        first: float | None = None
        text = ""
        async with http.post(path, **kwargs) as response:
            if response.status >= 400:
                body = await response.read()
                self.errors[f"{step} {response.status}"] += 1
                raise RuntimeError(f"{step}: {response.status} {body[:200]!r}")
            async for chunk in response.content.iter_any():
                if first is None and b"event:" in chunk:
                    first = time.perf_counter()
                text += chunk.decode()
        done = time.perf_counter()
        self.samples[f"{step} first event"].append(((first or done) - started) * 1000)
        self.samples[f"{step} complete"].append((done - started) * 1000)
        self.requests += 1
        return _complete(text)


def _complete(stream: str) -> dict[str, Any]:
    for block in stream.replace("\r\n", "\n").split("\n\n"):
        if "event: complete" in block:
            line = next(x for x in block.split("\n") if x.startswith("data: "))
            data: dict[str, Any] = json.loads(line[6:])["data"]
            return data
    raise RuntimeError(f"stream without complete: {stream[-300:]}")


async def api_journey(http: aiohttp.ClientSession, token: str, rec: Recorder) -> None:
    """One staff member through the whole renewal with a device, over this service's API."""
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/renewal-workflow"
    await rec.pause(first=True)
    view = await rec.call("start", http, f"{base}/start", headers=headers)
    sid = view["session_id"]

    def step(name: str, path: str, **body: Any) -> Awaitable[dict[str, Any]]:
        if name.endswith("(SSE)"):
            json_body = {"session_id": sid, **body}
            return rec.stream(name, http, f"{base}/{path}", json=json_body, headers=headers)
        return rec.call(name, http, f"{base}/{path}", json={"session_id": sid, **body},
                        headers=headers)  # fmt: skip

    await step("query-customer", "step/query-customer", id_number=GOLDEN.eligible.national_id)
    await step("list-phones", "step/list-phones")
    await step("select-phone", "step/select-phone", phone_number=GOLDEN.eligible.phone)
    await step("select-device-type", "step/select-device-type", device_type="smartphone")
    view = await step("select-device-os", "step/select-device-os", os_type="ios")
    device = next(d for d in view["waiting"]["show"]["devices"] if d["in_stock"])
    color = next(c["color"] for c in device["colors"] if c["available"])
    await step("select-device", "step/select-device", device_id=device["device_id"], color=color)
    view = await step("list-plans (SSE)", "step/list-plans")
    plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    if len(plans) >= 2:
        await step("compare (SSE)", "step/compare", compare=plans[:2])
    await step("select-plan", "step/select-plan", plan_id=plans[0])
    await step("confirm", "step/confirm", confirmed=True)
    done = await step("submit", "submit", submit=True)
    assert done["outcome"] == "completed", done


async def langgraph_dev_journey(client: LangGraphClient, token: str, rec: Recorder) -> None:
    """The same journey through `langgraph dev`, driven by `langgraph_sdk` as its users would:
    each step is a run that resumes the interrupt (`runs.wait`) plus a state read for what to
    show (`threads.get_state`), two requests."""
    await rec.pause(first=True)
    thread = (await client.threads.create())["thread_id"]

    async def resume(name: str, **run: Any) -> dict[str, Any]:
        await rec.pause()
        started = time.perf_counter()
        try:
            await client.runs.wait(thread, "renewal", **run)
            state = await client.threads.get_state(thread)
        except Exception as exc:
            rec.errors[f"{name} {type(exc).__name__}"] += 1
            raise
        rec.samples[name].append((time.perf_counter() - started) * 1000)
        rec.requests += 2
        interrupts = [i["value"] for t in state["tasks"] for i in t["interrupts"]]
        values: dict[str, Any] = state["values"]  # type: ignore[assignment]
        return {"waiting": interrupts[0] if interrupts else None, "values": values}

    def answer(name: str, **value: Any) -> Awaitable[dict[str, Any]]:
        return resume(name, command={"resume": value or {"query": None}})

    start = {"session_id": thread, "staff_id": "2", "store_id": "S001", "visited": []}
    await resume("start", input=start)
    await answer("query-customer", id_number=GOLDEN.eligible.national_id)
    await answer("select-phone", phone_number=GOLDEN.eligible.phone)
    await answer("select-device-type", device_type="smartphone")
    view = await answer("select-device-os", os_type="ios")
    device = next(d for d in view["waiting"]["show"]["devices"] if d["in_stock"])
    color = next(c["color"] for c in device["colors"] if c["available"])
    await answer("select-device", device_id=device["device_id"], color=color)
    view = await answer("list-plans (SSE)")
    plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    if len(plans) >= 2:
        await answer("compare (SSE)", compare=plans[:2])
    await answer("select-plan", plan_id=plans[0])
    await answer("confirm", confirmed=True)
    done = await answer("submit", submit=True)
    assert done["values"].get("outcome") == "completed", str(done)[:600]


@asynccontextmanager
async def api_client(url: str, sessions: int) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(limit=sessions + 10)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
        yield http


@asynccontextmanager
async def sdk_client(url: str, sessions: int) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=url, api_key=None, timeout=120)
    try:
        yield client
    finally:
        await client.aclose()


Journey = Callable[[Any, str, Recorder], Awaitable[None]]
Opener = Callable[[str, int], AbstractAsyncContextManager[Any]]
TARGETS: dict[str, tuple[Opener, Journey]] = {
    "api": (api_client, api_journey),
    "langgraph-dev": (sdk_client, langgraph_dev_journey),
}


async def sign_in(url: str, target: str) -> dict[str, str]:
    """One access token per staff member, taken once: a login is a bcrypt verify (cost 12),
    which is neither a journey step nor CPU a step costs."""
    if target != "api":
        return dict.fromkeys(STAFF, "")
    async with aiohttp.ClientSession(url) as http:
        tokens = {}
        for name in STAFF:
            login = {"employee_code": name, "password": "Demo1234"}
            async with http.post("/api/auth/login", json=login) as response:
                tokens[name] = (await response.json())["data"]["access_token"]
        return tokens


async def run(
    url: str,
    tokens: dict[str, str],
    sessions: int,
    target: str,
    think: float = 0.0,
    journeys: int = 1,
) -> tuple[Recorder, float, int]:
    """`sessions` staff members at once, each doing `journeys` renewals one after another."""
    rec = Recorder(think)
    opener, journey = TARGETS[target]

    async def staff(client: Any, token: str) -> int:
        done = 0
        for _ in range(journeys):
            try:
                await journey(client, token, rec)
                done += 1
            except Exception as exc:
                print("journey failed:", repr(exc)[:300])
        return done

    async with opener(url, sessions) as client:
        started = time.perf_counter()
        members = (tokens[STAFF[i % len(STAFF)]] for i in range(sessions))
        done = await asyncio.gather(*(staff(client, token) for token in members))
        wall = time.perf_counter() - started
    return rec, wall, sum(done)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def _row(name: str, samples: list[float]) -> str:
    return (f"| {name} | {len(samples)} | {statistics.median(samples):.0f} | {p95(samples):.0f} "
            f"| {max(samples):.0f} |")  # fmt: skip


def table(rec: Recorder, wall: float, completed: int, planned: int) -> str:
    lines = ["| step | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    lines += [_row(step, samples) for step, samples in rec.samples.items()]
    everything = [s for samples in rec.samples.values() for s in samples]
    lines.append(_row("**all requests**", everything))
    lines.append("")
    lines.append(
        f"{completed}/{planned} journeys completed in {wall:.1f} s: "
        f"{rec.requests / wall:.1f} requests/s, {completed / wall:.2f} journeys/s; "
        f"errors: {dict(rec.errors) or 'none'}"
    )
    return "\n".join(lines)


PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def service_database(kind: str, work: Path) -> AsyncIterator[str]:
    """A fresh service database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{work / 'switchboard.db'}"
        return
    from sqlalchemy import text

    from core.db.engine import create_engine

    name = f"sb_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url=PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()


@dataclass
class Served:
    url: str
    pid: int  # the server's root process: its tree's CPU is what a request costs


@asynccontextmanager
async def own_api(db: str, target: str = "api", workers: int = 1) -> AsyncIterator[Served]:
    """A back office with plenty of stock, a seeded service DB and the server on a free port."""
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    async with service_database(db, work) as url, _serve(url, target, workers) as served:
        yield served


@asynccontextmanager
async def langgraph_dev(settings: Settings, work: Path) -> AsyncIterator[Served]:
    """The same graphs served by `langgraph dev` (repo langgraph.json, bench settings)."""
    env_file = work / "bench.env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in {
        "REDIS_KEY_PREFIX": settings.redis_key_prefix, "DATABASE_URL": settings.database_url,
        "BACKOFFICE_DB_PATH": settings.backoffice_db_path,
        "SEARCH_INDEX_DIR": settings.search_index_dir, "LOG_LEVEL": "WARNING",
        "CHECKPOINT_TTL_SECONDS": 3600}.items()) + "\n")  # fmt: skip
    config = json.loads((ROOT / "langgraph.json").read_text())
    config["graphs"] = {k: str(ROOT / v.removeprefix("./")) for k, v in config["graphs"].items()}
    config.update(dependencies=[str(ROOT)], env=str(env_file))
    (work / "langgraph.json").write_text(json.dumps(config))
    port = free_port()
    log = (work / "langgraph-dev.log").open("wb")
    process = subprocess.Popen(  # noqa: ASYNC220 - one-off benchmark setup
        [str(ROOT / ".venv/bin/langgraph"), "dev", "--port", str(port), "--no-browser",
         "--no-reload", "--n-jobs-per-worker", "50", "--config", str(work / "langgraph.json")],
        cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        await asyncio.to_thread(wait_for_port, port, process, 120)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


async def bench_settings(database_url: str, work: Path) -> Settings:
    """A back office with plenty of stock, the search index and a seeded service DB."""
    backoffice = work / "backoffice.db"
    load(generate(20261121, date.today()), backoffice)
    with sqlite3.connect(backoffice) as db:
        db.execute("UPDATE device_stock SET quantity = 1000")
        # Every journey renews the golden line: the CRM's renewal write still runs, but the line
        # keeps its contract so the next journey finds it due again.
        for table, event in (("phone_lines", "UPDATE"), ("line_renewals", "INSERT")):
            db.execute(
                f"CREATE TRIGGER bench_keep_{table} BEFORE {event} ON {table}"
                " BEGIN SELECT RAISE(IGNORE); END"
            )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        backoffice_db_path=backoffice,
        search_index_dir=ROOT / "var" / "test" / "search",
        redis_key_prefix="sbbench",
        database_url=database_url,
        checkpoint_ttl_seconds=3600,
        log_level="WARNING",
    )
    await build_search_index(settings)
    await seed(settings.database_url, settings)
    return settings


@asynccontextmanager
async def _serve(database_url: str, target: str, workers: int) -> AsyncIterator[Served]:
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    settings = await bench_settings(database_url, work)
    if target == "langgraph-dev":
        async with langgraph_dev(settings, work) as served:
            yield served
        return
    port = free_port()
    env = api_env(settings, port)
    env.update(LOG_LEVEL="WARNING", APP_WORKERS=str(workers))
    process = start_api(env, work / "api.log")
    try:
        await asyncio.to_thread(wait_for_port, port, process, 120)
        if workers > 1:  # the port opens with the first worker; give the others their startup
            await asyncio.sleep(8)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        stop_api(process)


def cpu_line(before: Counter[str], after: Counter[str], requests: int) -> str:
    spent = {role: (after[role] - before[role]) * 1000 / max(1, requests) for role in after}
    server = sum(ms for role, ms in spent.items() if role != "load generator")
    parts = ", ".join(f"{role} {ms:.1f}" for role, ms in sorted(spent.items()))
    return f"CPU per request (ms): {parts}; serving total {server:.1f}"


async def measure(args: argparse.Namespace, target: str) -> tuple[Recorder, float, int]:
    """One target's run (its own server unless --url): prints its table, returns its numbers."""
    if args.url is not None:
        tokens = await sign_in(args.url, target)
        rec, wall, completed = await run(
            args.url, tokens, args.sessions, target, args.think, args.journeys
        )
        cpu = ""
    else:
        async with own_api(args.db, target, args.workers) as own:
            tokens = await sign_in(own.url, target)
            # warm-up: imports, caches, first graph compile paths (in every worker)
            await run(own.url, tokens, 2 * args.workers, target)
            before = cpu_by_role(own.pid)
            before["load generator"] = time.process_time()
            rec, wall, completed = await run(
                own.url, tokens, args.sessions, target, args.think, args.journeys
            )
            after = cpu_by_role(own.pid)
            after["load generator"] = time.process_time()
            cpu = cpu_line(before, after, rec.requests)
    print(
        f"target={target} sessions={args.sessions} journeys={args.journeys} "
        f"think={args.think}s "
        f"workers={args.workers} service_db={args.db if args.url is None else args.url}"
    )
    print(table(rec, wall, completed, args.sessions * args.journeys))
    print(cpu, flush=True)
    return rec, wall, completed


async def main(args: argparse.Namespace) -> None:
    if not args.compare:
        await measure(args, args.target)
        return
    _, ours_wall, ours = await measure(args, "api")
    print()
    _, theirs_wall, theirs = await measure(args, "langgraph-dev")
    ratio = (ours / ours_wall) / max(theirs / theirs_wall, 1e-9)
    print(
        f"\nthroughput: api {ours / ours_wall:.2f} journeys/s, langgraph dev "
        f"{theirs / theirs_wall:.2f} journeys/s: {ratio:.2f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--url", help="an already running API (default: start one)")
    parser.add_argument("--target", choices=sorted(TARGETS), default="api")
    parser.add_argument(
        "--db",
        choices=["postgres", "sqlite"],
        default="postgres",
        help="service database of the API started here (see docs/api.md about SQLite)",
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between clicks")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the API")
    parser.add_argument(
        "--journeys", type=int, default=1, help="renewals each staff member does in a row"
    )
    parser.add_argument(
        "--compare", action="store_true",
        help="run the API, then the same graphs under `langgraph dev`, and print the ratio",
    )  # fmt: skip
    arguments = parser.parse_args()
    if arguments.compare and arguments.url:
        parser.error("--compare starts both servers itself; it cannot use --url")
    asyncio.run(main(arguments))
