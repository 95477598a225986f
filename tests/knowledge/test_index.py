"""The per-tenant hybrid index: tenant required, language filter, one hit per source, and the
"I do not know" margin with the real embedder."""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import E5Embedder
from mcp_servers.knowledge.index import (
    NULL_PASSAGES,
    IndexedChunk,
    MissingTenant,
    TenantIndex,
    detect_language,
    group_by_source,
    language_matches,
    null_baseline,
    require_tenant,
)


def chunk(i: int, text: str, *, faq: str | None = None, doc: str | None = None,
          language: str = "en") -> IndexedChunk:  # fmt: skip
    return IndexedChunk(
        chunk_id=i, faq_id=faq, document_id=doc if faq is None else None, document_version=1,
        title="", heading_path=(), text=text, citation="", language=language,
    )  # fmt: skip


@pytest.mark.parametrize("tenant", ["", "   ", None])
def test_no_tenant_is_refused(tenant: str | None) -> None:
    with pytest.raises(MissingTenant):
        require_tenant(tenant)
    with pytest.raises(MissingTenant):
        TenantIndex(tenant, [], np.zeros((0, 4), dtype=np.float32))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("國際漫遊怎麼開通？", "zh-TW"),
        ("How do I activate roaming?", "en"),
        ("5G 方案 NT$599 per month 起", "zh-TW"),  # a few CJK letters among Latin ones
        ("iPhone 16 Pro Max 256GB", "en"),
        ("1234 5678", "en"),
    ],
)
def test_language_of_a_chunk(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("chunk_language", "wanted", "admitted"),
    [
        ("zh-TW", None, True),
        ("zh-TW", "zh-TW", True),
        ("zh-TW", "zh", True),
        ("zh-tw", "ZH-TW", True),
        ("en", "zh-TW", False),
        ("zh-CN", "zh-TW", True),  # same written language family: kept, ranking decides
        ("en", "en-US", True),
    ],
)
def test_language_filter(chunk_language: str, wanted: str | None, admitted: bool) -> None:
    assert language_matches(chunk_language, wanted) is admitted


def test_language_filter_keeps_other_languages_out_of_results() -> None:
    chunks = [chunk(0, "roaming pass price", doc="d1"), chunk(1, "漫遊 日租", doc="d2",
                                                             language="zh-TW")]  # fmt: skip
    vectors = np.eye(2, 4, dtype=np.float32)
    index = TenantIndex("a", chunks, vectors)
    query = np.array([1, 0, 0, 0], dtype=np.float32)
    ranked = index.search("roaming", query, baseline=0.0, language="zh-TW", top_k=5)
    assert [h.chunk.document_id for h in ranked.hits] == ["d2"]
    assert index.search("roaming", query, baseline=0.0, language="ja").hits == []


def test_empty_index_answers_nothing() -> None:
    index = TenantIndex("a", [], np.zeros((0, 4), dtype=np.float32))
    ranked = index.search("anything", np.ones(4, dtype=np.float32), baseline=0.0)
    assert ranked.hits == [] and not ranked.answerable


def test_suggestions_keep_the_best_chunk_of_each_source() -> None:
    chunks = [chunk(0, "a", doc="d1"), chunk(1, "b", doc="d1"), chunk(2, "c", faq="f1"),
              chunk(3, "d", doc="d2")]  # fmt: skip
    vectors = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0.1, 0.9]], dtype=np.float32)
    index = TenantIndex("a", chunks, vectors)
    ranked = index.search("zzz", np.array([1, 0], dtype=np.float32), baseline=0.0, top_k=4)
    best = group_by_source(ranked.hits, limit=3)
    assert [h.chunk.chunk_id for h in best] == [0, 2, 3]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


CORPUS = [
    ("預付卡可在便利商店或官網儲值，金額從一百元起。", "zh-TW"),
    ("每次儲值延長有效期限一百八十天。", "zh-TW"),
    ("The daily roaming pass costs NT$199 in Japan and Korea.", "en"),
]


@pytest.mark.parametrize(
    ("query", "answerable"),
    [
        ("預付卡要怎麼儲值？", True),
        ("how much is roaming in Japan per day", True),
        ("What is the capital of Mongolia?", False),
        ("今天晚餐吃什麼好", False),
    ],
)
def test_i_do_not_know_on_a_three_chunk_tenant(
    e5: E5Embedder, query: str, answerable: bool
) -> None:
    """The margin is over off-topic text, not over the tenant's own chunks: a tenant with three
    relevant chunks still answers, and still says it does not know."""
    chunks = [chunk(i, text, doc=f"d{i}", language=lang) for i, (text, lang) in enumerate(CORPUS)]
    index = TenantIndex("a", chunks, e5.embed_passages([t for t, _ in CORPUS]))
    vector = e5.embed_queries([query])[0]
    baseline = null_baseline(vector, e5.embed_passages(NULL_PASSAGES))
    ranked = index.search(query, vector, baseline=baseline)
    assert ranked.answerable is answerable, ranked.evidence
