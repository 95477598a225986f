"""`python -m evals.retrieval [--split dev|blind|all] [--misses] [--seed N]`: the table of
bm25-only, vector-only and hybrid for each split, then dev and blind side by side.

`--misses` lists the dev queries hybrid ranks poorly; the blind split never lists its misses
(it measures the engine and is not there to be tuned against).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import date

from core.embeddings import build_embedder
from core.settings import get_settings
from evals.runner.schema import RetrievalRow, load_jsonl
from evals.suites.retrieval import as_query
from mcp_servers.backoffice.generator import generate
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from . import DEVSET_PATH, RECALL_AT, DevQuery, ModeResult, check_labels, evaluate, format_table

SPLITS = {"dev": DEVSET_PATH, "blind": DEVSET_PATH.with_name("blind.jsonl")}


def side_by_side(results: dict[str, dict[str, ModeResult]], sizes: dict[str, int]) -> str:
    """Markdown: one row per mode, recall@5 / MRR per split."""
    splits = list(results)
    lines = [
        "| mode | " + " | ".join(f"{s} (n={sizes[s]}) R@{RECALL_AT} / MRR" for s in splits) + " |",
        "|---|" + "---|" * len(splits),
    ]
    for mode in next(iter(results.values())):
        cells = [f"{results[s][mode].recall:.3f} / {results[s][mode].mrr:.3f}" for s in splits]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_misses(devset: Sequence[DevQuery], results: dict[str, ModeResult]) -> None:
    hybrid = results["hybrid"].per_query
    print("\nqueries with hybrid MRR < 1:")
    for item in devset:
        recall, rr, ranked = hybrid[item.id]
        if rr < 1:
            sides = " ".join(f"{m}={results[m].per_query[item.id][1]:.2f}" for m in results)
            print(f"  {item.id} {item.query!r} R@5={recall:.2f} RR={rr:.2f} [{sides}]")
            print(f"      relevant={sorted(item.relevant)} top5={ranked[:5]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.retrieval", description=__doc__)
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument(
        "--misses", action="store_true", help="list dev queries hybrid ranks poorly"
    )
    parser.add_argument("--seed", type=int, default=None, help="data seed (default: DEMO_SEED)")
    args = parser.parse_args(argv)

    settings = get_settings()
    today = date.today()
    plans = generate(args.seed if args.seed is not None else settings.demo_seed, today).plans
    wanted = list(SPLITS) if args.split == "all" else [args.split]
    sets: dict[str, list[DevQuery]] = {}
    for split in wanted:
        if SPLITS[split].exists():
            rows = load_jsonl(SPLITS[split], RetrievalRow)  # `//` comments, file:line errors
            sets[split] = [as_query(r) for r in rows]
            check_labels(sets[split], plans, today)
        else:
            print(f"[{split}] {SPLITS[split].name}: not written yet")
    if not sets:
        return 1
    retriever = LocalHybridRetriever(build_embedder(settings), index_dir=settings.search_index_dir)
    report = retriever.ensure_index_sync(plans)
    print(f"index: {report.action} {report.documents} plans in {report.seconds:.2f}s")
    results: dict[str, dict[str, ModeResult]] = {}
    for split, devset in sets.items():
        started = time.perf_counter()
        results[split] = evaluate(retriever, devset, today=today)
        took = time.perf_counter() - started
        print(f"\n[{split}] {len(devset)} queries x {len(results[split])} modes in {took:.1f}s\n")
        print(format_table(results[split], devset))
        if args.misses and split == "dev":
            print_misses(devset, results[split])
    if len(results) > 1:
        print("\ndev and blind side by side\n")
        print(side_by_side(results, {s: len(q) for s, q in sets.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
