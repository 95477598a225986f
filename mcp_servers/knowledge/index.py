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

Across languages and scripts (a zh-CN or English question about a zh-TW FAQ, and the reverse):
- BM25 sees Traditional and Simplified as one script: chunks and queries are folded with the
  escalation policy's table (`T2S`), so 账单 matches 帳單.
- The query is embedded in the knowledge base's script (`corpus_form`: zh-CN → Traditional),
  since E5 scores 帳單 closer to 帳單 than to 账单.
- Cosines are taken over the query's baseline *in the chunk's language* (`Baseline`): E5 puts
  every English passage lower for a Chinese query and the reverse, so raw cosines rank
  same-language text first whatever it says; the margin over same-language off-topic text
  does not.
- BM25 cannot see a chunk in another language than the query, so such a chunk's missing BM25
  rank is its vector rank (`fuse`): it competes with same-language chunks on equal terms
  instead of losing to any chunk that shares a word with the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.errors import InvalidInput
from core.hanzi import to_traditional
from graphs.supervision.language import T2S
from graphs.supervision.language import detect_language as detect_script
from mcp_servers.promotion.search.fusion import DEFAULT_K, rrf
from mcp_servers.promotion.search.lexical import LexicalIndex
from mcp_servers.promotion.search.tokenize import tokenize, tokenize_many
from mcp_servers.promotion.search.vector import DenseIndex, top_indices

SIDE_DEPTH = 20  # each side's candidates before fusion, as in the promotion retriever
# Measured on evals/knowledge/devset.jsonl (python -m evals.knowledge): see docs/knowledge.md.
ANSWERABLE_MARGIN = 0.065
CROSS_SIDE = "vector_cross"  # the imputed BM25 rank of chunks in another language than the query
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
# Traditional → Simplified for BM25 (the escalation policy's pairs; str.translate, since every
# chunk of a 10,000-chunk tenant passes through it at each rebuild).
_FOLD = str.maketrans(dict(T2S))


# Simplified → Traditional for the query's embedding: the first Traditional form of each pair
# (發, not 髮), leaving forms Taiwan text also uses (台, 只, 面 ...) as they are.
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


def language_base(language: str) -> str:
    """'zh-TW', 'zh-CN', 'zh' → 'zh'; 'en-US' → 'en'."""
    return language.lower().split("-")[0]


def fold_script(text: str) -> str:
    """Traditional folded to Simplified: what BM25 indexes and looks up, so scripts meet."""
    return text.translate(_FOLD)


def corpus_form(query: str) -> str:
    """The query as it is embedded: zh-CN text in Traditional characters (the knowledge base of
    this Taiwan-market service is written in zh-TW), anything else unchanged."""
    return to_traditional(query) if detect_script(query) == "zh-CN" else query


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
class Baseline:
    """The query's mean cosine with the off-topic passages of each language ('en', 'zh'): what
    unrelated text *in that language* scores for this query (E5 scores across languages lower)."""

    overall: float
    by_language: Mapping[str, float] = field(default_factory=dict)

    def of(self, language: str) -> float:
        return self.by_language.get(language_base(language), self.overall)


def as_baseline(baseline: Baseline | float) -> Baseline:
    """A bare float is one baseline for every language (tests, and callers that know no better)."""
    return baseline if isinstance(baseline, Baseline) else Baseline(float(baseline))


