"""Query shaping from customer context (seed §3.3.1 step 1) and the lexical thesaurus."""

from __future__ import annotations

from datetime import date

import pytest

from mcp_servers.backoffice.records import Customer, PhoneLine
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.query import (
    CustomerContext,
    expand_for_lexical,
    shape_query,
    synonym_expansions,
)


def test_no_context_passes_query_through() -> None:
    shaped = shape_query("  學生   吃到飽 ")
    assert shaped.text == "學生 吃到飽"
    assert shaped.filters == SearchFilters()


@pytest.mark.parametrize(
    ("context", "words", "absent"),
    [
        ({"data_used_gb": 19, "data_limit_gb": 20}, ["吃到飽", "大流量"], ["輕量"]),
        ({"data_used_gb": 45, "data_limit_gb": None}, ["吃到飽"], []),
        ({"data_used_gb": 3, "data_limit_gb": None}, [], ["吃到飽"]),
        ({"data_used_gb": 1.2, "data_limit_gb": 20}, ["輕量", "低月租"], ["吃到飽"]),
        ({"voice_used_min": 450}, ["網內互打", "通話"], []),
        ({"voice_used_min": 90, "voice_limit_min": 100}, ["網內互打"], []),
        ({"voice_used_min": 20, "voice_limit_min": 100}, [], ["網內互打"]),
        ({"identities": ["student"]}, ["學生"], []),
        ({"age": 70}, ["長輩", "銀髮"], []),
        ({"identities": ["military_civil"]}, ["軍公教"], []),
        ({"identities": ["company"]}, ["企業"], []),
        ({"current_plan_type": "5G"}, ["5G"], []),
        ({"renewal_type": "with_device"}, ["手機專案"], []),
    ],
)
def test_usage_and_identity_add_words(context: dict, words: list[str], absent: list[str]) -> None:
    shaped = shape_query("推薦方案", context)
    assert shaped.text.startswith("推薦方案")
    for word in words:
        assert word in shaped.text
    for word in absent:
        assert word not in shaped.text
    assert bool(shaped.reasons) == bool(words)


def test_words_already_in_query_are_not_repeated() -> None:
    shaped = shape_query("吃到飽", {"data_used_gb": 20, "data_limit_gb": 20})
    assert shaped.text.count("吃到飽") == 1
    assert "大流量" in shaped.text


def test_after_a_mark_the_added_words_depend_on_the_context_alone() -> None:
    """Typed words before the mark do not remove a need: the part after it stays the same."""
    ctx = {"data_used_gb": 20, "data_limit_gb": 20, "renewal_type": "with_device"}
    untyped = shape_query("|| 續約 搭配手機", ctx).text
    assert untyped == "|| 續約 搭配手機 || 吃到飽 大流量 手機專案"
    typed = shape_query("吃到飽 手機專案 || 續約 搭配手機", ctx).text
    assert typed == f"吃到飽 手機專案 {untyped}"
    # the step's own words still count: a need they already say is not added again
    assert shape_query("|| 續約 吃到飽", ctx).text == "|| 續約 吃到飽 || 大流量 手機專案"


def test_renewal_type_identities_budget_and_date_become_filters() -> None:
    ctx = CustomerContext(
        renewal_type="plain",
        identities=["senior"],
        budget_monthly_fee=599,
        today=date(2026, 11, 21),
    )
    filters = shape_query("續約", ctx).filters
    assert filters.with_device is False
    assert filters.identities == ("senior",)
    assert filters.max_monthly_fee == 599
    assert filters.valid_on == date(2026, 11, 21)
    assert shape_query("x", {"renewal_type": "with_device"}).filters.with_device is True
    assert shape_query("x", {}).filters.identities is None  # unknown identities: no filter


def test_empty_query_is_built_from_context() -> None:
    assert shape_query("", {"current_plan_name": "4G 暢遊 599"}).text == "4G 暢遊 599 續約 優惠"
    assert shape_query("", {"identities": ["student"]}).text == "學生"


def test_unknown_keys_are_ignored_and_bad_values_rejected() -> None:
    assert shape_query("x", {"shoe_size": 42}).text == "x"
    with pytest.raises(ValueError):
        shape_query("x", {"data_used_gb": -1})


def test_from_records() -> None:
    line = PhoneLine(
        phone_number="0912345678", customer_id="C1", plan_id="P004", plan_name="4G 暢遊 599",
        plan_type="4G", monthly_fee=599, contract_start=date(2024, 5, 1),
        contract_end=date(2026, 11, 30), data_used_gb=19.5, data_limit_gb=20, voice_used_min=80,
        voice_limit_min=150, outstanding_balance=0, last_bill_amount=599, tenure_months=40,
    )  # fmt: skip
    customer = Customer(
        customer_id="C1", id_number="A123456789", name="王小明", phone_contact="0912345678",
        email="a@example.com", identities=["student"], birth_date=date(2005, 12, 1),
        registered_at=date(2023, 1, 1), address="台北市",
    )  # fmt: skip
    ctx = CustomerContext.from_records(
        line, customer, today=date(2026, 11, 21), renewal_type="plain"
    )
    assert ctx.age == 20
    shaped = shape_query("", ctx)
    assert "吃到飽" in shaped.text and "學生" in shaped.text
    assert shaped.filters.with_device is False and shaped.filters.identities == ("student",)


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("吃到飽方案", ["不限量", "無限量"]),
        ("光纖", ["光世代"]),
        ("長輩", ["銀髮", "樂齡"]),
        ("iPad 專案", ["平板"]),
    ],
)
def test_lexical_expansion(text: str, added: list[str]) -> None:
    expanded = expand_for_lexical(text)
    assert expanded.startswith(text)
    for word in added:
        assert word in expanded
    assert expand_for_lexical("月租多少") == "月租多少"


def test_unlimited_voice_is_not_unlimited_data() -> None:
    assert "吃到飽" not in expand_for_lexical("通話要無限")
    assert synonym_expansions("吃到飽 學生") == [
        ("不限量", "無限量", "不限速", "無限上網"),
        ("青春", "校園", "學子"),
    ]
