"""Retrieval suite: recall@5 and MRR of promotion search, BM25 vs vector vs hybrid.

Wraps `evals.retrieval` (dev set, metrics, the tool's own query shaping and filters). Each dev
query is one case scored in all three modes; the index is the content-keyed local index of
today's generated catalogue, opened only when a case is not cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, ClassVar

from evals.retrieval import (
    DEVSET_PATH,
    MODES,
    RECALL_AT,
    DevQuery,
    check_labels,
    evaluate,
)
from evals.runner.results import CaseResult
from evals.runner.schema import DatasetError, RetrievalRow
from evals.runner.suite import RunContext, Suite, mean_score
from mcp_servers.backoffice.generator import generate
from mcp_servers.promotion.search.retriever import LocalHybridRetriever


def as_query(row: RetrievalRow) -> DevQuery:
    return DevQuery(
        id=row.id,
        query=row.query,
        relevant=frozenset(row.relevant),
        phrasing=row.phrasing,
        context=row.context,
        note=row.note,
    )


class RetrievalSuite(Suite[RetrievalRow]):
    name = "retrieval"
    title = "Promotion search (BM25 / vector / hybrid)"
    dataset = DEVSET_PATH
    extra_splits: ClassVar[dict[str, Path]] = {"blind": DEVSET_PATH.with_name("blind.jsonl")}
    text_field = "query"
    row_model = RetrievalRow
    code = (
        "mcp_servers/promotion/search/*.py",
        "core/embeddings.py",
        "mcp_servers/backoffice/catalog_plans.py",
        "mcp_servers/backoffice/plan_builder.py",
        "evals/retrieval/__init__.py",
        "evals/suites/retrieval.py",
    )

    def check(self, rows: Sequence[RetrievalRow], ctx: RunContext) -> None:
        plans = generate(ctx.settings.demo_seed, ctx.today).plans
        try:
            check_labels([as_query(r) for r in rows], plans, ctx.today)
        except ValueError as error:
            raise DatasetError(str(error)) from None  # the engine prefixes the split's file

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        return {
            "today": ctx.today.isoformat(),
            "seed": ctx.settings.demo_seed,
            "embedder": ctx.settings.embedding_backend,
        }

    async def _retriever(self, ctx: RunContext) -> LocalHybridRetriever:
        async def open_index(stack: AsyncExitStack) -> LocalHybridRetriever:
            from core.embeddings import build_embedder

            settings = ctx.settings
            retriever = LocalHybridRetriever(
                build_embedder(settings), index_dir=settings.search_index_dir
            )
            await retriever.ensure_index(generate(settings.demo_seed, ctx.today).plans)
            return retriever

        return await ctx.resources.get("retriever", open_index)

    async def evaluate(self, row: RetrievalRow, ctx: RunContext) -> CaseResult:
        retriever = await self._retriever(ctx)
        query = as_query(row)
        results = evaluate(retriever, [query], today=ctx.today)
        scores: dict[str, float] = {}
        ranked: dict[str, list[str]] = {}
        for mode in MODES:
            recall, rr, top = results[mode].per_query[row.id]
            scores[f"{mode}.recall@{RECALL_AT}"] = recall
            scores[f"{mode}.mrr"] = rr
            ranked[mode] = top[:RECALL_AT]
        hybrid_top = ranked["hybrid"]
        return CaseResult(
            id=row.id,
            passed=bool(set(hybrid_top) & query.relevant),  # a relevant plan in the top 5
            scores=scores,
            details={
                "query": row.query,
                "phrasing": row.phrasing,
                "expected": sorted(row.relevant),
                "actual": hybrid_top,
                "ranked": ranked,
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        metrics = {
            f"{mode}.{metric}": mean_score(cases, f"{mode}.{metric}")
            for mode in MODES
            for metric in (f"recall@{RECALL_AT}", "mrr")
        }
        return metrics, {"queries": len(cases)}
