"""Knowledge-base retrieval dev set: recall@5, MRR and the "I do not know" threshold (issue 21).

The corpus (faqs.jsonl, documents/) goes through the server's own code: `ingest_bytes` for the
documents, the same FAQ passage, the same `TenantIndex` and null baseline, so the numbers are
the server's. `python -m evals.knowledge` prints them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embeddings import Embedder
from mcp_servers.knowledge.faqs import faq_passage
from mcp_servers.knowledge.index import (
    ANSWERABLE_MARGIN,
    NULL_PASSAGES,
    IndexedChunk,
    TenantIndex,
    corpus_form,
    detect_language,
    null_baseline,
)
from mcp_servers.knowledge.ingest import ingest_bytes

HERE = Path(__file__).resolve().parent
TENANT = "eval"


@dataclass(frozen=True)
class Query:
    id: str
    query: str
    relevant: tuple[str, ...]


def load_queries(path: Path = HERE / "devset.jsonl") -> list[Query]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]  # fmt: skip
    return [Query(r["id"], r["query"], tuple(r["relevant"])) for r in rows]


def build_corpus(embedder: Embedder) -> tuple[TenantIndex, list[set[str]]]:
    """The index and, per chunk, the labels it satisfies ("faq:<id>", "doc:<file>#<heading>")."""
    chunks: list[IndexedChunk] = []
    labels: list[set[str]] = []
    passages: list[str] = []
    for line in (HERE / "faqs.jsonl").read_text("utf-8").splitlines():
        faq = json.loads(line)
        chunks.append(IndexedChunk(
            chunk_id=len(chunks), faq_id=faq["id"], document_id=None, document_version=1,
            title=faq["question"], heading_path=(faq["category"],),
            text=faq_passage(faq["question"], faq["answer"]), citation=f"FAQ {faq['id']}",
            language=faq["language"],
        ))  # fmt: skip
        labels.append({f"faq:{faq['id']}"})
        passages.append(faq_passage(faq["question"], faq["answer"]))
    for path in sorted((HERE / "documents").iterdir()):
        doc = ingest_bytes(path.read_bytes(), path.name)
        for c in doc.chunks:
            chunks.append(IndexedChunk(
                chunk_id=len(chunks), faq_id=None, document_id=path.name, document_version=1,
                title=doc.title or path.name, heading_path=c.heading_path, text=c.text,
                citation=c.citation, language=detect_language(c.text),
            ))  # fmt: skip
            labels.append({f"doc:{path.name}"} | {f"doc:{path.name}#{h}" for h in c.heading_path})
            passages.append(c.embed_text)
    vectors = embedder.embed_passages(passages)
    return TenantIndex(TENANT, chunks, vectors), labels


@dataclass(frozen=True)
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the first relevant hit in the top 5
    evidence: float


def run(embedder: Embedder, queries: list[Query]) -> list[Outcome]:
    index, labels = build_corpus(embedder)
    by_id = {c.chunk_id: labels[i] for i, c in enumerate(index.chunks)}
    null = embedder.embed_passages(NULL_PASSAGES)
    vectors = embedder.embed_queries([corpus_form(q.query) for q in queries])
    outcomes = []
    for query, vector in zip(queries, vectors, strict=True):
        ranked = index.search(query.query, vector, baseline=null_baseline(vector, null), top_k=5)
        rank = next((i for i, h in enumerate(ranked.hits, start=1)
                     if by_id[h.chunk.chunk_id] & set(query.relevant)), None)  # fmt: skip
        outcomes.append(Outcome(query, rank, ranked.evidence))
    return outcomes


@dataclass(frozen=True)
class Scores:
    recall_at_5: float
    mrr: float
    answerable_accuracy: float
    answerable: int
    unanswerable: int
    answerable_precision: float = 0.0  # of the queries judged answerable, the share that are
    answerable_recall: float = 0.0  # of the answerable queries, the share judged so
    unknown_recall: float = 0.0  # of the out-of-KB queries, the share answered "I don't know"


def answerable_figures(pairs: Sequence[tuple[bool, bool]]) -> dict[str, float]:
    """(labelled answerable, judged answerable) pairs → precision, recall, the "I don't know"
    recall and accuracy of the answerable decision (an empty class scores 1.0)."""
    tp = sum(1 for truth, said in pairs if truth and said)
    fp = sum(1 for truth, said in pairs if not truth and said)
    fn = sum(1 for truth, said in pairs if truth and not said)
    tn = len(pairs) - tp - fp - fn
    return {
        "answerable_precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "answerable_recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "unknown_recall": round(tn / (tn + fp), 3) if tn + fp else 1.0,
        "answerable_accuracy": round((tp + tn) / len(pairs), 3) if pairs else 1.0,
    }


def score(outcomes: list[Outcome], margin: float = ANSWERABLE_MARGIN) -> Scores:
    labelled = [o for o in outcomes if o.query.relevant]
    recall = sum(o.rank is not None for o in labelled) / len(labelled)
    mrr = sum(1 / o.rank for o in labelled if o.rank) / len(labelled)
    figures = answerable_figures([(bool(o.query.relevant), o.evidence >= margin)
                                  for o in outcomes])  # fmt: skip
    return Scores(round(recall, 3), round(mrr, 3), figures["answerable_accuracy"],
                  len(labelled), len(outcomes) - len(labelled), figures["answerable_precision"],
                  figures["answerable_recall"], figures["unknown_recall"])  # fmt: skip


def balanced_accuracy(outcomes: list[Outcome], margin: float) -> float:
    """Mean of the answerable recall and the "I don't know" recall: unlike accuracy, it does not
    depend on how many queries of each kind the set happens to hold (dev is ~70% answerable, so
    accuracy rewards answering everything)."""
    figures = answerable_figures([(bool(o.query.relevant), o.evidence >= margin)
                                  for o in outcomes])  # fmt: skip
    return (figures["answerable_recall"] + figures["unknown_recall"]) / 2


def best_margin(outcomes: list[Outcome]) -> tuple[float, float]:
    """The threshold with the best balanced accuracy (ties: the lowest), and that figure."""
    candidates = np.round(np.arange(0.0, 0.2, 0.005), 3)
    best = max(candidates, key=lambda m: (balanced_accuracy(outcomes, float(m)), -m))
    return float(best), round(balanced_accuracy(outcomes, float(best)), 3)


def leave_one_out(outcomes: list[Outcome]) -> dict[str, float]:
    """The margin chosen without each query, judged on that query: the answerable figures a
    margin calibrated on this set would reach on a query it has not seen (a best margin scored
    on the queries that chose it flatters itself)."""
    pairs = []
    for i, held in enumerate(outcomes):
        margin, _ = best_margin(outcomes[:i] + outcomes[i + 1 :])
        pairs.append((bool(held.query.relevant), held.evidence >= margin))
    return answerable_figures(pairs)
