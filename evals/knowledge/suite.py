"""Knowledge suite for `python -m evals run knowledge`: recall@5 and MRR of the knowledge base's
hybrid search, and precision/recall of its "answerable" decision (the chat's "I don't know").

Wraps this package: the corpus (faqs.jsonl, documents/) goes through the server's own code once
per run (opened through `Resources`, so a fully cached re-run never embeds it); each dev query
is one case. Recall and MRR are over the answerable queries only; the answerable figures over
all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from evals.runner.results import CaseResult
from evals.runner.schema import Row
from evals.runner.suite import RunContext, Suite, mean
from mcp_servers.knowledge.index import NULL_PASSAGES, TenantIndex, corpus_form, null_baseline

from . import HERE, answerable_figures, build_corpus

TOP = 5


class KnowledgeRow(Row):
    query: str = Field(min_length=1)
    relevant: list[str] = Field(default_factory=list)  # [] = the knowledge base cannot answer


class _Corpus:
    def __init__(self, index: TenantIndex, labels: list[set[str]], embedder: Any) -> None:
        self.index, self.embedder = index, embedder
        self.labels = {c.chunk_id: labels[i] for i, c in enumerate(index.chunks)}
        self.null = embedder.embed_passages(NULL_PASSAGES)


class KnowledgeSuite(Suite[KnowledgeRow]):
    name = "knowledge"
    title = "Knowledge base (recall@5, MRR, answerable P/R)"
    dataset = HERE / "devset.jsonl"
    # Rows nobody tunes on (`--split blind`); see the header of blind.jsonl.
    extra_splits: ClassVar[dict[str, Path]] = {"blind": HERE / "blind.jsonl"}
    text_field = "query"
    row_model = KnowledgeRow
    code = (
        "mcp_servers/knowledge/index.py",
        "mcp_servers/knowledge/store.py",
        "mcp_servers/knowledge/ingest/*.py",
        "mcp_servers/promotion/search/*.py",
        "core/embeddings.py",
        "evals/knowledge/*.py",
        "evals/knowledge/faqs.jsonl",
        "evals/knowledge/documents/*",
    )

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        return {"embedder": ctx.settings.embedding_backend}

    async def _corpus(self, ctx: RunContext) -> _Corpus:
        async def open_corpus(_: AsyncExitStack) -> _Corpus:
            import asyncio

            from core.embeddings import build_embedder

            embedder = build_embedder(ctx.settings, bulk=True)
            index, labels = await asyncio.to_thread(build_corpus, embedder)
            return await asyncio.to_thread(_Corpus, index, labels, embedder)

        return await ctx.resources.get("knowledge_corpus", open_corpus)

    async def evaluate(self, row: KnowledgeRow, ctx: RunContext) -> CaseResult:
        corpus = await self._corpus(ctx)
        vector = corpus.embedder.embed_queries([corpus_form(row.query)])[0]
        ranked = corpus.index.search(row.query, vector, baseline=null_baseline(vector, corpus.null),
                                     top_k=TOP)  # fmt: skip
        found = [sorted(corpus.labels[h.chunk.chunk_id]) for h in ranked.hits]
        rank = next((i for i, labels in enumerate(found, start=1)
                     if set(labels) & set(row.relevant)), None)  # fmt: skip
        answerable = bool(row.relevant)
        scores = {"answerable": float(answerable), "judged_answerable": float(ranked.answerable)}
        if answerable:
            scores |= {f"recall@{TOP}": float(rank is not None), "mrr": 1 / rank if rank else 0.0}
        return CaseResult(
            id=row.id,
            passed=ranked.answerable == answerable and (not answerable or rank is not None),
            scores=scores,
            details={"query": row.query, "expected": row.relevant or "I don't know",
                     "actual": [labels[0] for labels in found] if ranked.answerable
                     else "I don't know", "rank": rank, "evidence": ranked.evidence},
        )  # fmt: skip

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        labelled = [c for c in cases if c.scores.get("answerable")]
        pairs = [(bool(c.scores.get("answerable")), bool(c.scores.get("judged_answerable")))
                 for c in cases]  # fmt: skip
        figures = answerable_figures(pairs)
        metrics = {
            f"recall@{TOP}": round(mean([c.scores.get(f"recall@{TOP}", 0.0) for c in labelled]), 3),
            "mrr": round(mean([c.scores.get("mrr", 0.0) for c in labelled]), 3),
            **figures,
        }
        return metrics, {"answerable": len(labelled), "unanswerable": len(cases) - len(labelled)}
