"""Retrieval dev set for promotion search: recall@5 and MRR of BM25, vector and hybrid.

`devset.jsonl` holds zh-TW queries as store staff and customers phrase them, each with the ids
of every plan judged relevant against the generated catalogue's text (the criterion is in the
`note` field), and optionally a `context` (a `CustomerContext`) that shapes the query.

Metrics: recall@5 = |relevant ∩ top 5| / min(5, |relevant|) (capped, so a query with 20
relevant plans can still score 1.0), MRR = mean of 1 / rank of the first relevant hit (0 when
none in the top 10).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.query import shape_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever, Mode

DEVSET_PATH = Path(__file__).with_name("devset.jsonl")
MODES: tuple[Mode, ...] = ("bm25", "vector", "hybrid")
RECALL_AT = 5
MRR_DEPTH = 10


@dataclass(frozen=True)
class DevQuery:
    id: str
    query: str
    relevant: frozenset[str]
    phrasing: str = "staff"
    context: dict[str, Any] | None = None
    note: str = ""


@dataclass
class ModeResult:
    mode: str
    recall: float
    mrr: float
    per_query: dict[str, tuple[float, float, list[str]]] = field(default_factory=dict)


def load_devset(path: Path = DEVSET_PATH) -> list[DevQuery]:
    queries: list[DevQuery] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("//"):  # comment lines
            continue
        row = json.loads(line)
        queries.append(
            DevQuery(
                id=row["id"],
                query=row["query"],
                relevant=frozenset(row["relevant"]),
                phrasing=row.get("phrasing", "staff"),
                context=row.get("context"),
                note=row.get("note", ""),
            )
        )
    return queries


def check_labels(devset: Sequence[DevQuery], plans: Sequence[Plan], today: date) -> None:
    """Every label must name a plan that exists and is on sale: a typo would skew the numbers."""
    on_sale = {p.plan_id for p in plans if p.valid_from <= today <= p.valid_to}
    for item in devset:
        unknown = item.relevant - on_sale
        if unknown:
            raise ValueError(f"{item.id}: labels not on sale on {today}: {sorted(unknown)}")


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int = RECALL_AT) -> float:
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    for position, plan_id in enumerate(ranked[:MRR_DEPTH], start=1):
        if plan_id in relevant:
            return 1.0 / position
    return 0.0


def evaluate(
    retriever: LocalHybridRetriever,
    devset: Sequence[DevQuery],
    *,
    today: date,
    modes: Sequence[Mode] = MODES,
) -> dict[str, ModeResult]:
    """Run every query in every mode with the filters the tool would use (on sale today)."""
    results: dict[str, ModeResult] = {}
    for mode in modes:
        result = ModeResult(mode, 0.0, 0.0)
        for item in devset:
            shaped = shape_query(item.query, item.context)
            filters = shaped.filters.merged(SearchFilters(valid_on=today))
            hits = retriever.search_sync(shaped.text, filters=filters, top_k=MRR_DEPTH, mode=mode)
            ranked = [hit.plan_id for hit in hits]
            scores = (recall_at(ranked, item.relevant), reciprocal_rank(ranked, item.relevant))
            result.per_query[item.id] = (*scores, ranked)
        result.recall = sum(r for r, _, _ in result.per_query.values()) / len(devset)
        result.mrr = sum(m for _, m, _ in result.per_query.values()) / len(devset)
        results[mode] = result
    return results


def format_table(results: dict[str, ModeResult], devset: Sequence[DevQuery]) -> str:
    """Markdown table: overall, then split by who phrased the query."""
    groups: dict[str, list[str]] = {"all": [q.id for q in devset]}
    for item in devset:
        groups.setdefault(item.phrasing, []).append(item.id)
    with_context = [q.id for q in devset if q.context]
    if with_context:
        groups["with context"] = with_context
    lines = [
        "| mode | "
        + " | ".join(f"{name} (n={len(ids)}) R@5 / MRR" for name, ids in groups.items())
        + " |",
        "|---|" + "---|" * len(groups),
    ]
    for mode, result in results.items():
        cells = []
        for ids in groups.values():
            recall = sum(result.per_query[i][0] for i in ids) / len(ids)
            mrr = sum(result.per_query[i][1] for i in ids) / len(ids)
            cells.append(f"{recall:.3f} / {mrr:.3f}")
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
