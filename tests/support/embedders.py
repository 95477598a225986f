"""An embedder that counts what is asked of it: how many turns reached the model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.embeddings import Embedder


class CountingEmbedder:
    """Another embedder, counting its query calls (every check of a turn reads one vector
    through the matcher's cache, so one call is one turn on the model)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)
