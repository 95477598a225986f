"""`python -m evals.knowledge`: recall@5, MRR and the answerable threshold on the dev set."""

from __future__ import annotations

import time

from core.embeddings import build_embedder
from core.settings import get_settings
from mcp_servers.knowledge.index import ANSWERABLE_MARGIN

from . import best_margin, leave_one_out, load_queries, run, score


def main() -> None:
    started = time.perf_counter()
    queries = load_queries()
    outcomes = run(build_embedder(get_settings(), bulk=True), queries)
    s = score(outcomes)
    print(f"queries: {s.answerable} answerable, {s.unanswerable} unanswerable "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    print(f"recall@5: {s.recall_at_5:.3f}   MRR: {s.mrr:.3f}")
    print(f"answerable at margin {ANSWERABLE_MARGIN}: accuracy {s.answerable_accuracy:.3f}, "
          f"precision {s.answerable_precision:.3f}, recall {s.answerable_recall:.3f}, "
          f"'I don't know' recall {s.unknown_recall:.3f}")  # fmt: skip
    margin, balanced = best_margin(outcomes)
    print(f"best margin on this set: {margin} (balanced accuracy {balanced:.3f})")
    held = leave_one_out(outcomes)
    print(f"leave-one-out (margin chosen without the query): accuracy "
          f"{held['answerable_accuracy']:.3f}, precision {held['answerable_precision']:.3f}, "
          f"recall {held['answerable_recall']:.3f}, 'I don't know' recall "
          f"{held['unknown_recall']:.3f}")  # fmt: skip
    for o in sorted(outcomes, key=lambda o: o.evidence):
        mark = "ANS" if o.query.relevant else "---"
        found = "miss" if o.query.relevant and o.rank is None else (o.rank or "")
        print(f"  {o.evidence:+.3f} {mark} {found!s:>4} {o.query.id} {o.query.query}")


if __name__ == "__main__":
    main()
