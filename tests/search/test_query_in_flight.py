"""A query text being embedded is waited for, not embedded twice (`QueryVectors`).

Two searches for the same typed words at once (two staff, a retried click, an embedding asked
for ahead of its search) share one embedding: the second takes the first's vector when done.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mcp_servers.promotion.search.dense_query import QueryVectors

from .conftest import HashEmbedder


class GatedEmbedder(HashEmbedder):
    """Holds every embedding call until the test opens the gate; counts the calls."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.gate, self.calls = threading.Event(), threading.Event(), 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.entered.set()
        assert self.gate.wait(10)
        return super().embed_queries(texts)


def test_a_text_in_flight_is_embedded_once_and_shared() -> None:
    embedder = GatedEmbedder()
    vectors = QueryVectors(embedder)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(vectors.embed, "iphone 吃到飽")
        assert embedder.entered.wait(10)
        second = pool.submit(vectors.embed_many, ("iphone 吃到飽", "學生"))
        assert not second.done()  # waits for the first call's vector of the same text
        embedder.gate.set()
        one, both = first.result(10), second.result(10)
    assert np.array_equal(one, both[0])
    assert embedder.calls == 2  # "學生" on its own; the shared text once
    assert embedder.queries_embedded == 2
    assert np.array_equal(vectors.embed("iphone 吃到飽"), one) and embedder.calls == 2


def test_a_failed_embedding_lets_the_waiting_call_embed_it() -> None:
    class FailingOnce(GatedEmbedder):
        def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
            if self.calls == 0:
                self.calls += 1
                self.entered.set()
                assert self.gate.wait(10)
                raise RuntimeError("engine failure")
            return super().embed_queries(texts)

    embedder = FailingOnce()
    vectors = QueryVectors(embedder)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(vectors.embed, "熱點分享")
        assert embedder.entered.wait(10)
        second = pool.submit(vectors.embed, "熱點分享")
        embedder.gate.set()
        assert isinstance(first.exception(10), RuntimeError)
        vector = second.result(10)
    assert np.array_equal(vector, HashEmbedder().embed_queries(["熱點分享"])[0])
    calls = embedder.calls
    assert np.array_equal(vectors.embed("熱點分享"), vector) and embedder.calls == calls
