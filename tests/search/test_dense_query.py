"""The dense query vector: typed words embedded apart from the context's, each part cached."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embeddings import E5Embedder
from graphs.renewal.plans import search_query
from mcp_servers.promotion.search.azure import AzureSearchRetriever
from mcp_servers.promotion.search.dense_query import QueryVectors, units
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.query import shape_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .azure_fake import API_KEY, FakeAzureSearch
from .conftest import TINY_PLANS, HashEmbedder


class Recording(HashEmbedder):
    """HashEmbedder that keeps every query text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return super().embed_queries(texts)


def renewal_state(device: str | None = "smartphone") -> dict[str, Any]:
    """A list-plans state: a 4G line near its cap, a student, renewing with a phone."""
    return {
        "line": {
            "contract_info": {"plan_id": "P001", "plan_type": "4G", "tenure_months": 30},
            "usage_info": {"data_used_gb": 28.0, "data_limit_gb": 30.0},
            "billing_info": {"current_month_fee": 799},
        },
        "customer": {"identities": ["student"]},
        "renewal_type": "with_device" if device else "single",
        "device_type": device,
    }


def shaped(state: dict[str, Any], typed: str | None) -> str:
    """The text the promotion server searches for this list-plans call."""
    query, context = search_query(state, typed)  # type: ignore[arg-type]
    if context.get("renewal_type") == "single":  # the CRM's word, mapped as the server does
        context["renewal_type"] = "plain"
    return shape_query(query, context).text


def test_a_query_without_context_is_one_vector_bit_for_bit(e5: E5Embedder) -> None:
    parsed = parse_query("我是大學生，想要 5G 網路吃到飽")
    assert parsed.parts == ()
    vector = QueryVectors(e5).of(parsed)
    assert np.array_equal(vector, e5.embed_queries([parsed.text])[0])


def test_typed_and_context_parts_make_the_text_and_combine_by_length() -> None:
    embedder = HashEmbedder()
    parsed = parse_query("學生 吃到飽 || 手機專案 5G")
    assert parsed.parts == ("學生 吃到飽", "手機專案 5g")
    assert " ".join(parsed.parts) == parsed.text
    typed, context = embedder.embed_queries(list(parsed.parts))
    expected = units("學生 吃到飽") * typed + units("手機專案 5g") * context
    expected /= np.linalg.norm(expected)
    assert (units("學生 吃到飽"), units("手機專案 5g")) == (5, 5)
    assert np.allclose(QueryVectors(embedder).of(parsed), expected, atol=1e-6)


def test_a_typed_renewal_search_embeds_only_the_typed_words() -> None:
    """The step's words and the context's needs are the search without typed words: after
    it, a typed search embeds the typed words alone, and words typed again nothing."""
    embedder = Recording()
    retriever = LocalHybridRetriever(embedder)
    retriever.ensure_index_sync(list(TINY_PLANS))
    state = renewal_state()
    untyped = shaped(state, None)
    assert untyped.startswith("|| 續約 搭配手機 4G")
    assert parse_query(untyped).parts == ()  # nothing typed: one vector, as before
    retriever.search_sync(untyped)
    assert embedder.asked == [parse_query(untyped).text]

    typed = shaped(state, "月租 999 以下 要有 Spotify")
    assert parse_query(typed).parts == ("月租 999 以下 要有 spotify", parse_query(untyped).text)
    retriever.search_sync(typed)
    assert embedder.asked[1:] == ["月租 999 以下 要有 spotify"]
    retriever.search_sync(shaped(renewal_state(), "月租 999 以下 要有 Spotify"))
    assert len(embedder.asked) == 2  # the same words typed for another customer: cached


def test_typing_a_word_the_context_adds_still_reuses_the_context_vector() -> None:
    """This customer's context adds 吃到飽 大流量 學生 手機專案. Staff typing 吃到飽 or 學生
    (what they often type) used to drop those words from the context part, so it was a new
    text and embedded again (~15 tokens, ~20 ms of CPU); now only the typed words are, and
    吃到飽 alone, a constraint (its filter does the work), embeds nothing."""
    embedder = Recording()
    retriever = LocalHybridRetriever(embedder)
    retriever.ensure_index_sync(list(TINY_PLANS))
    untyped = parse_query(shaped(renewal_state(), None)).text
    assert "吃到飽 大流量 學生 手機專案" in untyped
    retriever.search_sync(shaped(renewal_state(), None))
    for typed in ("吃到飽", "學生 手機專案 網內互打"):
        parsed = parse_query(shaped(renewal_state(), typed))
        assert parsed.parts[1] == untyped
        retriever.search_sync(shaped(renewal_state(), typed))
    assert embedder.asked == [untyped, "學生 手機專案 網內互打"]


def test_the_step_words_are_preferences_and_the_context_still_filters() -> None:
    """搭配手機 after the mark no longer filters by itself; the renewal type does, so the same
    plans are admitted (T05 is the only plan with a device)."""
    retriever = LocalHybridRetriever(HashEmbedder())
    retriever.ensure_index_sync(list(TINY_PLANS))
    query, context = search_query(renewal_state(), "吃到飽")  # type: ignore[arg-type]
    shape = shape_query(query, context)
    assert not any(c.kind == "device" and c.hard for c in parse_query(shape.text).constraints)
    hits = retriever.search_sync(shape.text, filters=shape.filters, top_k=8)
    assert [h.plan_id for h in hits] == ["T05"]


async def test_azure_sends_the_local_engines_query_vector() -> None:
    fake = FakeAzureSearch().start()
    embedder = HashEmbedder(dim=384)
    azure = AzureSearchRetriever(fake.endpoint, API_KEY, "promotions", embedder)
    try:
        await azure.ensure_index(list(TINY_PLANS))
        fake.requests.clear()
        query = shaped(renewal_state(None), "學生 吃到飽")
        await azure.search(query, top_k=3)
        sent = np.asarray(fake.requests[-1].body["vectorQueries"][0]["vector"])
        local = QueryVectors(embedder).of(parse_query(query))
        assert np.allclose(sent, local, atol=1e-6)
    finally:
        await azure.aclose()
        fake.stop()


def test_typed_words_that_only_state_constraints_reuse_the_context_vector() -> None:
    embedder = Recording()
    vectors = QueryVectors(embedder)
    untyped = parse_query(shaped(renewal_state(), None))
    typed = parse_query(shaped(renewal_state(), "月租 999 以下 30GB 以上"))
    assert typed.parts[1] == untyped.text and not parse_query(typed.parts[0]).residual
    assert np.array_equal(vectors.of(typed), vectors.of(untyped))
    assert embedder.asked == [untyped.text]  # embedded once, for both


def test_typed_marks_cannot_move_the_split() -> None:
    """Staff typing the mark themselves still get their words searched as typed words."""
    query, _ = search_query(renewal_state(), "學生 || 吃到飽")  # type: ignore[arg-type]
    assert parse_query(query).parts[0] == "學生 吃到飽"
    assert query.count("||") == 1


def test_the_renewal_step_and_the_search_agree_on_the_mark() -> None:
    """The graph keeps its own copy of the mark (it must not import the search engine)."""
    from graphs.renewal import plans
    from mcp_servers.promotion.search import query

    assert plans.CONTEXT_MARK == query.CONTEXT_MARK
