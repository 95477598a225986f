"""Per-tenant hybrid index over knowledge chunks: BM25 + dense cosine fused by RRF.

The pieces are the promotion retriever's (CJK unigram+bigram tokens, bm25s, exact cosine scan,
RRF k=60), imported, so FAQs and promotions rank alike. One index holds one tenant's chunks
only: a search without a tenant cannot be expressed (`TenantIndex` is built per tenant and the
cache refuses an empty tenant id).

`answerable` is the "I do not know" rule: the cosine of the top hit (the one an answer cites)
minus the query's mean cosine with `NULL_PASSAGES`, texts about nothing a customer asks a
telco. Raw E5 cosines bunch in 0.8-0.9 for related and unrelated text alike, so a fixed cosine
says nothing; the margin over the query's own background does, and does not depend on how many
chunks the tenant has (a median over a three-chunk tenant is itself relevant text). The top
hit, not the best cosine anywhere: a chunk that is near in embedding space but that the fused
ranking does not put first is not what the answer would say. The threshold is measured on
evals/knowledge (see docs/knowledge.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import InvalidInput
from mcp_servers.promotion.search.fusion import DEFAULT_K, rrf
from mcp_servers.promotion.search.lexical import LexicalIndex
from mcp_servers.promotion.search.tokenize import tokenize, tokenize_many
from mcp_servers.promotion.search.vector import DenseIndex, top_indices

SIDE_DEPTH = 20  # each side's candidates before fusion, as in the promotion retriever
# Measured on evals/knowledge/devset.jsonl (python -m evals.knowledge): see docs/knowledge.md.
ANSWERABLE_MARGIN = 0.065
# Off-topic background for the answerable margin, both languages, various registers.
NULL_PASSAGES = (
    "The recipe calls for two eggs, flour and a pinch of salt.",
    "The museum's new exhibition shows paintings from the nineteenth century.",
    "Our football team won the match three to one on Sunday.",
    "Heavy rain is expected in the mountains tomorrow afternoon.",
    "The novel tells the story of a family of farmers over three generations.",
    "Water boils at one hundred degrees Celsius at sea level.",
    "這道菜需要兩顆雞蛋、麵粉和一小撮鹽。",
    "博物館的新展覽展出十九世紀的畫作。",
    "我們的籃球隊在週日以三比一贏得比賽。",
    "明天下午山區預計會有大雨。",
    "這本小說講述一個農家三代人的故事。",
    "貓咪喜歡在陽光下睡午覺。",
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class MissingTenant(InvalidInput):
    """A search or write without a tenant: always a bug in the caller."""


def require_tenant(tenant_id: str | None) -> str:
    if not tenant_id or not tenant_id.strip():
        raise MissingTenant("tenant_id is required for every knowledge operation")
    return tenant_id


def detect_language(text: str) -> str:
    """'zh-TW' when a tenth of the letters are CJK, else 'en' (documents carry no language)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    cjk = sum(1 for ch in letters if _CJK.match(ch))
    return "zh-TW" if cjk / len(letters) >= 0.1 else "en"


def language_matches(chunk_language: str, wanted: str | None) -> bool:
    """'zh' admits 'zh-TW'; 'zh-TW' admits 'zh-TW' and 'zh'; case-insensitive."""
    if not wanted:
        return True
    a, b = chunk_language.lower(), wanted.lower()
    return a == b or a.split("-")[0] == b.split("-")[0]


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    chunk_id: int
    faq_id: str | None
    document_id: str | None
    document_version: int
    title: str
    heading_path: tuple[str, ...]
    text: str
    citation: str
    language: str
    ordinal: int = 0  # the chunk's place in its document version (0 for an FAQ)

    @property
    def source_key(self) -> str:
        return f"faq:{self.faq_id}" if self.faq_id else f"doc:{self.document_id}"

    @property
    def index_text(self) -> str:
        """Title, heading path and text: what BM25 sees (the embedding covers the same)."""
        return "\n".join([self.title, " > ".join(self.heading_path), self.text])


@dataclass(frozen=True, slots=True)
class Hit:
    chunk: IndexedChunk
    score: float
    matched_by: tuple[str, ...]
    cosine: float


@dataclass(frozen=True, slots=True)
class Ranked:
    hits: list[Hit]
    evidence: float  # the top hit's cosine minus the query's mean cosine with NULL_PASSAGES

    @property
    def answerable(self) -> bool:
        return bool(self.hits) and self.evidence >= ANSWERABLE_MARGIN


class TenantIndex:
    """One tenant's current chunks, searchable; immutable once built (rebuild on change)."""

    def __init__(self, tenant_id: str, chunks: Sequence[IndexedChunk], vectors: np.ndarray):
        self.tenant_id = require_tenant(tenant_id)
        self.chunks = list(chunks)
        if len(self.chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        self.lexical: LexicalIndex | None = None
        self.dense: DenseIndex | None = None
        if self.chunks:  # bm25s cannot index an empty corpus
            self.lexical = LexicalIndex(tokenize_many([c.index_text for c in self.chunks]))
            self.dense = DenseIndex(vectors.reshape(len(self.chunks), -1))
        self._languages = np.array([c.language for c in self.chunks], dtype=object)

    def __len__(self) -> int:
        return len(self.chunks)

    def search(
        self,
        query: str,
        query_vector: np.ndarray,
        *,
        baseline: float,
        top_k: int = 5,
        language: str | None = None,
    ) -> Ranked:
        """Top hits fused by RRF; `baseline` is the query's mean cosine with NULL_PASSAGES."""
        if self.lexical is None or self.dense is None:
            return Ranked([], 0.0)
        mask = None
        if language:
            mask = np.array([language_matches(lang, language) for lang in self._languages])
            if not mask.any():
                return Ranked([], 0.0)
        bm25 = self.lexical.scores_for_tokens(tokenize(query))
        cosines = self.dense.scores(query_vector)
        lexical = top_indices(bm25, mask, SIDE_DEPTH, positive=True)
        dense = top_indices(cosines, mask, SIDE_DEPTH, positive=False)
        fused = rrf(
            {"bm25": [str(i) for i in lexical], "vector": [str(i) for i in dense]}, k=DEFAULT_K
        )
        hits = [
            Hit(
                chunk=self.chunks[int(f.key)],
                score=round(f.score, 6),
                matched_by=tuple(sorted(f.ranks)),
                cosine=float(cosines[int(f.key)]),
            )
            for f in fused[:top_k]
        ]
        evidence = hits[0].cosine - baseline if hits else 0.0  # the hit an answer would cite
        return Ranked(hits, round(evidence, 4))


def null_baseline(query_vector: np.ndarray, null_vectors: np.ndarray) -> float:
    """The query's mean cosine with off-topic text: what 'unrelated' scores for this query."""
    return float(np.mean(null_vectors @ np.asarray(query_vector, dtype=np.float32)))


def group_by_source(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """The best hit of each FAQ or document, best first: suggestions name sources, not chunks."""
    seen: set[str] = set()
    best: list[Hit] = []
    for hit in hits:
        if hit.chunk.source_key in seen:
            continue
        seen.add(hit.chunk.source_key)
        best.append(hit)
        if len(best) == limit:
            break
    return best


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)
