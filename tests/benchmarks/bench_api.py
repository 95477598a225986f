"""The renewal journey over HTTP: staff at several load levels, back-pressure, and a fair,
interleaved comparison with the same graphs under `langgraph dev` (issue 24).

Run: .venv/bin/python -m tests.benchmarks.bench_api [--staff 20,50,100,200] [--think 2,0]
     [--window 15] [--workers 1] [--max-in-flight N] [--queue-ms MS] [--free-text 0.5]
     .venv/bin/python -m tests.benchmarks.bench_api --compare [--staff 50] [--slots 10 --slot 10]

It prepares its own back office (stock raised so reservations never run out: this measures the
API, not a stock race), a seeded service database (PostgreSQL; `--db sqlite`) and the API in its
own uvicorn process (Redis prefix `sbbench`). A journey: start, query-customer, list-phones,
select-phone, smartphone, iOS, a device, list-plans (SSE), compare (SSE), select-plan, confirm,
submit; with `--free-text F`, that share of the journeys types its own words in the promotion
search. Journeys and the fixed-window driver: `bench_api_journeys.py`.

**Load levels** (default): for each `--staff` level and each `--think` value (0: saturation,
every click as soon as the last one answered; S: a pause of 0.5-1.5 × S s before every click),
one window of `--window` s after `--ramp` s unmeasured (one team of staff per think time grows
from level to level, so journeys are under way when a window opens): journeys/s and clicks/s
finished inside it, p50/p95/max per step of the accepted clicks, refusals (503 OVERLOADED,
retried after `Retry-After`) and how fast they came, client timeouts (`--timeout`), other
errors, and the CPU per click of each process group (API workers, their MCP server children,
the run's own Redis) read from /proc. `--max-in-flight`/`--queue-ms` set the API's
MAX_IN_FLIGHT/OVERLOAD_QUEUE_MS (default: the service's defaults); `--workers N` its workers;
`--tree PATH` serves the API of another source tree (a `git archive` of HEAD) for A/B pairs.

**`--compare`**: the API and `langgraph dev` (the repo's langgraph.json, our Redis
checkpointer, the same MCP servers) both up; slots of `--slot` s alternate between them
(api, langgraph dev, api, ...; `--slots` each), with the same staff count, think time, client
(aiohttp, one request per click) and durability (`exit` for both). Prints each slot, then the
median journeys/s and clicks/s of each and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiohttp

from core.bootstrap import build_search_index
from core.db.migrate import seed
from core.settings import ROOT, Settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import load
from tests.api_http import api_env, start_api, stop_api
from tests.benchmarks.bench_api_journeys import Recorder, Staff, p95, step_table
from tests.benchmarks.proc_cpu import cpu_by_role, cpu_per_click
from tests.mcp_http import free_port, wait_for_port

STAFF = [f"E{n}{k:03d}" for n in range(1, 6) for k in range(3)]  # managers and sales, 5 stores


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
    redis: int | None = None  # the benchmark's own Redis server, when it has one


@asynccontextmanager
async def own_api(
    db: str,
    target: str = "api",
    workers: int = 1,
    extra: dict[str, str] | None = None,
    tree: Path | None = None,
) -> AsyncIterator[Served]:
    """A back office with plenty of stock, a seeded service DB and the server on a free port
    (the API of another source `tree`, e.g. a `git archive` of HEAD, for A/B runs)."""
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    async with (
        service_database(db, work) as url,
        private_redis(work) as (redis_url, redis_pid),
        _serve(url, target, workers, extra, redis_url, tree) as served,
    ):
        served.redis = redis_pid
        yield served


@asynccontextmanager
async def private_redis(work: Path) -> AsyncIterator[tuple[str, int]]:
    """A Redis server of the benchmark's own: its CPU is this run's alone (the machine's Redis
    serves every test and helper on the box), and no other client's keys or load share it."""
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 - one-off benchmark setup
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await asyncio.to_thread(wait_for_port, port, process, 30)
        yield f"redis://127.0.0.1:{port}/0", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


