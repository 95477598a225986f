"""Constraints typed in the query, applied by the local engine and the Azure backend alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date

import pytest

from core.embeddings import E5Embedder
from core.settings import get_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.azure import AzureSearchRetriever, filters_to_odata
from mcp_servers.promotion.search.constraints import OPEN_TO_ALL
from mcp_servers.promotion.search.facets import facets_of
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .azure_fake import API_KEY, FakeAzureSearch
from .conftest import HashEmbedder

ON_SALE = SearchFilters(valid_on=date(2026, 6, 1))


@pytest.fixture
def local(tiny_plans: list[Plan]) -> LocalHybridRetriever:
    retriever = LocalHybridRetriever(HashEmbedder())
    retriever.ensure_index_sync(tiny_plans)
    return retriever


@pytest.fixture
def fake() -> Iterator[FakeAzureSearch]:
    server = FakeAzureSearch().start()
    yield server
    server.stop()


@pytest.fixture
async def azure(
    fake: FakeAzureSearch, tiny_plans: list[Plan]
) -> AsyncIterator[AzureSearchRetriever]:
    retriever = AzureSearchRetriever(fake.endpoint, API_KEY, "promotions", HashEmbedder())
    await retriever.ensure_index(tiny_plans)
    yield retriever
    await retriever.aclose()


QUERIES: list[tuple[str, set[str]]] = [
    # query, the plans (on sale on 2026-06-01) that meet every hard constraint in it
    ("吃到飽 1000 以下", {"T02"}),
    ("月租不超過 1199 的方案", {"T02", "T03", "T04", "T06", "T08"}),
    ("五百到一千二", {"T02", "T04", "T08"}),
    ("24 個月的方案", {"T03", "T06", "T08"}),
    ("至少 100GB", {"T01", "T02", "T04", "T05", "T08"}),
    ("不要搭手機 吃到飽", {"T01", "T02", "T04"}),
    ("有送 Spotify 的", {"T02"}),
    ("unlimited data with a phone", {"T05"}),
    ("送 Spotify 或光世代", {"T02", "T04"}),  # either perk, on both backends
    ("月租不想超過 1199", {"T02", "T03", "T04", "T06", "T08"}),
    # zh-CN and today's fee said to be too high, on both backends
    ("一千块以内的无限流量", {"T02"}),
    ("不限速的，带手机", {"T05"}),
    ("现在 1199 太贵了", {"T02", "T03", "T06", "T08"}),
    ("有没有送 Spotify 或宽带的", {"T02", "T04"}),
    ("月租想比 1199 便宜", {"T02", "T03", "T06", "T08"}),  # cheaper than that fee (round 5)
]


@pytest.mark.parametrize(("query", "admitted"), QUERIES)
def test_local_results_meet_the_hard_constraints(
    local: LocalHybridRetriever, query: str, admitted: set[str]
) -> None:
    hits = local.search_sync(query, filters=ON_SALE, top_k=8)
    assert {h.plan_id for h in hits} == admitted  # the vector side ranks every admitted plan
    assert not any(h.relaxed for h in hits)


@pytest.mark.parametrize(("query", "admitted"), QUERIES)
async def test_azure_applies_the_same_constraints_as_filters(
    azure: AzureSearchRetriever, fake: FakeAzureSearch, query: str, admitted: set[str]
) -> None:
    fake.requests.clear()
    hits = await azure.search(query, filters=ON_SALE, top_k=8)
    assert {h.plan_id for h in hits} == admitted
    [request] = fake.requests  # one request: nothing was relaxed
    parsed = filters_to_odata(parse_query(query).filters())
    assert parsed is not None
    for clause in parsed.split(" and "):  # every understood constraint is in `$filter`
        assert clause in request.body["filter"]


def test_soft_constraints_reorder_without_filtering(local: LocalHybridRetriever) -> None:
    plain = local.search_sync("網內互打 方案", filters=ON_SALE, top_k=8)
    around = local.search_sync("網內互打 方案 400 上下", filters=ON_SALE, top_k=8)
    assert {h.plan_id for h in around} == {h.plan_id for h in plain}  # nothing filtered
    assert around[0].plan_id == "T03"  # the 399 plan
    far = next(h for h in around if h.plan_id == "T01")  # 1399
    assert far.unmet == ("月租約 400",)


def test_a_stated_soft_constraint_outranks_shared_words(local: LocalHybridRetriever) -> None:
    """'學生' is a boost, not a filter, but a plan for students must beat plans that only share
    the query's other words (吃到飽 appears in five sheets)."""
    hits = local.search_sync("吃到飽 熱點分享 學生", filters=ON_SALE, top_k=8)
    assert hits[0].plan_id == "T02"
    assert len(hits) > 1  # nothing filtered


async def test_cheapest_puts_the_lowest_fees_first_on_both_backends(
    local: LocalHybridRetriever, azure: AzureSearchRetriever, tiny_plans: list[Plan]
) -> None:
    """'最便宜' is a boost that grows as the fee falls (the superlative, stronger than 便宜)."""
    [most] = [c for c in parse_query("最便宜的").constraints if c.value == "most"]
    fees = [facets_of(p).monthly_fee for p in tiny_plans]
    scores = [float(most.satisfaction(facets_of(p))) for p in tiny_plans]
    ranked = [fee for _, fee in sorted(zip(scores, fees, strict=True), key=lambda t: -t[0])]
    assert ranked == sorted(fees)  # one plan at a time (Azure's re-rank) in fee order
    query = "長輩 最便宜的 網內互打"  # an identity named: the senior plan's 399 counts
    local_top = [h.plan_id for h in local.search_sync(query, filters=ON_SALE, top_k=2)]
    azure_top = [h.plan_id for h in await azure.search(query, filters=ON_SALE, top_k=2)]
    assert local_top == azure_top == ["T03", "T06"]  # 399 and 499, the two lowest fees


