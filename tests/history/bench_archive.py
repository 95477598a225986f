"""What archiving costs a chat turn: customer turns with the archive on and off, interleaved.

Run: .venv/bin/python -m tests.history.bench_archive [--customers 40] [--turns 3]
     [--db pg|sqlite] [--think 0.5]

One API served by uvicorn in this process (own back office, a fresh service database: a private
PostgreSQL schema or a SQLite file, its own Redis prefix). Each customer opens a chat and sends
`--turns` messages `--think` seconds apart (0: back to back, so the previous turn's background
write competes with the next turn for the CPU), alternately through `POST /api/chat` (JSON)
and `POST /api/chat/stream` (SSE: time to the `done` frame, what a customer waits for, and to
the end of the stream). Customers alternate between archive on and off (`chat_service.archive`
and the event hook set or not), so both modes share the machine's noise. Prints p50/p95/mean
per route and mode, and the archive write itself (`ConversationArchive.sync`, and its DB
transaction alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from redis.asyncio import Redis

from api.app import create_app
from api.history.archive import ArchiveOnEvents, ConversationArchive
from core.bootstrap import build_search_index
from core.db.migrate import seed
from core.settings import ROOT, Settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import load
from tests.api_http import WIDGET_HEADERS
from tests.history.conftest import private_role_schema
from tests.mcp_http import free_port

QUESTIONS = ("請問 5G 吃到飽方案？", "有沒有 999 以下的方案", "iPhone 有貨嗎")


@contextlib.asynccontextmanager
async def database(kind: str, work: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{work / 'switchboard.db'}"
        return
    async with private_role_schema() as url:
        yield url


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


async def turn_json(
    client: httpx.AsyncClient, name: str, headers: dict[str, str], text: str
) -> float:
    started = time.perf_counter()
    response = await client.post("/api/chat", json={"session_name": name, "message": text},
                                 headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    return (time.perf_counter() - started) * 1000


async def turn_sse(
    client: httpx.AsyncClient, name: str, headers: dict[str, str], text: str
) -> tuple[float, float]:
    started = time.perf_counter()
    done_at = None
    body = {"session_name": name, "message": text}
    async with client.stream("POST", "/api/chat/stream", json=body, headers=headers) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line == "event: done" and done_at is None:
                done_at = time.perf_counter()
    ended = time.perf_counter()
    assert done_at is not None
    return (done_at - started) * 1000, (ended - started) * 1000


async def run(customers: int, turns: int, kind: str, think: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    backoffice = work / "backoffice.db"
    load(generate(20261121, date.today()), backoffice)
    prefix = f"sbbench-archive-{uuid.uuid4().hex[:8]}"
    async with database(kind, work) as url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            app_env="test", backoffice_db_path=backoffice, database_url=url,
            search_index_dir=ROOT / "var" / "test" / "search", redis_key_prefix=prefix,
            checkpoint_ttl_seconds=3600, log_level="WARNING",
            chat_rate_per_session=1000, chat_rate_per_ip=100_000,
            conversation_rate_per_ip=100_000,
        )  # fmt: skip
        await build_search_index(settings)
        await seed(url, settings)
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="on"))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.05)
        archive: ConversationArchive = app.state.conversation_archive
        supervision = app.state.runtime.graphs.supervision
        events: ArchiveOnEvents = supervision.bus
        sync_ms: list[float] = []
        original = archive.sync

        async def timed_sync(name: str, *, answer_ms: float | None = None) -> int:
            started = time.perf_counter()
            try:
                return await original(name, answer_ms=answer_ms)
            finally:
                sync_ms.append((time.perf_counter() - started) * 1000)

        archive.sync = timed_sync  # type: ignore[method-assign,assignment]
        write_ms: list[float] = []
        original_write = archive.writer.write

        async def timed_write(name: str, state: Any, answer_ms: float | None = None) -> int:
            started = time.perf_counter()
            try:
                return await original_write(name, state, answer_ms)
            finally:
                write_ms.append((time.perf_counter() - started) * 1000)

        archive.writer.write = timed_write  # type: ignore[method-assign,assignment]
        samples: dict[tuple[str, str], list[float]] = defaultdict(list)
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=60, headers=WIDGET_HEADERS
            ) as client:
                for n in range(customers + 2):  # two warm-up customers, not counted
                    on = n % 2 == 0
                    app.state.chat_service.archive = archive if on else None
                    supervision.bus = events if on else events.inner
                    mode = "archive on" if on else "archive off"
                    opened = (await client.post("/api/conversation/new", json={})).json()["data"]
                    name, headers = (
                        opened["session_name"],
                        {"Authorization": f"Bearer {opened['token']}"},
                    )
                    for t in range(turns):
                        await asyncio.sleep(think)  # the customer reads and types
                        text = QUESTIONS[t % len(QUESTIONS)]
                        if t % 2 == 0:
                            ms = await turn_json(client, name, headers, text)
                            if n >= 2:
                                samples[("POST /api/chat (JSON)", mode)].append(ms)
                        else:
                            done, end = await turn_sse(client, name, headers, text)
                            if n >= 2:
                                samples[("SSE: done frame", mode)].append(done)
                                samples[("SSE: stream end", mode)].append(end)
        finally:
            app.state.chat_service.archive, supervision.bus = archive, events
            await events.drain()
            server.should_exit = True
            await serving
            redis = Redis.from_url(settings.redis_url)
            keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=5000)]
            if keys:
                await redis.unlink(*keys)
            await redis.aclose()
    print(f"\n{customers} customers x {turns} turns, {think} s between turns, database {kind}, "
          "offline model\n")  # fmt: skip
    print("| route | mode | turns | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for (route, mode), values in sorted(samples.items()):
        print(f"| {route} | {mode} | {len(values)} | {pct(values, 50):.1f} | "
              f"{pct(values, 95):.1f} | {statistics.mean(values):.1f} |")  # fmt: skip
    for label, values in (("archive sync (checkpoint read + DB write)", sync_ms),
                          ("of which the DB transaction", write_ms)):  # fmt: skip
        print(f"| {label} | - | {len(values)} | {pct(values, 50):.1f} | "
              f"{pct(values, 95):.1f} | {statistics.mean(values):.1f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between turns")
    args = parser.parse_args()
    asyncio.run(run(args.customers, args.turns, args.db, args.think))


if __name__ == "__main__":
    main()
