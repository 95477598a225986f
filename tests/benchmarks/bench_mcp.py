"""MCP tool-call latency: persistent stdio session vs streamable HTTP vs in-memory.

Run: .venv/bin/python -m tests.benchmarks.bench_mcp [--calls 200]
Prints p50/p95/mean per transport for `get_customer` (one SQLite read), plus the per-call
session pattern of `MultiServerMCPClient.get_tools()` for comparison (fewer calls: it is slow).
The servers' CPU per call, by tool and transport, and against another tree (HEAD, say):
`tests/benchmarks/bench_mcp_cpu.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from fastmcp import Client
from langchain_mcp_adapters.client import MultiServerMCPClient

from core.logging import configure_logging
from core.settings import ROOT, Settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.store import load
from tests.mcp_http import free_port, wait_for_port
from tools.mcp import McpToolbox, connections, server_env

ARGS = {"id_number": GOLDEN.eligible.national_id}


async def timed(call: Callable[[], Awaitable[object]], n: int) -> list[float]:
    for _ in range(5):  # warm-up
        await call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.2f} | {p95:.2f} "
        f"| {statistics.fmean(samples):.2f} |"
    )


async def main(calls: int) -> None:
    workdir = Path(tempfile.mkdtemp())
    db = workdir / "backoffice.db"
    load(generate(20261121, date.today()), db)
    settings = Settings(_env_file=None, backoffice_db_path=db)  # type: ignore[call-arg]
    # the in-memory variant runs the CRM server in this process: its lines are masked here too
    configure_logging(settings)
    rows = []

    async with McpToolbox(settings, servers=["crm"]) as box:
        rows.append(row("stdio, persistent session", await timed(
            lambda: box.call("get_customer", **ARGS), calls)))  # fmt: skip

    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - one-off benchmark setup
        [sys.executable, "-m", "mcp_servers.crm", "--transport", "http", "--port", str(port)],
        env=server_env(settings), cwd=ROOT, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        http = settings.model_copy(update={"mcp_crm_url": f"http://127.0.0.1:{port}/mcp"})
        async with McpToolbox(http, servers=["crm"]) as box:
            rows.append(row("streamable HTTP, persistent session", await timed(
                lambda: box.call("get_customer", **ARGS), calls)))  # fmt: skip
    finally:
        server.terminate()
        server.wait()

    import os

    os.environ["BACKOFFICE_DB_PATH"] = str(db)
    from mcp_servers.crm.server import mcp

    async with Client(mcp) as client:
        rows.append(row("in-memory (fastmcp.Client)", await timed(
            lambda: client.call_tool("get_customer", ARGS), calls)))  # fmt: skip

    client_per_call = MultiServerMCPClient(connections(settings, ["crm"]))  # type: ignore[arg-type]
    tools = {t.name: t for t in await client_per_call.get_tools()}
    per_call = max(5, calls // 20)
    rows.append(row("get_tools() default (session per call)", await timed(
        lambda: tools["get_customer"].ainvoke(ARGS), per_call)))  # fmt: skip

    print("| transport | calls | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    asyncio.run(main(parser.parse_args().calls))