async def test_no_identity_named_puts_plans_anyone_can_take_first(
    local: LocalHybridRetriever, azure: AzureSearchRetriever
) -> None:
    """Conventions 1a/1c: with no identity named, 最便宜 ranks among plans anyone can take
    (the senior 399 does not come before the 499 anyone may apply for), on both backends."""
    query = "最便宜的"
    local_top = [h.plan_id for h in local.search_sync(query, filters=ON_SALE, top_k=2)]
    azure_top = [h.plan_id for h in await azure.search(query, filters=ON_SALE, top_k=2)]
    assert local_top == azure_top == ["T06", "T03"]
    hits = local.search_sync(query, filters=ON_SALE, top_k=8)
    assert all(OPEN_TO_ALL.label not in h.unmet for h in hits)  # a default is never "unmet"


@pytest.mark.parametrize(
    ("query", "last"),
    [
        ("不要學生方案 吃到飽", "T02"),  # the student plan, named in the query, goes last
        ("not for students, unlimited", "T02"),
        ("一般人 吃到飽", "T02"),  # the general public: identity plans last (round 5)
        ("general public, unlimited", "T02"),
    ],
)
async def test_a_refused_audience_goes_last_on_both_backends(
    local: LocalHybridRetriever, azure: AzureSearchRetriever, query: str, last: str
) -> None:
    local_top = [h.plan_id for h in local.search_sync(query, filters=ON_SALE, top_k=4)]
    azure_top = [h.plan_id for h in await azure.search(query, filters=ON_SALE, top_k=4)]
    for top in (local_top, azure_top):  # the fake ranks text its own way: T01, T04, T05 first
        assert len(top) == 4 and top[-1] == last


def test_nothing_meets_the_filters_so_the_nearest_are_shown_and_flagged(
    local: LocalHybridRetriever,
) -> None:
    hits = local.search_sync("吃到飽 300 以下", filters=ON_SALE, top_k=3)
    assert hits and all(h.relaxed for h in hits)
    # ranked by how many understood constraints they meet: unlimited ones first
    assert hits[0].unmet == ("月租 ≤ 300",)
    assert all("月租 ≤ 300" in h.unmet for h in hits)


async def test_azure_relaxes_the_same_way(
    azure: AzureSearchRetriever, fake: FakeAzureSearch
) -> None:
    fake.requests.clear()
    hits = await azure.search("吃到飽 300 以下", filters=ON_SALE, top_k=3)
    assert len(fake.requests) == 2  # filtered (empty), then without the query's filters
    assert "monthly_fee le 300" in fake.requests[0].body["filter"]
    assert "monthly_fee le 300" not in fake.requests[1].body["filter"]
    assert hits and all(h.relaxed for h in hits)
    assert hits[0].unmet == ("月租 ≤ 300",)


def test_explicit_filters_and_the_text_combine_tightest_fee(local: LocalHybridRetriever) -> None:
    budget = ON_SALE.merged(SearchFilters(max_monthly_fee=1399))
    hits = local.search_sync("800 以下", filters=budget, top_k=8)
    assert {h.plan_id for h in hits} == {"T02", "T03", "T06"}


@pytest.fixture(scope="module")
def catalogue(e5: E5Embedder) -> tuple[LocalHybridRetriever, list[Plan], date]:
    today = date.today()
    plans = generate(get_settings().demo_seed, today).plans
    retriever = LocalHybridRetriever(e5, index_dir=get_settings().search_index_dir)
    retriever.ensure_index_sync(plans)
    return retriever, plans, today


@pytest.mark.parametrize(
    "query",
    [
        "5G 吃到飽 1000 以下",
        "月租五百到八百，流量 20G 以上",
        "不綁約的 5G",
        "有送 Netflix 的方案嗎",
        "unlimited 5G, SIM only, under NT$1,300",
        "通話要無限，搭手機",
        "不限速的5G，带手机",
        "现在 1199 太贵了想降月租",
        "網路用完還能 10M 繼續用的",
    ],
)
def test_real_catalogue_top_five_meet_the_filters(
    catalogue: tuple[LocalHybridRetriever, list[Plan], date], query: str
) -> None:
    retriever, plans, today = catalogue
    filters = parse_query(query).filters()
    hits = retriever.search_sync(query, filters=SearchFilters(valid_on=today), top_k=5)
    by_id = {p.plan_id: p for p in plans}
    assert hits
    assert all(filters.admits(by_id[h.plan_id]) for h in hits)


def test_lowering_the_fee_puts_the_price_drop_renewals_first(
    catalogue: tuple[LocalHybridRetriever, list[Plan], date],
) -> None:
    """'想降月租' asks for the catalogue's price-drop renewals (tagged 降價), cheaper plans next."""
    retriever, plans, today = catalogue
    price_drop = {p.plan_id for p in plans if "price_drop" in facets_of(p).perks}
    assert price_drop  # the demo catalogue has them
    hits = retriever.search_sync(
        "網路用不完，想降月租", filters=SearchFilters(valid_on=today), top_k=5
    )
    assert {h.plan_id for h in hits[: len(price_drop)]} == price_drop