@dataclass(frozen=True, slots=True)
class Ranked:
    hits: list[Hit]
    evidence: float  # the top hit's cosine minus the query's baseline in the hit's language

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
            texts = [fold_script(c.index_text) for c in self.chunks]
            self.lexical = LexicalIndex(tokenize_many(texts))
            self.dense = DenseIndex(vectors.reshape(len(self.chunks), -1))
        self._languages = np.array([c.language for c in self.chunks], dtype=object)
        bases = [language_base(c.language) for c in self.chunks]
        self._base_names = sorted(set(bases))  # each chunk's language base as a code: a search
        codes = {name: i for i, name in enumerate(self._base_names)}  # offsets without a loop
        self._base_codes = np.array([codes[b] for b in bases], dtype=np.intp)

    def __len__(self) -> int:
        return len(self.chunks)

    def search(
        self,
        query: str,
        query_vector: np.ndarray,
        *,
        baseline: Baseline | float,
        top_k: int = 5,
        language: str | None = None,
    ) -> Ranked:
        """Top hits fused by RRF; `baseline` is the query's `null_baseline`."""
        if self.lexical is None or self.dense is None:
            return Ranked([], 0.0)
        mask = None
        if language:
            mask = np.array([language_matches(lang, language) for lang in self._languages])
            if not mask.any():
                return Ranked([], 0.0)
        base = as_baseline(baseline)
        bm25 = self.lexical.scores_for_tokens(tokenize(fold_script(query)))
        cosines = self.dense.scores(query_vector)
        offsets = np.array([base.of(name) for name in self._base_names], dtype=cosines.dtype)
        adjusted = cosines - offsets[self._base_codes]
        lexical = top_indices(bm25, mask, SIDE_DEPTH, positive=True)
        dense = top_indices(adjusted, mask, SIDE_DEPTH, positive=False)
        return fuse(
            {str(i): self.chunks[i] for i in [*lexical, *dense]},
            [str(i) for i in lexical],
            [(str(i), float(cosines[i])) for i in dense],
            query=query, baseline=base, top_k=top_k,
        )  # fmt: skip


def fuse(
    chunks: Mapping[str, IndexedChunk],
    lexical: Sequence[str],
    dense: Sequence[tuple[str, float]],
    *,
    query: str,
    baseline: Baseline,
    top_k: int,
) -> Ranked:
    """RRF of the BM25 keys and the vector side's (key, raw cosine), shared by the local and the
    Azure index. The vector side is ranked by cosine over the baseline of each chunk's language;
    a chunk in another language than the query that BM25 did not rank enters a second time
    at its vector rank (its imputed BM25 rank). Evidence: the top hit's cosine over its
    language's baseline; a top hit the vector side did not return lies below all it returned,
    so the last one bounds it (rare: BM25 alone put it first)."""
    scored = sorted(
        ((key, cos, cos - baseline.of(chunks[key].language)) for key, cos in dense),
        key=lambda item: -item[2],
    )
    asked = language_base(detect_language(query))
    seen = set(lexical)  # a shared word (5G, App, a category name) gave it a real BM25 rank
    cross = [key for key, _, _ in scored
             if key not in seen and language_base(chunks[key].language) != asked]  # fmt: skip
    sides = {"bm25": list(lexical), "vector": [key for key, _, _ in scored], CROSS_SIDE: cross}
    fused = rrf(sides, k=DEFAULT_K)[:top_k]
    if not fused:
        return Ranked([], 0.0)
    cosines = {key: (cos, margin) for key, cos, margin in scored}
    hits = [
        Hit(chunk=chunks[f.key], score=round(f.score, 6),
            matched_by=tuple(sorted(set(f.ranks) - {CROSS_SIDE})),
            cosine=cosines[f.key][0] if f.key in cosines else 0.0)
        for f in fused
    ]  # fmt: skip
    top = fused[0].key
    if top in cosines:
        evidence = cosines[top][1]
    else:
        evidence = min(m for _, _, m in scored) if scored else 0.0
    return Ranked(hits, round(evidence, 4))


_NULL_BASES = tuple(language_base(detect_language(text)) for text in NULL_PASSAGES)


def null_baseline(query_vector: np.ndarray, null_vectors: np.ndarray) -> Baseline:
    """The query's mean cosine with off-topic text, overall and per language (`NULL_PASSAGES`
    embedded, in order): what 'unrelated' scores for this query."""
    cosines = null_vectors @ np.asarray(query_vector, dtype=np.float32)
    bases = np.array(_NULL_BASES, dtype=object)
    by_language = {b: float(np.mean(cosines[bases == b])) for b in sorted(set(_NULL_BASES))}
    return Baseline(float(np.mean(cosines)), by_language)


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
