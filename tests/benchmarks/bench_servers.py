"""What the API benchmarks serve and sign in to: a back office with plenty of stock, the search
index, a seeded service database (SQLite or a PostgreSQL database of its own), a Redis server of
the benchmark's own, and the API (this tree's or another's) or `langgraph dev` on a free port.
Shared by bench_api, bench_api_cpu, bench_scale_out and the other HTTP benchmarks."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
        serve(url, target, workers, extra, redis_url, tree) as served,
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
async def serve(
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
