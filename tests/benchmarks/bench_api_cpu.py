"""CPU per click, step by step, of one or more source trees side by side (issue 24, third pass).

Run: .venv/bin/python -m tests.benchmarks.bench_api_cpu [--tree /tmp/head] [--journeys 20]
     [--reps 5] [--profile cpu|wall] [--pause 0.04] [--idle 30] [--floor 500]

Wall-clock latency on a shared 2-core box moves with everybody's load; CPU time spent by the
API for a click hardly does. Each tree (the working tree first, then every `--tree`, e.g. a
`git archive HEAD` copy) gets its own API process (`bench_api_probe`: `python -m api` with a
per-request CPU meter on the event loop thread), all on one seeded PostgreSQL database and one
private Redis. One member of staff clicks the whole journey (`bench_api_journeys.api_journey`,
no free text) serially, so each request's thread time is that click's CPU. Reps alternate
between the trees (A B A B ...); a rep is `--journeys` journeys. Printed: per step the best
rep's API CPU ms per click, each tree's API and MCP server CPU per click (/proc, whole
processes, best and median rep) and the load average. `--profile cpu|wall`: cProfile (thread
clock or perf_counter) over every rep, written to `<out>/<n>-<tree>/profile-<rep>.pstats`.
`--pause S`: the member of staff waits S seconds before every click, still one click at a time
(a paced click without company: on this VM a process woken after a pause runs with cold
caches, so the same click costs more CPU than back to back; session 15: +1.4 ms at 40 ms).
`--idle S`: after the reps, `--reps` windows of S seconds in which nobody clicks; each tree's
idle API process CPU a second (schedstat), all trees measured over the same windows.
`--floor N`: after the reps, what a request costs before a click's own work: N serial `GET
/health` (uvicorn, Litestar, our ASGI layers, no auth) and N serial `GET .../session/{id}` (the
same plus auth, the session read and the view's response model), API process CPU per request
(schedstat), best / median of `--reps` alternating blocks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from core.settings import ROOT
from tests.api_http import api_env, stop_api
from tests.benchmarks.bench_api_journeys import api_journey
from tests.benchmarks.bench_servers import bench_settings, private_redis, service_database, sign_in
from tests.benchmarks.proc_cpu import cpu_by_role, process_ns
from tests.mcp_http import free_port, wait_for_port

PROBE = Path(__file__).with_name("bench_api_probe.py")


class Serial:
    """The `Staff` interface `api_journey` clicks through, one click at a time."""

    def __init__(self, pause: float = 0.0) -> None:
        self.clicks = 0
        self.pause = pause

    async def click(self, step: str, send: Callable[[], Awaitable[tuple[int, Any]]]) -> Any:
        if self.pause:
            await asyncio.sleep(self.pause)
        status, value = await send()
        if status >= 400:
            raise RuntimeError(f"{step}: {status} {str(value)[:300]}")
        self.clicks += 1
        return value[1] if isinstance(value, tuple) else value


@dataclass
class Probed:
    tree: Path
    url: str
    process: subprocess.Popen[bytes]
    out: Path
    steps: list[dict[str, list[float]]] = field(default_factory=list)
    cpu: list[dict[str, float]] = field(default_factory=list)  # ms per click by role


@asynccontextmanager
async def probed_api(tree: Path, env: dict[str, str], out: Path, profile: str):  # type: ignore[no-untyped-def]
    """The API of `tree` under the probe; `out` (made beforehand) gets its log and figures."""
    port = free_port()
    environment = {**env, "APP_PORT": str(port), "PYTHONPATH": str(tree), "PROBE_DIR": str(out),
                   "PROBE_PROFILE": profile, "LOG_LEVEL": "WARNING"}  # fmt: skip
    environment.pop("PYTHONPYCACHEPREFIX", None)  # the tree's own var/pycache
    log = (out / "api.log").open("ab")
    process = subprocess.Popen(  # noqa: ASYNC220 - benchmark setup
        [sys.executable, str(PROBE)], env=environment, cwd=tree, stdout=log, stderr=log
    )
    try:
        await asyncio.to_thread(wait_for_port, port, process, 120)
        yield Probed(tree, f"http://127.0.0.1:{port}", process, out)
    finally:
        stop_api(process)


async def journeys(url: str, token: str, count: int, pause: float = 0.0) -> int:
    staff = Serial(pause)
    async with aiohttp.ClientSession(url) as http:
        for _ in range(count):
            await api_journey(http, token, staff, None)  # type: ignore[arg-type]
    return staff.clicks


async def rep(api: Probed, token: str, count: int, pause: float = 0.0) -> None:
    before = cpu_by_role(api.process.pid, ())
    os.kill(api.process.pid, signal.SIGUSR2)
    await asyncio.sleep(0.05)
    clicks = await journeys(api.url, token, count, pause)
    os.kill(api.process.pid, signal.SIGUSR2)
    after = cpu_by_role(api.process.pid, ())
    steps = api.out / "steps.json"
    for _ in range(100):
        await asyncio.sleep(0.05)
        if steps.exists():
            break
    api.steps.append(json.loads(steps.read_text()))
    steps.unlink()
    api.cpu.append({r: (after[r] - before[r]) * 1000 / clicks for r in after})
    if (profile := api.out / "profile.pstats").exists():
        profile.rename(api.out / f"profile-{len(api.cpu)}.pstats")


def loop_thread(steps: dict[str, list[float]]) -> float:
    """A rep's event loop thread CPU per click, ms (the probe's per-request meter)."""
    return sum(t for _, t in steps.values()) * 1000 / sum(c for c, _ in steps.values())


def report(apis: list[Probed]) -> None:
    names = [a.tree.name or str(a.tree) for a in apis]
    paths = list(apis[0].steps[0])
    print("\n| step (path) | " + " | ".join(f"{n} best / median ms" for n in names) + " |")
    print("|---|" + "---|" * len(apis))
    totals: dict[str, list[float]] = defaultdict(list)
    for path in paths:
        cells = []
        for a in apis:
            per = [s[path][1] * 1000 / s[path][0] for s in a.steps if path in s]
            cells.append(f"{min(per):.2f} / {statistics.median(per):.2f}")
        print(f"| {path} | " + " | ".join(cells) + " |")
    for a in apis:
        totals[a.tree.name] += [loop_thread(s) for s in a.steps]
    print("| **all clicks, event loop thread** | " + " | ".join(
        f"{min(totals[a.tree.name]):.2f} / {statistics.median(totals[a.tree.name]):.2f}"
        for a in apis) + " |")  # fmt: skip
    for role in ("server", "mcp servers"):
        print(f"| {role} process CPU (/proc) | " + " | ".join(
            f"{min(c[role] for c in a.cpu):.2f} / {statistics.median(c[role] for c in a.cpu):.2f}"
            for a in apis) + " |")  # fmt: skip
    print(f"\nload average after: {os.getloadavg()}")


async def idle(apis: list[Probed], seconds: float, windows: int) -> None:
    """Each idle API process's own CPU a second (timers, sweeps; schedstat, all its threads,
    not its MCP children), over the same windows."""
    rates: dict[str, list[float]] = defaultdict(list)
    for _ in range(windows):
        before = [process_ns(a.process.pid) for a in apis]
        await asyncio.sleep(seconds)
        for a, was in zip(apis, before, strict=True):
            rates[a.tree.name].append((process_ns(a.process.pid) - was) / 1e6 / seconds)
        print(f"idle {seconds:g} s: " + ", ".join(f"{n} {r[-1]:.2f}" for n, r in rates.items())
              + f" ms/s, load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    print("| idle API process CPU, ms a second (best / median) | " + " | ".join(
        f"{min(r):.2f} / {statistics.median(r):.2f}" for r in rates.values()) + " |")  # fmt: skip


async def floor(apis: list[Probed], token: str, count: int, blocks: int) -> None:
    """CPU per request of the API's cheapest routes (schedstat: /proc's ticks are too coarse)."""
    headers = {"Authorization": f"Bearer {token}"}
    spent: dict[tuple[str, str], list[float]] = defaultdict(list)
    async with AsyncExitStack() as stack:
        sessions = {}
        for api in apis:
            http = await stack.enter_async_context(aiohttp.ClientSession(api.url))
            async with http.post("/api/renewal-workflow/start", headers=headers) as answer:
                started = await answer.json()
            sessions[api.tree.name] = (http, started["data"]["session_id"])
        routes: dict[str, Callable[[str], str]] = {
            "GET /health": lambda _: "/health",
            "GET session view (auth, read)": lambda sid: f"/api/renewal-workflow/session/{sid}",
        }
        for _ in range(blocks):
            for route, path in routes.items():
                for api in apis:
                    http, sid = sessions[api.tree.name]
                    before = process_ns(api.process.pid)
                    for _ in range(count):
                        async with http.get(path(sid), headers=headers) as answer:
                            await answer.read()
                            assert answer.status == 200, answer.status
                    spent[(route, api.tree.name)].append(
                        (process_ns(api.process.pid) - before) / count / 1000
                    )
    names = [a.tree.name for a in apis]
    print(
        "\n| route, API process CPU per request (µs, best / median) | " + " | ".join(names) + " |"
    )
    for route in routes:
        cells = [spent[(route, name)] for name in names]
        print(f"| {route} | " + " | ".join(
            f"{min(c):.0f} / {statistics.median(c):.0f}" for c in cells) + " |")  # fmt: skip


def folders(trees: list[Path]) -> tuple[Path, list[Path]]:
    """The run's folder and one folder per tree in it."""
    out = Path(tempfile.mkdtemp(prefix="bench-api-cpu-"))
    each = [out / f"{n}-{tree.name}" for n, tree in enumerate(trees)]
    for folder in each:
        folder.mkdir()
    return out, each


