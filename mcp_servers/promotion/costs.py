"""Plan comparison and upgrade cost: arithmetic a salesperson can repeat to a customer."""

from __future__ import annotations

import calendar
from datetime import date

from pydantic import BaseModel, Field

from mcp_servers.backoffice.records import Plan

# Extra data bought when a capped plan (no throttled fallback) runs out: NT$ per GB.
DATA_TOPUP_PER_GB = 50
# Off-net minutes beyond the plan's allowance: NT$ per minute (list price).
VOICE_OVERAGE_PER_MIN = 1.5
# Handling fee for changing plans while a contract is running.
PLAN_CHANGE_FEE = 500


class CustomerUsage(BaseModel):
    data_gb_per_month: float | None = Field(None, ge=0)
    voice_minutes_per_month: int | None = Field(None, ge=0)


class ComparisonTable(BaseModel):
    headers: list[str]
    rows: list[list[str]]


class PlanCost(BaseModel):
    plan_id: str
    monthly_fee: int
    expected_monthly_extra: int  # overage for the given usage
    annual_cost: int  # 12 × (fee + extra)
    covers_usage: bool


class Comparison(BaseModel):
    comparison_table: ComparisonTable
    cost_analysis: list[PlanCost]
    recommendation: dict[str, str]


class UpgradeCost(BaseModel):
    upgrade_fee: int
    monthly_difference: int
    prorated_cost: int
    early_termination_charge: int
    total_cost: int
    savings_per_month: int
    explanation: str


def _data_text(plan: Plan) -> str:
    if plan.data_gb is None:
        return "吃到飽（不限速）"
    capped = (
        f"，超量降速 {plan.speed_limit_after_mbps:g}Mbps" if plan.speed_limit_after_mbps else ""
    )
    return f"{plan.data_gb:g}GB{capped}"


def _voice_text(plan: Plan) -> str:
    base = "網外無限" if plan.voice_minutes is None else f"網外 {plan.voice_minutes} 分鐘"
    return base + ("，網內免費" if plan.on_net_free else "")


def plan_cost(plan: Plan, usage: CustomerUsage | None) -> PlanCost:
    """Monthly extra = data top-ups when a hard-capped plan runs out + off-net voice overage."""
    extra = 0.0
    covers = True
    if usage and usage.data_gb_per_month is not None and plan.data_gb is not None:
        over = max(0.0, usage.data_gb_per_month - plan.data_gb)
        if over > 0:
            covers = False
            if plan.speed_limit_after_mbps is None:
                extra += over * DATA_TOPUP_PER_GB
    if usage and usage.voice_minutes_per_month is not None and plan.voice_minutes is not None:
        over_min = max(0, usage.voice_minutes_per_month - plan.voice_minutes)
        extra += over_min * VOICE_OVERAGE_PER_MIN
        covers = covers and over_min == 0
    extra_int = round(extra)
    return PlanCost(
        plan_id=plan.plan_id,
        monthly_fee=plan.monthly_fee,
        expected_monthly_extra=extra_int,
        annual_cost=12 * (plan.monthly_fee + extra_int),
        covers_usage=covers,
    )


def compare(plans: list[Plan], usage: CustomerUsage | None) -> Comparison:
    """Side-by-side table; best = cheapest annual cost among plans that cover the usage
    (or cheapest overall when none does)."""
    costs = [plan_cost(p, usage) for p in plans]
    rows = [
        ["月租費", *(f"NT${p.monthly_fee:,}" for p in plans)],
        ["行動上網", *(_data_text(p) for p in plans)],
        ["語音", *(_voice_text(p) for p in plans)],
        ["合約期", *(f"{p.contract_months} 個月" if p.contract_months else "無" for p in plans)],
        ["提前解約金", *(f"NT${p.early_termination_fee:,}" for p in plans)],
        ["贈品", *("、".join(p.gifts) or "-" for p in plans)],
        ["預估年費", *(f"NT${c.annual_cost:,}" for c in costs)],
    ]
    pool = [c for c in costs if c.covers_usage] or costs
    best = min(pool, key=lambda c: (c.annual_cost, c.plan_id))
    best_plan = next(p for p in plans if p.plan_id == best.plan_id)
    if usage is None:
        reason = f"{best_plan.name} 年費最低（NT${best.annual_cost:,}）"
    elif best.covers_usage:
        reason = f"{best_plan.name} 足以涵蓋您的用量，且年費最低（NT${best.annual_cost:,}）"
    else:
        reason = f"沒有方案完全涵蓋您的用量；{best_plan.name} 含加購費用後年費最低"
    return Comparison(
        comparison_table=ComparisonTable(headers=["項目", *(p.name for p in plans)], rows=rows),
        cost_analysis=costs,
        recommendation={"best_for_customer": best.plan_id, "reason": reason},
    )


def upgrade_cost(current: Plan, new: Plan, remaining_months: int, today: date) -> UpgradeCost:
    """Cost of switching from `current` to `new` with `remaining_months` left on the contract.

    - upgrade_fee: NT$500 handling when a contract is still running, else 0;
    - prorated_cost: this month's fee difference for the days left in the month
      (max(0, diff) × days_left / days_in_month), billed on the next invoice;
    - early_termination_charge: moving to a cheaper plan mid-contract repays the current
      plan's early-termination fee pro rata: fee × remaining / contract months;
    - savings_per_month: how much cheaper the new plan is per month (0 when dearer).
    """
    diff = new.monthly_fee - current.monthly_fee
    in_contract = remaining_months > 0
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    days_left = days_in_month - today.day + 1
    prorated = round(max(0, diff) * days_left / days_in_month)
    termination = 0
    if in_contract and diff < 0 and current.contract_months:
        share = min(remaining_months, current.contract_months) / current.contract_months
        termination = round(current.early_termination_fee * share)
    fee = PLAN_CHANGE_FEE if in_contract else 0
    total = fee + prorated + termination
    return UpgradeCost(
        upgrade_fee=fee,
        monthly_difference=diff,
        prorated_cost=prorated,
        early_termination_charge=termination,
        total_cost=total,
        savings_per_month=max(0, -diff),
        explanation=(
            f"手續費 NT${fee:,} + 本月差額按日計 NT${prorated:,}"
            f" + 提前解約補償 NT${termination:,} = NT${total:,}；"
            f"之後每月{'多' if diff > 0 else '省'} NT${abs(diff):,}"
        ),
    )
