"""Plan comparison and upgrade-cost arithmetic, table-driven."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.costs import CustomerUsage, compare, plan_cost, upgrade_cost


def plan(plan_id: str, fee: int, **changes: Any) -> Plan:
    base = dict(
        plan_id=plan_id, name=f"方案{plan_id}", plan_type="5G", monthly_fee=fee, data_gb=20.0,
        voice_minutes=100, contract_months=30, early_termination_fee=6000,
        target_customers="一般", description="測試方案", with_device=False,
        valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
    )  # fmt: skip
    return Plan(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "usage", "extra", "covers"),
    [
        ({}, None, 0, True),
        ({}, CustomerUsage(data_gb_per_month=10, voice_minutes_per_month=50), 0, True),
        ({}, CustomerUsage(data_gb_per_month=30), 500, False),  # 10 GB × NT$50
        ({"speed_limit_after_mbps": 5}, CustomerUsage(data_gb_per_month=30), 0, False),
        ({"data_gb": None}, CustomerUsage(data_gb_per_month=300), 0, True),
        ({}, CustomerUsage(voice_minutes_per_month=300), 300, False),  # 200 min × 1.5
        ({"voice_minutes": None}, CustomerUsage(voice_minutes_per_month=3000), 0, True),
    ],
)
def test_plan_cost_adds_overage_for_usage(
    changes: dict[str, Any], usage: CustomerUsage | None, extra: int, covers: bool
) -> None:
    cost = plan_cost(plan("A", 999, **changes), usage)
    assert cost.expected_monthly_extra == extra
    assert cost.annual_cost == 12 * (999 + extra)
    assert cost.covers_usage is covers


def test_compare_prefers_cheapest_plan_that_covers_usage() -> None:
    small = plan("A", 599, data_gb=10.0)
    big = plan("B", 999, data_gb=None)
    mid = plan("C", 799, data_gb=50.0)
    result = compare([small, big, mid], CustomerUsage(data_gb_per_month=40))
    assert result.recommendation.best_for_customer == "C"
    assert result.comparison_table.headers == ["項目", "方案A", "方案B", "方案C"]
    assert all(len(row) == 4 for row in result.comparison_table.rows)
    annual = {c.plan_id: c.annual_cost for c in result.cost_analysis}
    assert annual == {"A": 12 * (599 + 1500), "B": 12 * 999, "C": 12 * 799}


def test_compare_without_usage_picks_lowest_fee() -> None:
    result = compare([plan("A", 999), plan("B", 599)], None)
    assert result.recommendation.best_for_customer == "B"


@pytest.mark.parametrize(
    ("current_fee", "new_fee", "remaining", "today", "fee", "prorated", "termination", "total"),
    [
        # upgrade mid-contract on the 16th of a 30-day month: 15 days left of 500 difference
        (999, 1499, 10, date(2026, 11, 16), 500, 250, 0, 750),
        # upgrade after the contract: no handling fee
        (999, 1499, 0, date(2026, 11, 1), 0, 500, 0, 500),
        # downgrade mid-contract: 6000 × 15/30 repaid, no prorated difference
        (1499, 999, 15, date(2026, 11, 30), 500, 0, 3000, 3500),
        # downgrade after the contract: free
        (1499, 999, 0, date(2026, 11, 30), 0, 0, 0, 0),
    ],
)  # fmt: skip
def test_upgrade_cost_arithmetic(
    current_fee: int, new_fee: int, remaining: int, today: date,
    fee: int, prorated: int, termination: int, total: int,
) -> None:  # fmt: skip
    cost = upgrade_cost(plan("A", current_fee), plan("B", new_fee), remaining, today)
    assert (cost.upgrade_fee, cost.prorated_cost, cost.early_termination_charge) == (
        fee, prorated, termination,
    )  # fmt: skip
    assert cost.total_cost == total
    assert cost.monthly_difference == new_fee - current_fee
    assert cost.savings_per_month == max(0, current_fee - new_fee)
    assert f"NT${total:,}" in cost.explanation
