"""Retrieval across languages and scripts: a zh-CN or English question about a zh-TW FAQ, and
the reverse (issue 21). Synthetic vectors where the ranking rule is the point, the real
embedder where the customer's result is."""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import E5Embedder
from mcp_servers.knowledge.index import (
    NULL_PASSAGES,
    Baseline,
    IndexedChunk,
    TenantIndex,
    corpus_form,
    fold_script,
    null_baseline,
)


def chunk(i: int, text: str, language: str) -> IndexedChunk:
    return IndexedChunk(
        chunk_id=i, faq_id=f"f{i}", document_id=None, document_version=1, title="",
        heading_path=(), text=text, citation=f"FAQ f{i}", language=language,
    )  # fmt: skip


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize(
    ("query", "same", "other", "other_language"),
    [
        ("early termination fee", "A late fee is added when a bill is paid late.",
         "提前解約需支付違約金，依剩餘天數計算。", "zh-TW"),
        ("解約要賠多少錢", "解約後門號可以保留嗎？請洽門市。",
         "Ending a contract early costs a prorated device subsidy.", "en"),
    ],
)  # fmt: skip
def test_a_chunk_bm25_cannot_see_competes_at_its_vector_rank(
    query: str, same: str, other: str, other_language: str
) -> None:
    """The vector side puts the other-language chunk first, BM25 only sees the same-language
    one (a shared word): the other-language chunk is the answer, not a chunk that shares a word
    and comes second on meaning (before, BM25's first place decided)."""
    same_language = "zh-TW" if other_language == "en" else "en"
    chunks = [chunk(0, same, same_language), chunk(1, other, other_language)]
    index = TenantIndex("a", chunks, np.stack([unit(0, 1), unit(1, 0)]))
    ranked = index.search(query, unit(0.9, 0.45), baseline=0.0, top_k=2)
    assert [h.chunk.text for h in ranked.hits] == [other, same]
    assert ranked.hits[0].matched_by == ("vector",)  # the imputed rank is not a side of its own
    assert ranked.hits[1].matched_by == ("bm25", "vector")


def test_simplified_question_matches_traditional_text_in_bm25() -> None:
    """账单 and 帳單 share no character; folded, they are one word to BM25."""
    chunks = [chunk(0, "門市營業到晚上九點半。", "zh-TW"), chunk(1, "帳單可在 App 查看。", "zh-TW")]
    same = unit(1, 0)
    index = TenantIndex("a", chunks, np.stack([same, same]))  # the vector side cannot choose
    ranked = index.search("我的账单", same, baseline=0.0, top_k=2)
    assert ranked.hits[0].chunk.chunk_id == 1
    assert "bm25" in ranked.hits[0].matched_by


@pytest.mark.parametrize(
    ("query", "embedded"),
    [
        ("手机卡丢了怎么办", "手機卡丟了怎麼辦"),
        ("只有台湾能用吗", "只有台灣能用嗎"),  # 只 and 台 are Taiwan's forms too: kept
        ("帳單什麼時候寄出", "帳單什麼時候寄出"),
        ("lost my sim card", "lost my sim card"),
    ],
)
def test_a_zh_cn_question_is_embedded_in_the_knowledge_base_s_script(
    query: str, embedded: str
) -> None:
    assert corpus_form(query) == embedded


def test_bm25_folds_traditional_to_simplified() -> None:
    assert fold_script("帳單繳費") == "账单缴费"


def test_evidence_is_over_the_baseline_of_the_hit_s_language() -> None:
    """An English hit for a Chinese question is measured against English off-topic text."""
    index = TenantIndex("a", [chunk(0, "Roaming costs NT$199 a day.", "en")], unit(1, 0)[None, :])
    baseline = Baseline(overall=0.7, by_language={"en": 0.5, "zh": 0.9})
    ranked = index.search("漫遊一天多少", unit(0.8, 0.6), baseline=baseline)
    assert ranked.evidence == pytest.approx(0.8 - 0.5, abs=1e-4)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


FAQS = [
    ("SIM 卡遺失怎麼辦？請立即撥打 123 辦理掛失停話，再到門市補發新卡，補卡費用三百元。", "zh-TW"),
    ("帳單金額怎麼比平常高？常見原因為國際漫遊、加值服務或小額付款。", "zh-TW"),
    ("Why was I charged a late fee? A late fee of NT$50 is added when a bill is paid late.", "en"),
    ("Can I use my phone in Europe? The Europe roaming pass covers 36 countries.", "en"),
    ("Do I need an appointment to visit a store? No, but booking skips the queue.", "en"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lost my sim card", 0),
        ("手机卡丢了怎么办", 0),
        ("去歐洲玩手機可以用嗎", 3),
        ("去门市要先预约吗", 4),
    ],
)
def test_a_question_finds_the_faq_written_in_another_language_or_script(
    e5: E5Embedder, query: str, expected: int
) -> None:
    """What the customer sees: the FAQ that answers, cited first, and answered (not "I don't
    know") whatever language the question and the FAQ are in."""
    chunks = [chunk(i, text, lang) for i, (text, lang) in enumerate(FAQS)]
    index = TenantIndex("a", chunks, e5.embed_passages([t for t, _ in FAQS]))
    vector = e5.embed_queries([corpus_form(query)])[0]
    ranked = index.search(
        query, vector, baseline=null_baseline(vector, e5.embed_passages(NULL_PASSAGES))
    )
    assert ranked.hits[0].chunk.chunk_id == expected, [h.chunk.text[:20] for h in ranked.hits]
    assert ranked.answerable, ranked.evidence
