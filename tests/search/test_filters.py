"""Metadata filters: one semantics (`SearchFilters.admits`) for the local mask and Azure OData."""

from __future__ import annotations

from datetime import date

import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.azure import filters_to_odata, plan_to_document
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .conftest import HashEmbedder
from .odata_eval import compile_filter

CASES: list[tuple[SearchFilters, set[str]]] = [
    (SearchFilters(), {f"T0{i}" for i in range(1, 9)}),
    (SearchFilters(plan_types=("senior", "student")), {"T02", "T03"}),
    (SearchFilters(with_device=True), {"T05"}),
    (SearchFilters(with_device=False, contract_months=(24,)), {"T03", "T06", "T08"}),
    (SearchFilters(max_monthly_fee=599), {"T02", "T03", "T06"}),
    (SearchFilters(min_monthly_fee=1300), {"T01", "T05", "T07"}),
    (SearchFilters(identities=()), {"T01", "T04", "T05", "T06", "T07"}),
    (SearchFilters(identities=("student",)), {"T01", "T02", "T04", "T05", "T06", "T07"}),
    (SearchFilters(valid_on=date(2026, 6, 1)), {f"T0{i}" for i in range(1, 9)} - {"T07"}),
    (SearchFilters(exclude_plan_ids=("T01", "T02")), {f"T0{i}" for i in range(3, 9)}),
    # parsed from the query text (constraints): facets of the plan, not only columns
    (SearchFilters(unlimited_data=True), {"T01", "T02", "T04", "T05", "T07"}),
    (SearchFilters(unlimited_data=False), {"T03", "T06", "T08"}),
    (SearchFilters(min_data_gb=15), {"T01", "T02", "T04", "T05", "T06", "T07", "T08"}),
    (SearchFilters(max_contract_months=24), {"T03", "T06", "T08"}),
    (SearchFilters(voice_unlimited=True), {"T07"}),
    (SearchFilters(perks=("spotify",)), {"T02"}),
    (SearchFilters(perks=("fibre",)), {"T04"}),
    (SearchFilters(perks=("voucher", "fibre")), set()),
    (SearchFilters(any_perks=("spotify", "fibre")), {"T02", "T04"}),
    (SearchFilters(has_gift=True), {"T06"}),
    (SearchFilters(min_voice_minutes=400), {"T07"}),
    (SearchFilters(min_device_discount=1), {"T05"}),
    (SearchFilters(pay_per_use=True), {"T06", "T08"}),
    (SearchFilters(min_speed_after_mbps=2), {"T01", "T02", "T03", "T04", "T05", "T07"}),
]


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_azure_odata_admits_the_same_plans(
    filters: SearchFilters, expected: set[str], tiny_plans: list[Plan]
) -> None:
    """The `$filter` string, evaluated as Azure would over the uploaded documents."""
    odata = filters_to_odata(filters)
    docs = [plan_to_document(p, [0.0], "v") for p in tiny_plans]
    admitted = {d["plan_id"] for d in docs if odata is None or compile_filter(odata)(d)}
    assert admitted == expected


@pytest.fixture
def retriever(tiny_plans: list[Plan]) -> LocalHybridRetriever:
    local = LocalHybridRetriever(HashEmbedder())
    local.ensure_index_sync(tiny_plans)
    return local


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_admits_and_vectorised_mask_agree(
    filters: SearchFilters,
    expected: set[str],
    tiny_plans: list[Plan],
    retriever: LocalHybridRetriever,
) -> None:
    assert {p.plan_id for p in tiny_plans if filters.admits(p)} == expected
    state = retriever._state
    assert state is not None
    mask = state.mask(filters)
    admitted = (
        {p.plan_id for p in tiny_plans}
        if mask is None
        else {p.plan_id for p, keep in zip(tiny_plans, mask, strict=True) if keep}
    )
    assert admitted == expected


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "vector"])
@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_every_side_respects_filters(
    filters: SearchFilters, expected: set[str], mode: str, retriever: LocalHybridRetriever
) -> None:
    hits = retriever.search_sync("5G 網內互打 學生 長輩", filters=filters, top_k=20, mode=mode)  # type: ignore[arg-type]
    assert {h.plan_id for h in hits} <= expected
    if mode != "bm25":  # the vector side ranks every admitted plan
        assert {h.plan_id for h in hits} == expected


def test_filter_applies_before_top_k(retriever: LocalHybridRetriever) -> None:
    """The only with-device plan is found even though unfiltered it is not the best match."""
    hits = retriever.search_sync("學生 吃到飽", filters=SearchFilters(with_device=True), top_k=3)
    assert [h.plan_id for h in hits] == ["T05"]


def test_merged_filters() -> None:
    base = SearchFilters(with_device=True, exclude_plan_ids=("A",))
    merged = base.merged(SearchFilters(max_monthly_fee=999, exclude_plan_ids=("B",)))
    assert merged.with_device is True
    assert merged.max_monthly_fee == 999
    assert merged.exclude_plan_ids == ("A", "B")
    assert base.merged(None) is base


@pytest.mark.parametrize(
    ("filters", "odata"),
    [
        (SearchFilters(), None),
        (SearchFilters(plan_types=("5G", "4G")), "search.in(plan_type, '5G|4G', '|')"),
        (SearchFilters(with_device=False), "with_device eq false"),
        (
            SearchFilters(contract_months=(24, 30)),
            "(contract_months eq 24 or contract_months eq 30)",
        ),
        (
            SearchFilters(max_monthly_fee=999, min_monthly_fee=499),
            "monthly_fee le 999 and monthly_fee ge 499",
        ),
        (SearchFilters(identities=()), "(required_identity eq null)"),
        (
            SearchFilters(identities=("student", "senior")),
            "(required_identity eq null or search.in(required_identity, 'student|senior', '|'))",
        ),
        (
            SearchFilters(valid_on=date(2026, 11, 21)),
            "valid_from le 2026-11-21T00:00:00Z and valid_to ge 2026-11-21T00:00:00Z",
        ),
        (SearchFilters(exclude_plan_ids=("P'1",)), "not search.in(plan_id, 'P''1', '|')"),
        (SearchFilters(unlimited_data=True), "data_gb eq null"),
        (SearchFilters(min_data_gb=30), "(data_gb eq null or data_gb ge 30)"),
        (SearchFilters(perks=("netflix",)), "perks/any(p: p eq 'netflix')"),
        (SearchFilters(max_contract_months=24), "contract_months le 24"),
        (
            SearchFilters(voice_unlimited=True, has_gift=True),
            "voice_unlimited eq true and has_gift eq true",
        ),
    ],
)
def test_odata_translation(filters: SearchFilters, odata: str | None) -> None:
    assert filters_to_odata(filters) == odata
