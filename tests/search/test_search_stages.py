"""The served search (`LocalHybridRetriever.search`) in two stages (issue 24 part 3, H18).

A search whose query vector is cached runs on the event loop (no thread hand-over); one that
must embed runs whole in a worker thread. Either way the hits are `search_sync`'s, which
evaluation and the benchmarks use.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from core.embeddings import E5Embedder
from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.models import SearchFilters, SearchHit
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

QUERIES: tuple[tuple[str, SearchFilters | None], ...] = (
    ("學生 吃到飽", None),  # no mark: one vector, the whole text
    ("iPhone 吃到飽 || 續約 搭配手機 5G 手機專案", SearchFilters(with_device=True)),
    ("|| 續約 單純續約 4G", SearchFilters(with_device=False)),  # nothing typed
    ("999 以下 || 續約 單純續約 4G", SearchFilters(valid_on=date(2026, 2, 1))),  # constraints
    ("月租 300 以下 5G || 續約 手機專案", None),  # hard constraint nobody meets: relaxed
    ("長輩 不綁約 網內互打 || 續約 單純續約", SearchFilters(exclude_plan_ids=("T03",))),
)


def _same(hits: list[SearchHit]) -> list[tuple[object, ...]]:
    return [(h.plan_id, h.score, h.matched, h.bm25_rank, h.vector_rank, h.bm25_score,
             h.vector_score, h.unmet, h.relaxed) for h in hits]  # fmt: skip


@pytest.fixture
def pair(e5: E5Embedder, tiny_plans: list[Plan]) -> tuple[LocalHybridRetriever, ...]:
    """Two retrievers over one index with caches of their own: served and evaluated."""
    served = LocalHybridRetriever(e5)
    served.ensure_index_sync(tiny_plans)
    reference = LocalHybridRetriever(e5)
    reference._state = served._state
    return served, reference


@pytest.mark.parametrize(("query", "filters"), QUERIES)
async def test_served_search_ranks_as_search_sync(
    pair: tuple[LocalHybridRetriever, ...], query: str, filters: SearchFilters | None
) -> None:
    """Uncached (embedding in a thread) and then cached (on the loop): the same hits, scores
    and flags as the synchronous search, at top 3 and top 8."""
    served, reference = pair
    for top_k in (3, 8):
        expected = _same(reference.search_sync(query, filters=filters, top_k=top_k))
        assert expected
        assert _same(await served.search(query, filters=filters, top_k=top_k)) == expected
        assert served.query_vectors.cached(served._parse(query))
        assert _same(await served.search(query, filters=filters, top_k=top_k)) == expected
    assert await served.search("   ", filters=filters) == []
    assert await served.search(query, filters=filters, top_k=0) == []


async def test_a_cached_search_is_answered_while_every_worker_thread_is_busy(
    pair: tuple[LocalHybridRetriever, ...],
) -> None:
    """The untyped search every journey makes needs no thread: with the server's worker
    threads all taken (here one, held), it is still answered at once; a typed search
    (fresh words to embed) waits for a thread and is answered when one frees."""
    served, _ = pair
    untyped = "|| 續約 搭配手機 5G 手機專案"
    await served.search(untyped)  # the first search of this customer embeds it
    loop = asyncio.get_running_loop()
    release = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        loop.set_default_executor(pool)
        held = loop.run_in_executor(None, release.wait, 30)
        try:
            hits = await asyncio.wait_for(served.search(untyped), timeout=2)
            assert hits
            typed = asyncio.ensure_future(served.search("旗艦 hjkqw || 續約 搭配手機 5G"))
            done, _ = await asyncio.wait({typed}, timeout=0.5)
            assert not done  # its embedding waits for the held thread
        finally:
            release.set()
        assert await asyncio.wait_for(typed, timeout=30)
        await held
    loop.set_default_executor(ThreadPoolExecutor())
