"""Dev queries typed in list-plans: retrieval quality of the renewal step's typed searches.

Run (one tree, writes its rankings): `.venv/bin/python -m tests.benchmarks.eval_typed_list_plans
--out /tmp/a.json`; compare two runs (e.g. this tree and a `git archive HEAD` copy with this
file put in it): `... eval_typed_list_plans --compare /tmp/head.json /tmp/a.json`.

Why: the dev set (`evals retrieval`) searches its queries as they are; in the service staff type
them into list-plans, which sends `<typed> || 續約 搭配手機 4G` and a customer context
(`graphs.renewal.plans.search_query`), so the query is shaped, filtered and embedded in parts.
A change to that path (e.g. which needs words `shape_query` adds after the mark) changes these
rankings and not the dev set's. Each dev query is typed for 4 customers (the golden customer
bench_api uses, and a generated line of 3 other kinds, one device choice each); its labels are
restricted to the plans the search's context filters admit (renewal type, identities, sale
date, the device fit); a search with no label left is ranked (top-5 changes count it) but not
scored. Hybrid R@5 and MRR as `evals.retrieval` defines them, and per search whether the
context part is the untyped search's (else its vector is embedded again, not reused: issue 24
part 3, docs/search.md).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from core.embeddings import build_embedder
from core.settings import get_settings
from evals.retrieval import MRR_DEPTH, load_devset, recall_at, reciprocal_rank
from graphs.renewal.plans import device_choice, search_query
from mcp_servers.backoffice.device_fit import fits_device
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.query import shape_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever
from tests.benchmarks.bench_search_typed import renewal_state

# The golden customer (5G, heavy data and voice) renewing with a phone, then a random line of
# each kind: 4G with a phone, a student plan renewed plainly, a data-only line with a tablet.
KINDS = ("5G", "4G", "student", "data_only")
DEVICES = ("smartphone", "smartphone", "none", "tablet")


def run(out: Path, seed: int, limit: int | None) -> None:
    """Search every (customer, dev query) pair; print aggregates, write per-search rankings."""
    settings, today = get_settings(), date.today()
    office = generate(settings.demo_seed, today)
    owners = {c.customer_id: c for c in office.customers}
    lines = [line for line in office.lines if line.status == "active"]
    golden = next(line for line in lines if line.phone_number == GOLDEN.eligible.phone)
    shuffled = random.Random(seed).sample(lines, len(lines))
    picked = [golden, *(next(x for x in shuffled if x.plan_type == t) for t in KINDS[1:])]
    retriever = LocalHybridRetriever(build_embedder(settings), index_dir=settings.search_index_dir)
    retriever.ensure_index_sync(office.plans)
    devset = load_devset()[:limit]
    rows: dict[str, dict[str, Any]] = {}
    for n, (line, device) in enumerate(zip(picked, DEVICES, strict=True)):
        state: Any = renewal_state(line, owners[line.customer_id], device)
        choice: Any = device_choice(state)
        misfits = tuple(p.plan_id for p in office.plans if not fits_device(p, choice))
        untyped_query, context = search_query(state, None)
        context = {**context, "renewal_type": "plain" if device == "none" else "with_device"}
        untyped = parse_query(shape_query(untyped_query, context).text).text
        for item in devset:
            shaped = shape_query(search_query(state, item.query)[0], context)
            filters = shaped.filters.merged(SearchFilters(valid_on=today, exclude_plan_ids=misfits))
            relevant = frozenset(p.plan_id for p in office.plans if p.plan_id in item.relevant
                                 and filters.admits(p))  # fmt: skip
            hits = retriever.search_sync(shaped.text, filters=filters, top_k=MRR_DEPTH)
            ranked = [h.plan_id for h in hits]
            parts = parse_query(shaped.text).parts
            rows[f"{n}:{item.id}"] = {
                "recall": recall_at(ranked, relevant) if relevant else 0.0,
                "rr": reciprocal_rank(ranked, relevant) if relevant else 0.0,
                "ranked": ranked,
                "labels": len(relevant),
                "context_reused": bool(parts) and parts[1] == untyped,
            }
        print(f"customer {n}: {line.plan_id} {line.plan_type}, device {device}, "
              f"context `{untyped}`")  # fmt: skip
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    summarise({"this tree": rows})


def summarise(runs: dict[str, dict[str, dict[str, Any]]]) -> None:
    """R@5 / MRR per run, then how the last run's top 5 differs from the first's."""
    for name, rows in runs.items():
        scored = [r for r in rows.values() if r["labels"]]
        recall = sum(r["recall"] for r in scored) / len(scored)
        mrr = sum(r["rr"] for r in scored) / len(scored)
        reused = sum(r["context_reused"] for r in rows.values())
        one = sum(r["labels"] == 1 for r in scored)
        print(f"{name}: {len(rows)} searches, context part reused in {reused}; {len(scored)} "
              f"with a label left ({one} with one): hybrid R@5 / MRR {recall:.3f} / "
              f"{mrr:.3f}")  # fmt: skip
    if len(runs) < 2:
        return
    values = list(runs.values())
    first, last = values[0], values[-1]
    common = sorted(first.keys() & last.keys())
    order = [k for k in common if first[k]["ranked"][:5] != last[k]["ranked"][:5]]
    sets = [k for k in order if set(first[k]["ranked"][:5]) != set(last[k]["ranked"][:5])]
    moved = [k for k in common if first[k]["context_reused"] != last[k]["context_reused"]]
    print(f"top 5 differs in order on {len(order)} of {len(common)}, as a set on {len(sets)}; "
          f"context reuse changed on {len(moved)}")  # fmt: skip
    for key in (k for k in sets if first[k]["labels"]):
        a, b = first[key], last[key]
        print(f"  {key}: R@5 {a['recall']:.2f} -> {b['recall']:.2f}, RR {a['rr']:.2f} -> "
              f"{b['rr']:.2f}; {a['ranked'][:5]} -> {b['ranked'][:5]}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="write this tree's rankings here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--seed", type=int, default=14, help="which generated lines")
    parser.add_argument("--limit", type=int, default=None, help="the first N dev queries")
    opts = parser.parse_args()
    if opts.compare:
        summarise({str(p): json.loads(p.read_text(encoding="utf-8")) for p in opts.compare})
    elif opts.out:
        run(opts.out, opts.seed, opts.limit)
    else:
        parser.error("--out or --compare")
