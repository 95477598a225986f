"""List-plans' search over MCP, two source trees side by side, call by call (issue 24 part 3).

Run: .venv/bin/python -m tests.benchmarks.bench_search_latency --tree /tmp/head
     [--rounds 300] [--pause 0.05]

The promotion server of this tree and of `--tree` (a `git archive HEAD` copy) run as the API runs
them (stdio children, the API's client path, `bench_mcp_cpu.serve`). Each round sends the
renewal's untyped search (a cache hit after the first) and a typed one (`bench_api`'s typing
vocabulary plus a fresh word, so its words are embedded), to one tree and then the other, the
order alternating round by round, so both see the same box load at the same moment: far less
noise than two bench_api runs minutes apart on a shared box. Client wall time per call (what
list-plans waits for) and the server's CPU per call (the mean: /proc counts clock ticks); the
answers of the two trees must match (`_meta.server_ms` aside), so the change cannot alter a
ranking unnoticed. `--warm-ms M` adds a third search per round and tree: fresh typed words
embedded ahead (a top-1 search of the words), the step's search sent M ms later (the time
from the click's arrival to the graph's search).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from core.settings import ROOT
from graphs.renewal.plans import CONTEXT_MARK, TOP_K, search_query
from mcp_servers.backoffice.golden import GOLDEN
from tests.benchmarks.bench_api_journeys import free_words, p95
from tests.benchmarks.bench_mcp_cpu import Served, answer, arguments, cpu_seconds, serve
from tools.mcp_link import _call_tool


async def timed(served: Served, kind: str, args: dict[str, Any]) -> str:
    cpu, started = cpu_seconds(served.pid), time.perf_counter()
    result = await _call_tool(served.session, "search_promotions", args)
    served.results.setdefault(f"{kind} wall", []).append((time.perf_counter() - started) * 1e3)
    served.results.setdefault(f"{kind} CPU", []).append((cpu_seconds(served.pid) - cpu) * 1e3)
    return answer(result)


async def main(trees: list[Path], rounds: int, pause: float, warm_ms: float) -> None:
    load = os.getloadavg()[0]
    rng = random.Random(7)
    async with AsyncExitStack() as stack:
        group = [await serve(stack, tree, "promotion", "stdio") for tree in trees]
        crm = await serve(stack, ROOT, "crm", "stdio")
        untyped = (await arguments(crm.session))["search_promotions"]
        phone = {"phone_number": GOLDEN.eligible.phone}
        line = (await _call_tool(crm.session, "get_phone_details", phone)).structuredContent
        state: Any = {"line": line, "renewal_type": "single"}  # as `arguments` shapes it
        differ = 0
        for n in range(rounds + 10):  # the first 10 rounds warm both up, unmeasured
            words = f"{free_words(rng)} {rng.randrange(10**6)}"
            query, context = search_query(state, words)
            typed = {"query": query, "customer_context": context, "top_k": TOP_K}
            order = group if n % 2 == 0 else group[::-1]
            answers: dict[str, set[str]] = {"untyped": set(), "typed": set()}
            for served in order:
                for kind, args in (("untyped", untyped), ("typed", typed)):
                    answers[kind].add(await timed(served, kind, args))
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
                if warm_ms > 0:  # the API's warm-up, `warm_ms` before the step's search
                    query, context = search_query(state, f"{words} {n}")
                    warmed = {"query": query, "customer_context": context, "top_k": TOP_K}
                    ahead = {"query": f"{words} {n} {CONTEXT_MARK} 續約",
                             "top_k": 1}  # fmt: skip
                    warm = asyncio.ensure_future(
                        _call_tool(served.session, "search_promotions", ahead)
                    )
                    await asyncio.sleep(warm_ms / 1000)
                    await timed(served, f"typed, warmed {warm_ms:g} ms ahead", warmed)
                    await warm
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
            differ += sum(len(a) > 1 for a in answers.values())
            if n == 9:
                for served in group:
                    served.results.clear()
    print(f"{rounds} rounds, pause {pause * 1000:.0f} ms; load average {load:.2f} -> "
          f"{os.getloadavg()[0]:.2f}; {time.strftime('%H:%M')} UTC; answers that differed "
          f"between the trees: {differ}")  # fmt: skip
    print("\n| per call (ms) | " + " | ".join(f"{s.tree} p50 / p95" for s in group) + " |")
    print("|---|" + "---|" * len(group))
    for key in group[0].results:
        if key.endswith("CPU"):  # /proc counts in clock ticks (10 ms): the mean over all calls
            cells = [f"mean {statistics.mean(s.results[key]):.1f}" for s in group]
        else:
            cells = [f"{statistics.median(s.results[key]):.1f} / {p95(s.results[key]):.1f}"
                     for s in group]  # fmt: skip
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, required=True, help="the other tree (absolute)")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--pause", type=float, default=0.05, help="mean seconds between calls")
    parser.add_argument("--warm-ms", type=float, default=0.0,
                        help="also: typed words warmed this long ahead")  # fmt: skip
    opts = parser.parse_args()
    asyncio.run(main([ROOT, opts.tree], opts.rounds, opts.pause, opts.warm_ms))
