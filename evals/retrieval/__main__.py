"""`python -m evals.retrieval [--misses]`: the dev-set table for bm25-only, vector-only, hybrid."""

from __future__ import annotations

import argparse
import time
from datetime import date

from core.embeddings import build_embedder
from core.settings import get_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from . import check_labels, evaluate, format_table, load_devset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list queries hybrid ranks poorly")
    parser.add_argument("--seed", type=int, default=None, help="data seed (default: DEMO_SEED)")
    args = parser.parse_args()

    settings = get_settings()
    today = date.today()
    plans = generate(args.seed if args.seed is not None else settings.demo_seed, today).plans
    devset = load_devset()
    check_labels(devset, plans, today)
    retriever = LocalHybridRetriever(build_embedder(settings), index_dir=settings.search_index_dir)
    report = retriever.ensure_index_sync(plans)
    print(f"index: {report.action} {report.documents} plans in {report.seconds:.2f}s")
    started = time.perf_counter()
    results = evaluate(retriever, devset, today=today)
    print(f"{len(devset)} queries x {len(results)} modes in {time.perf_counter() - started:.1f}s\n")
    print(format_table(results, devset))
    if args.misses:
        hybrid = results["hybrid"].per_query
        print("\nqueries with hybrid MRR < 1:")
        for item in devset:
            recall, rr, ranked = hybrid[item.id]
            if rr < 1:
                sides = " ".join(f"{m}={results[m].per_query[item.id][1]:.2f}" for m in results)
                print(f"  {item.id} {item.query!r} R@5={recall:.2f} RR={rr:.2f} [{sides}]")
                print(f"      relevant={sorted(item.relevant)} top5={ranked[:5]}")


if __name__ == "__main__":
    main()