async def main(args: argparse.Namespace, trees: list[Path]) -> None:
    out, each = folders(trees)
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(service_database("postgres", out))
        redis_url, _ = await stack.enter_async_context(private_redis(out))
        settings = await bench_settings(url, out, redis_url)
        env = api_env(settings, 0)
        env["REDIS_URL"] = redis_url
        apis = [
            await stack.enter_async_context(probed_api(tree, env, folder, args.profile))
            for tree, folder in zip(trees, each, strict=True)
        ]
        token = (await sign_in(apis[0].url, "api"))[0]
        for api in apis:  # imports, caches, first compile paths
            await journeys(api.url, token, 3)
        print(f"load average at start: {os.getloadavg()}; pause before each click "
              f"{args.pause * 1000:g} ms", flush=True)  # fmt: skip
        started = time.monotonic()
        for n in range(args.reps if args.journeys else 0):
            for api in apis:
                await rep(api, token, args.journeys, args.pause)
                print(f"rep {n + 1} {api.tree}: API {api.cpu[-1]['server']:.2f} ms/click "
                      f"(loop thread {loop_thread(api.steps[-1]):.2f}), "
                      f"MCP {api.cpu[-1].get('mcp servers', 0):.2f}, "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
        print(f"{time.monotonic() - started:.0f} s; profiles and logs under {out}")
        if args.journeys and args.reps:
            report(apis)
        if args.idle:
            await idle(apis, args.idle, args.reps)
        if args.floor:
            await floor(apis, token, args.floor, max(args.reps, 1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", default=[], help="another tree to compare")
    parser.add_argument("--journeys", type=int, default=20, help="journeys per rep")
    parser.add_argument("--reps", type=int, default=5, help="reps per tree, alternating")
    parser.add_argument("--profile", choices=["", "cpu", "wall"], default="",
                        help="cProfile every rep on this clock")  # fmt: skip
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds before every click (still serial)")  # fmt: skip
    parser.add_argument("--idle", type=float, default=0.0,
                        help="then --reps idle windows of this many seconds")  # fmt: skip
    parser.add_argument("--floor", type=int, default=0,
                        help="then GETs of /health and of a session, N a block")  # fmt: skip
    arguments = parser.parse_args()
    asyncio.run(main(arguments, [ROOT, *(Path(t).resolve() for t in arguments.tree)]))
