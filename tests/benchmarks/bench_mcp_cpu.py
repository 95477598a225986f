"""Server CPU per MCP tool call, by tool and transport; two source trees side by side.

Run: .venv/bin/python -m tests.benchmarks.bench_mcp_cpu [--tree /tmp/head] [--calls 1000]
     [--reps 3] [--transports stdio,http] [--tools get_customer,compare_plans]

The CRM and Promotion servers run as the API runs them (a stdio child, or `--transport http`
with streamable HTTP), the calls go through the API's own client path (`tools.mcp_link`: no
client-side schema re-validation), and the figure is the server process's utime + stime from
`/proc` over `--calls` calls, divided by the calls. With `--tree DIR` (a `git archive HEAD`
copy, say) the same servers also run from DIR and the blocks alternate, tree by tree and rep
by rep in turn, so both see the same box load; each tool's first answers from the two trees are
compared, `_meta.server_ms` aside, so a change cannot alter what the client receives unnoticed.
Their log lines go to /dev/null (the cost of rendering them is counted, not of a terminal).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from core.settings import ROOT, get_settings
from graphs.renewal.plans import TOP_K, search_query
from mcp_servers.backoffice.golden import GOLDEN
from tests.mcp_http import child_pids, free_port, wait_for_port
from tools.mcp import server_env
from tools.mcp_link import _call_tool

PHONE = GOLDEN.eligible.phone
SERVER_OF = {
    "get_customer": "crm",
    "get_phone_details": "crm",
    "check_renewal_eligibility": "crm",
    "search_promotions": "promotion",
    "compare_plans": "promotion",
}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Served:
    """One server of one tree over one transport, with the client session open on it."""

    tree: str
    transport: str
    session: ClientSession
    pid: int
    results: dict[str, list[float]] = field(default_factory=dict)


async def serve(stack: AsyncExitStack, tree: Path, server: str, transport: str) -> Served:
    env = {**server_env(get_settings()), "PYTHONPATH": str(tree)}
    module = f"mcp_servers.{server}"
    if transport == "stdio":
        before = set(child_pids(module))
        params = StdioServerParameters(command=sys.executable, args=["-m", module], env=env,
                                       cwd=str(tree))  # fmt: skip
        devnull = stack.enter_context(open(os.devnull, "w"))  # noqa: ASYNC230, SIM115
        read, write = await stack.enter_async_context(stdio_client(params, errlog=devnull))
        session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()
        (pid,) = set(child_pids(module)) - before
    else:
        port = free_port()
        proc = subprocess.Popen(  # noqa: ASYNC220 - benchmark setup
            [sys.executable, "-m", module, "--transport", "http", "--port", str(port)],
            env=env, cwd=tree, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        stack.callback(proc.wait)
        stack.callback(proc.terminate)
        wait_for_port(port, proc)
        url = f"http://127.0.0.1:{port}/mcp"
        read, write, _ = await stack.enter_async_context(streamable_http_client(url))
        session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()
        pid = proc.pid
    return Served(str(tree), transport, session, pid)


async def arguments(crm: ClientSession) -> dict[str, dict[str, Any]]:
    """Each tool's arguments as a renewal journey sends them (golden eligible customer)."""
    line = (await _call_tool(crm, "get_phone_details", {"phone_number": PHONE})).structuredContent
    query, context = search_query({"line": line, "renewal_type": "single"}, None)  # type: ignore[typeddict-item]
    usage = line["usage_info"] if line else {}
    return {
        "get_customer": {"id_number": GOLDEN.eligible.national_id},
        "get_phone_details": {"phone_number": PHONE},
        "check_renewal_eligibility": {"phone_number": PHONE, "renewal_type": "single"},
        "search_promotions": {"query": query, "customer_context": context, "top_k": TOP_K},
        "compare_plans": {
            "plan_ids": ["P012", "P016", "P020"],
            "customer_usage": {
                "data_gb_per_month": usage.get("data_used_gb"),
                "voice_minutes_per_month": usage.get("voice_used_minutes"),
            },
        },
    }


def answer(result: CallToolResult) -> str:
    data = result.model_dump(mode="json", by_alias=True)
    meta = data.get("_meta") or {}
    meta.pop("server_ms", None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


async def block(served: Served, tool: str, args: dict[str, Any], calls: int) -> float:
    started = cpu_seconds(served.pid)
    for _ in range(calls):
        await _call_tool(served.session, tool, args)
    return 1000 * (cpu_seconds(served.pid) - started) / calls


async def main(trees: Sequence[Path], transports: Sequence[str], tools: Sequence[str],
               calls: int, reps: int) -> None:  # fmt: skip
    load = os.getloadavg()
    async with AsyncExitStack() as stack:
        served: dict[tuple[str, str, str], Served] = {}
        for server in sorted({SERVER_OF[t] for t in tools} | {"crm"}):
            for transport in transports:
                for tree in trees:
                    served[(server, transport, str(tree))] = await serve(
                        stack, tree, server, transport
                    )
        crm = next(s for k, s in served.items() if k[0] == "crm").session
        args = await arguments(crm)
        for tool in tools:
            server = SERVER_OF[tool]
            for transport in transports:
                group = [served[(server, transport, str(tree))] for tree in trees]
                answers = {answer(await _call_tool(s.session, tool, args[tool])) for s in group}
                if len(answers) > 1:
                    print(f"!! {tool} over {transport}: the trees answer differently")
                for s in group:  # warm-up: caches, the search index, first-call imports
                    await block(s, tool, args[tool], max(20, calls // 20))
                for rep in range(reps):
                    for s in group if rep % 2 == 0 else group[::-1]:
                        s.results.setdefault(tool, []).append(
                            await block(s, tool, args[tool], calls)
                        )
                row = [f"{tool}", transport]
                for s in group:
                    runs = s.results[tool]
                    row.append(" / ".join(f"{r:.3f}" for r in runs))
                    row.append(f"**{statistics.median(runs):.3f}**")
                print("| " + " | ".join(row) + " |", flush=True)
    end = os.getloadavg()
    print(f"trees: {', '.join(map(str, trees))}; {calls} calls a block, {reps} reps; load "
          f"average {load[0]:.2f} → {end[0]:.2f} (5 min {end[1]:.2f}); "
          f"{time.strftime('%H:%M')}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", type=Path, default=[],
                        help="another source tree to compare against (after this one)")  # fmt: skip
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--transports", default="stdio,http")
    parser.add_argument("--tools", default=",".join(SERVER_OF))
    parser.add_argument("--base-first", action="store_true", help="list --tree first")
    opts = parser.parse_args()
    trees = [ROOT, *opts.tree]
    if opts.base_first:
        trees = [*opts.tree, ROOT]
    print("| tool | transport | " + " | ".join(f"{t} runs | median" for t in trees) + " |")
    print("|---|---|" + "---|---|" * len(trees))
    asyncio.run(main(trees, opts.transports.split(","), opts.tools.split(","), opts.calls,
                     opts.reps))  # fmt: skip
