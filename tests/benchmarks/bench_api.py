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
(api, langgraph dev, api, ...; `--slots` each), with the same staff count (`--versus-staff N`:
N for the second, to find its own saturation), think time, client (aiohttp, one request per
click) and durability (`exit` for both). Prints each slot, then the
median journeys/s and clicks/s of each and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import uvloop

from tests.benchmarks.bench_api_journeys import Recorder, Staff, p95, step_table
from tests.benchmarks.bench_servers import (
    Served,
    own_api,
    sign_in,
)
from tests.benchmarks.proc_cpu import cpu_by_role, cpu_per_click


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
    lag_ms: list[float]  # the load generator's own event-loop lag, sampled every 5 ms

    @property
    def journeys_per_s(self) -> float:
        return self.rec.journeys / self.seconds

    @property
    def clicks_per_s(self) -> float:
        return self.rec.clicks / self.seconds

    def lag(self) -> str:
        if not self.lag_ms:
            return "not sampled"
        median, worst = statistics.median(self.lag_ms), max(self.lag_ms)
        return f"p50 {median:.1f}, p95 {p95(self.lag_ms):.1f}, max {worst:.1f}"

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
            f"CPU per click (ms): {cpu}; serving total {serving:.1f}\n"
            f"load generator's loop lag (ms): {self.lag()}"
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
    lag: list[float] = []
    probe = asyncio.create_task(loop_lag(lag))
    try:
        rec, wall = await staff.window(members, seconds)
    finally:
        probe.cancel()
    after: dict[str, float] = {**cpu_by_role(served.pid, served.redis)}
    after["load generator"] = time.process_time()
    return Window(rec, wall, cpu_per_click(before, after, rec.clicks + rec.late), lag)


async def loop_lag(into: list[float], every: float = 0.005) -> None:
    """How late this process's event loop wakes a 5 ms timer, in ms.

    A click's time is measured here, in the load generator: a reply that waits in the socket
    while this process waits for a core counts in the step's latency too. On a box with a core
    burnt, this is the client's share of the tail (issue 24, part 3)."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(every)
        into.append(max(0.0, (time.perf_counter() - started - every) * 1000))


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
          "| refusal p95 ms | timeouts | errors | serving CPU ms/click "
          "| load generator loop lag p95 ms |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def _level_row(staff: int, think: float, m: Window) -> str:
    steps = {k: v for k, v in m.rec.samples.items() if "LLM" not in k}
    name, worst = max(steps.items(), key=lambda kv: p95(kv[1]), default=("-", [0.0]))
    refused = m.rec.refusal_ms
    serving = sum(ms for role, ms in m.cpu.items() if role != "load generator")
    return (
        f"| {staff} | {think:g} | {m.journeys_per_s:.2f} | {m.clicks_per_s:.1f} "
        f"| {p95(worst):.0f} ({name}) | {len(refused)} | {p95(refused) if refused else 0:.1f} "
        f"| {m.rec.timeouts} | {sum(m.rec.errors.values())} | {serving:.1f} "
        f"| {p95(m.lag_ms) if m.lag_ms else 0:.1f} |"
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
    # Each side's team: the second can be larger, to find its own saturation (langgraph dev's
    # queue answers a run ~2 s after it was posted, so 50 staff leave its CPU half idle).
    team_size = dict(zip(contenders, (staff, args.versus_staff or staff), strict=True))
    async with AsyncExitStack() as stack:
        servers, tokens, teams = {}, {}, {}
        for name, (target, workers) in contenders.items():
            served = servers[name] = await stack.enter_async_context(server(args, target, workers))
            tokens[name] = await sign_in(served.url, target)
            await warm_up(served, target, tokens[name], args, workers)
            http = await stack.enter_async_context(client(served.url, team_size[name]))
            teams[name] = staff_of(http, target, tokens[name], args, think)
        slots: dict[str, list[Window]] = {name: [] for name in contenders}
        for n in range(args.slots):
            for name, served in servers.items():
                w = await window(served, teams[name], team_size[name], args.slot)
                slots[name].append(w)
                print(f"slot {n + 1} {name}: {w.summary()}", flush=True)
        for team in teams.values():
            await team.close()
    sizes = ", ".join(f"{name} {n}" for name, n in team_size.items())
    print(f"\nstaff: {sizes}; think={think}s, {args.slots} × {args.slot} s slots each, "
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
    parser.add_argument("--versus-staff", type=int, default=0,
                        help="--compare: the second target's staff (default: --staff)")  # fmt: skip
    arguments = parser.parse_args()
    # the client on uvloop, as the API: the lighter the load generator, the less it takes from
    # the cores it shares with the service it measures
    uvloop.run(compare(arguments) if arguments.compare else load_levels(arguments))