@asynccontextmanager
async def langgraph_dev(settings: Settings, work: Path) -> AsyncIterator[Served]:
    """The same graphs served by `langgraph dev` (repo langgraph.json, bench settings)."""
    env_file = work / "bench.env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in {
        "REDIS_KEY_PREFIX": settings.redis_key_prefix, "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
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


async def bench_settings(
    database_url: str, work: Path, redis_url: str = "redis://127.0.0.1:6379/0"
) -> Settings:
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
        redis_url=redis_url,
        database_url=database_url,
        checkpoint_ttl_seconds=3600,
        log_level="WARNING",
    )
    await build_search_index(settings)
    await seed(settings.database_url, settings)
    return settings


@asynccontextmanager
async def _serve(
    database_url: str,
    target: str,
    workers: int,
    extra: dict[str, str] | None = None,
    redis_url: str = "redis://127.0.0.1:6379/0",
    tree: Path | None = None,
) -> AsyncIterator[Served]:
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    settings = await bench_settings(database_url, work, redis_url)
    if target == "langgraph-dev":
        async with langgraph_dev(settings, work) as served:
            yield served
        return
    port = free_port()
    env = api_env(settings, port)
    env.update(LOG_LEVEL="WARNING", APP_WORKERS=str(workers), REDIS_URL=redis_url, **(extra or {}))
    if tree is None:
        process = start_api(env, work / "api.log")
    else:  # its own modules first (cwd, PYTHONPATH) and its own bytecode cache
        env["PYTHONPATH"] = str(tree)
        env.pop("PYTHONPYCACHEPREFIX", None)
        process = subprocess.Popen(  # noqa: ASYNC220 - benchmark setup
            [sys.executable, "-m", "api"], env=env, cwd=tree,
            stdout=(work / "api.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        await asyncio.to_thread(wait_for_port, port, process, 120)
        if workers > 1:  # the port opens with the first worker; give the others their startup
            await asyncio.sleep(8)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        stop_api(process)


async def sign_in(url: str, target: str) -> list[str]:
    """One access token per staff member, taken once: a login is a bcrypt verify (cost 12),
    which is neither a journey step nor CPU a step costs."""
    if target != "api":
        return [""]
    async with aiohttp.ClientSession(url) as http:
        tokens = []
        for name in STAFF:
            login = {"employee_code": name, "password": "Demo1234"}
            async with http.post("/api/auth/login", json=login) as response:
                tokens.append((await response.json())["data"]["access_token"])
        return tokens


@asynccontextmanager
async def client(url: str, staff: int) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(limit=staff + 10)
    async with aiohttp.ClientSession(url, connector=connector) as http:
        yield http


@dataclass
class Window:
    """One measured window of one target."""

    rec: Recorder
    seconds: float
    cpu: dict[str, float]

    @property
    def journeys_per_s(self) -> float:
        return self.rec.journeys / self.seconds

    @property
    def clicks_per_s(self) -> float:
        return self.rec.clicks / self.seconds

    def summary(self) -> str:
        refused = self.rec.refusal_ms
        quick = f" (p95 {p95(refused):.1f} ms)" if refused else ""
        cpu = ", ".join(f"{role} {ms:.1f}" for role, ms in sorted(self.cpu.items()))
        serving = sum(ms for role, ms in self.cpu.items() if role != "load generator")
        return (
            f"{self.rec.journeys} journeys, {self.rec.clicks} clicks in {self.seconds:.1f} s: "
            f"{self.journeys_per_s:.2f} journeys/s, {self.clicks_per_s:.1f} clicks/s; "
            f"refused {len(refused)}{quick}; timeouts {self.rec.timeouts}; "
            f"errors {dict(self.rec.errors) or 'none'}\n"
            f"CPU per click (ms): {cpu}; serving total {serving:.1f}"
        )


def staff_of(http: aiohttp.ClientSession, target: str, tokens: list[str],
             args: argparse.Namespace, think: float) -> Staff:  # fmt: skip
    return Staff(http, target, tokens, think=think, free_text=args.free_text,
                 click_timeout=args.timeout)  # fmt: skip


async def window(served: Served, staff: Staff, members: int, seconds: float) -> Window:
    """One window of `members` staff on `served`, with the CPU its processes spent (the
    clicks still in flight when it closed finish first, and count in the CPU per click)."""
    before: dict[str, float] = {**cpu_by_role(served.pid, served.redis)}
    before["load generator"] = time.process_time()
    rec, wall = await staff.window(members, seconds)
    after: dict[str, float] = {**cpu_by_role(served.pid, served.redis)}
    after["load generator"] = time.process_time()
    return Window(rec, wall, cpu_per_click(before, after, rec.clicks + rec.late))


async def warm_up(
    served: Served, target: str, tokens: list[str], args: argparse.Namespace, workers: int = 1
) -> None:
    """Imports, caches and first compile paths in every worker, outside any measured window."""
    async with client(served.url, 4 * workers) as http:
        staff = staff_of(http, target, tokens, args, 0.0)
        await window(served, staff, 2 * workers, 5.0)
        await staff.close()


@asynccontextmanager
async def server(
    args: argparse.Namespace, target: str, workers: int | None = None
) -> AsyncIterator[Served]:
    extra = {}
    if args.max_in_flight is not None:
        extra["MAX_IN_FLIGHT"] = str(args.max_in_flight)
    if args.queue_ms is not None:
        extra["OVERLOAD_QUEUE_MS"] = str(args.queue_ms)
    tree = Path(args.tree) if args.tree else None  # an absolute path
    async with own_api(args.db, target, workers or args.workers, extra, tree) as served:
        yield served


async def load_levels(args: argparse.Namespace) -> None:
    """Each think time: one team of staff growing level by level (journeys carry on), each
    level run `--ramp` s unmeasured, then its measured window."""
    async with server(args, "api") as served:
        tokens = await sign_in(served.url, "api")
        await warm_up(served, "api", tokens, args, args.workers)
        rows = []
        for think in args.think:
            async with client(served.url, max(args.staff)) as http:
                members = staff_of(http, "api", tokens, args, think)
                for staff in args.staff:
                    await members.window(staff, args.ramp)
                    measured = await window(served, members, staff, args.window)
                    bound = f"max_in_flight={args.max_in_flight} queue_ms={args.queue_ms}"
                    print(f"\n### staff={staff} think={think}s window={args.window}s "
                          f"workers={args.workers} {bound} free_text={args.free_text}")  # fmt: skip
                    print("\n".join(step_table(measured.rec)))
                    print(measured.summary(), flush=True)
                    rows.append(_level_row(staff, think, measured))
                await members.close()
    print("\n| staff | think s | journeys/s | clicks/s | worst non-LLM step p95 ms | refused "
          "| refusal p95 ms | timeouts | errors | serving CPU ms/click |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def _level_row(staff: int, think: float, m: Window) -> str:
    steps = {k: v for k, v in m.rec.samples.items() if "LLM" not in k}
    name, worst = max(steps.items(), key=lambda kv: p95(kv[1]), default=("-", [0.0]))
    refused = m.rec.refusal_ms
    serving = sum(ms for role, ms in m.cpu.items() if role != "load generator")
    return (
        f"| {staff} | {think:g} | {m.journeys_per_s:.2f} | {m.clicks_per_s:.1f} "
        f"| {p95(worst):.0f} ({name}) | {len(refused)} | {p95(refused) if refused else 0:.1f} "
        f"| {m.rec.timeouts} | {sum(m.rec.errors.values())} | {serving:.1f} |"
    )


async def compare(args: argparse.Namespace) -> None:
    """Alternating slots, both servers up for the whole window: the API against `langgraph
    dev`, or (`--versus-workers N`) the API with `--workers` against the API with N."""
    staff, think = args.staff[0], args.think[0]
    contenders = {"api": ("api", args.workers), "langgraph-dev": ("langgraph-dev", 1)}
    if args.versus_workers:
        contenders = {
            f"api, {n} worker(s)": ("api", n) for n in (args.workers, args.versus_workers)
        }
    async with AsyncExitStack() as stack:
        servers, tokens, teams = {}, {}, {}
        for name, (target, workers) in contenders.items():
            served = servers[name] = await stack.enter_async_context(server(args, target, workers))
            tokens[name] = await sign_in(served.url, target)
            await warm_up(served, target, tokens[name], args, workers)
            http = await stack.enter_async_context(client(served.url, staff))
            teams[name] = staff_of(http, target, tokens[name], args, think)
        slots: dict[str, list[Window]] = {name: [] for name in contenders}
        for n in range(args.slots):
            for name, served in servers.items():
                w = await window(served, teams[name], staff, args.slot)
                slots[name].append(w)
                print(f"slot {n + 1} {name}: {w.summary()}", flush=True)
        for team in teams.values():
            await team.close()
    print(f"\nstaff={staff} think={think}s, {args.slots} × {args.slot} s slots each, "
          f"alternating; free_text={args.free_text}")  # fmt: skip
    medians, overall = {}, {}
    for target, windows in slots.items():
        journeys = medians[target] = statistics.median(w.journeys_per_s for w in windows)
        clicks = statistics.median(w.clicks_per_s for w in windows)
        cpu = statistics.median(
            sum(ms for r, ms in w.cpu.items() if r != "load generator") for w in windows
        )
        seconds = sum(w.seconds for w in windows)
        overall[target] = sum(w.rec.journeys for w in windows) / seconds
        print(f"{target}: median {journeys:.2f} journeys/s, {clicks:.1f} clicks/s, "
              f"serving CPU {cpu:.1f} ms/click; all slots together {overall[target]:.2f} "
              "journeys/s")  # fmt: skip
        print("\n".join(step_table(_merged(windows))))
    first, second = medians
    # A target whose staff move in lockstep (langgraph dev answers a poll's batch of runs
    # together) finishes its journeys in bursts: some slots none, so its median can be 0.
    print(
        f"\n{first} / {second}: ratio of the medians {_ratio(medians, first, second)}, "
        f"all slots together {_ratio(overall, first, second)} (journeys/s)"
    )


def _ratio(values: dict[str, float], first: str, second: str) -> str:
    return f"{values[first] / values[second]:.2f}x" if values[second] else "n/a"


def _merged(windows: list[Window]) -> Recorder:
    merged = Recorder()
    for w in windows:
        for step, samples in w.rec.samples.items():
            merged.samples[step].extend(samples)
    return merged


def _numbers(kind: type[int] | type[float]):  # type: ignore[no-untyped-def]
    return lambda text: [kind(x) for x in text.split(",")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=_numbers(int), default=[50], help="levels: 20,50,100")
    parser.add_argument("--think", type=_numbers(float), default=[0.0],
                        help="mean seconds between clicks, per level: 2,0")  # fmt: skip
    parser.add_argument("--window", type=float, default=15.0, help="seconds per level")
    parser.add_argument("--ramp", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per click")
    parser.add_argument("--free-text", type=float, default=0.5,
                        help="share of journeys that type their own search words")  # fmt: skip
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--tree", help="serve the API of this source tree, an absolute path (A/B)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the API")
    parser.add_argument("--max-in-flight", type=int, help="the API's MAX_IN_FLIGHT (0: none)")
    parser.add_argument("--queue-ms", type=float, help="the API's OVERLOAD_QUEUE_MS")
    parser.add_argument("--compare", action="store_true",
                        help="interleave the API and `langgraph dev` slot by slot")  # fmt: skip
    parser.add_argument("--slots", type=int, default=6, help="--compare: slots per target")
    parser.add_argument("--versus-workers", type=int,
                        help="--compare: API with --workers against API with N")  # fmt: skip
    parser.add_argument("--slot", type=float, default=10.0, help="--compare: seconds per slot")
    arguments = parser.parse_args()
    asyncio.run(compare(arguments) if arguments.compare else load_levels(arguments))
