"""Contract test of the Azure AI Search backend against a local fake speaking the REST API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.azure import (
    RESULT_FIELDS,
    SOFT_FETCH,
    SYNONYM_MAP,
    VECTOR_FIELD,
    AzureSearchRetriever,
    build_index_schema,
)
from mcp_servers.promotion.search.models import SearchFilters

from .azure_fake import API_KEY, FakeAzureSearch
from .conftest import HashEmbedder

INDEX = "promotions"


@pytest.fixture
def fake() -> Iterator[FakeAzureSearch]:
    server = FakeAzureSearch().start()
    yield server
    server.stop()


@pytest.fixture
async def retriever(fake: FakeAzureSearch) -> AzureSearchRetriever:
    azure = AzureSearchRetriever(
        fake.endpoint, API_KEY, INDEX, HashEmbedder(dim=384), semantic_config="promo-semantic"
    )
    yield azure  # type: ignore[misc]
    await azure.aclose()


def paths(fake: FakeAzureSearch) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


async def test_ensure_index_creates_schema_and_uploads(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever, tiny_plans: list[Plan]
) -> None:
    report = await retriever.ensure_index(tiny_plans)
    assert (report.action, report.documents, report.embedded) == ("uploaded", 8, 8)
    assert paths(fake) == [
        ("PUT", f"/synonymmaps('{SYNONYM_MAP}')"),
        ("PUT", f"/indexes('{INDEX}')"),
        ("POST", f"/indexes('{INDEX}')/docs/search.post.search"),  # version check
        ("POST", f"/indexes('{INDEX}')/docs/search.index"),  # upload
        ("POST", f"/indexes('{INDEX}')/docs/search.post.search"),  # stale documents
    ]
    for request in fake.requests:
        assert request.headers["api-key"] == API_KEY
        assert request.query["api-version"][0]  # whatever the SDK pins, it is sent

    schema = fake.indexes[INDEX]
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["plan_id"]["key"] is True
    assert fields["description"]["searchable"] is True
    assert fields["description"]["analyzer"] == "zh-Hant.microsoft"
    assert fields["description"]["synonymMaps"] == [SYNONYM_MAP]
    assert fields["tags"]["type"] == "Collection(Edm.String)"
    assert fields["with_device"]["filterable"] is True
    vector = fields[VECTOR_FIELD]
    assert vector["type"] == "Collection(Edm.Single)"
    assert vector["dimensions"] == 384
    profile = schema["vectorSearch"]["profiles"][0]
    assert vector["vectorSearchProfile"] == profile["name"]
    algorithm = schema["vectorSearch"]["algorithms"][0]
    assert (algorithm["kind"], algorithm["hnswParameters"]["metric"]) == ("hnsw", "cosine")
    assert schema["semantic"]["configurations"][0]["name"] == "promo-semantic"
    assert any("吃到飽" in rule for rule in fake.synonym_maps[SYNONYM_MAP]["synonyms"].split("\n"))

    upload = fake.requests[3].body["value"]
    assert {a["@search.action"] for a in upload} == {"mergeOrUpload"}
    doc = next(a for a in upload if a["plan_id"] == "T02")
    assert doc["required_identity"] == "student"
    assert doc["valid_from"] == "2026-01-01T00:00:00Z"
    assert len(doc[VECTOR_FIELD]) == 384
    assert doc["index_version"] == report.content_hash
    check = fake.requests[2].body
    assert check["filter"] == f"index_version eq '{report.content_hash}'"
    assert check["count"] is True and check["top"] == 0


async def test_ensure_index_is_idempotent_and_removes_stale(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever, tiny_plans: list[Plan]
) -> None:
    await retriever.ensure_index(tiny_plans)
    again = await retriever.ensure_index(tiny_plans)
    assert again.action == "unchanged"
    assert not [p for p in paths(fake)[5:] if p[1].endswith("search.index")]

    fewer = await retriever.ensure_index(tiny_plans[:6])
    assert fewer.action == "uploaded"
    delete = fake.requests[-1]
    assert delete.path.endswith("/docs/search.index")
    assert sorted(a["plan_id"] for a in delete.body["value"]) == ["T07", "T08"]
    assert {a["@search.action"] for a in delete.body["value"]} == {"delete"}
    assert sorted(fake.docs) == [f"T0{i}" for i in range(1, 7)]


async def test_hybrid_query_shape_and_results(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever, tiny_plans: list[Plan]
) -> None:
    await retriever.ensure_index(tiny_plans)
    fake.requests.clear()
    filters = SearchFilters(with_device=False, max_monthly_fee=1399, valid_on=date(2026, 6, 1))
    hits = await retriever.search("學生 吃到飽", filters=filters, top_k=3)

    [request] = fake.requests
    assert request.method == "POST"
    assert request.path == f"/indexes('{INDEX}')/docs/search.post.search"
    assert request.headers["api-key"] == API_KEY
    body = request.body
    # 吃到飽 became a filter, so only 學生 is left to score lexically; the audience is a soft
    # constraint, so more hits are fetched and re-ranked client-side.
    assert body["search"] == "學生"
    assert body["top"] == SOFT_FETCH
    assert set(body["select"].split(",")) == set(RESULT_FIELDS)
    assert body["filter"] == (
        "with_device eq false and monthly_fee le 1399 and "
        "valid_from le 2026-06-01T00:00:00Z and valid_to ge 2026-06-01T00:00:00Z and "
        "data_gb eq null"
    )
    [vector_query] = body["vectorQueries"]
    assert vector_query["kind"] == "vector"
    assert vector_query["fields"] == VECTOR_FIELD
    assert vector_query["k"] == SOFT_FETCH
    assert len(vector_query["vector"]) == 384
    assert body["queryType"] == "semantic"
    assert body["semanticConfiguration"] == "promo-semantic"

    # The fake applies the filter and answers in stored order (T01, T02, T04 are unlimited, on
    # sale and without a device); the student plan is lifted by the audience boost, the rest
    # keep the service's order and say what they miss.
    assert [h.plan_id for h in hits] == ["T02", "T01", "T04"]
    assert hits[0].score > hits[1].score > hits[2].score
    assert hits[0].matched == ("azure",)
    assert [h.unmet for h in hits] == [(), ("對象：學生",), ("對象：學生",)]
    assert not any(h.relaxed for h in hits)


async def test_plain_query_keeps_the_service_ranking(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever, tiny_plans: list[Plan]
) -> None:
    await retriever.ensure_index(tiny_plans)
    fake.requests.clear()
    hits = await retriever.search("學生 網內互打 推薦", top_k=3)  # an identity: no default
    body = fake.requests[-1].body
    assert "filter" not in body  # a named audience boosts, never filters
    assert hits[0].plan_id == "T02"
    fake.requests.clear()
    hits = await retriever.search("網內互打 推薦", top_k=3)  # nothing parsed, no identity named
    body = fake.requests[-1].body
    assert body["top"] == SOFT_FETCH and "filter" not in body  # fetched deeper to re-rank
    assert {h.plan_id for h in hits}.isdisjoint({"T02", "T03", "T08"})  # anyone can take


async def test_plain_hybrid_without_semantic_and_empty_query(fake: FakeAzureSearch) -> None:
    azure = AzureSearchRetriever(fake.endpoint, API_KEY, INDEX, HashEmbedder(), synonyms=False)
    try:
        assert await azure.search("   ") == []
        await azure.search("網內互打", top_k=30)  # no constraint in it
        body = fake.requests[-1].body
        assert "queryType" not in body and "filter" not in body
        assert body["vectorQueries"][0]["k"] >= 30  # never fewer neighbours than results
    finally:
        await azure.aclose()


async def test_wrong_key_is_an_error(fake: FakeAzureSearch) -> None:
    azure = AzureSearchRetriever(fake.endpoint, "wrong", INDEX, HashEmbedder())
    try:
        with pytest.raises(Exception, match=r"(?i)forbidden|403|bad api-key"):
            await azure.search("吃到飽")
    finally:
        await azure.aclose()


def test_schema_dimensions_follow_the_embedder() -> None:
    schema = build_index_schema(INDEX, 3072, semantic_config=None)
    vector = next(f for f in schema.fields if f.name == VECTOR_FIELD)
    assert vector.vector_search_dimensions == 3072
    assert schema.semantic_search is None
