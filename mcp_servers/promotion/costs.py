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


class Recommendation(BaseModel):
    """The plan the comparison recommends, by one stated criterion, with the numbers behind it
    (taken from `cost_analysis`, so every claim can be checked against the table)."""

    best_for_customer: str
    criterion: str  # what "best" means, in words staff can repeat
    annual_cost: int
    monthly_fee: int
    expected_monthly_extra: int
    covers_usage: bool
    runner_up: str | None  # the next cheapest plan
    runner_up_annual_cost: int | None
    annual_saving: int  # runner_up_annual_cost - annual_cost (0 when alone or tied)
    reason: str


class Comparison(BaseModel):
    comparison_table: ComparisonTable
    cost_analysis: list[PlanCost]
    recommendation: Recommendation


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
    """Side-by-side table, the cost per plan and the recommendation (`recommend`)."""
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
    return Comparison(
        comparison_table=ComparisonTable(headers=["項目", *(p.name for p in plans)], rows=rows),
        cost_analysis=costs,
        recommendation=recommend(plans, costs),
    )


CRITERION = "預估年費最低（月租＋依用量預估的加購費，不含購機款）"


def recommend(plans: list[Plan], costs: list[PlanCost]) -> Recommendation:
    """The plan with the lowest estimated annual cost (the table's 預估年費 row); ties go to the
    plan that covers the usage, then the lower monthly fee. The reason states only what the
    table shows: this plan's annual cost and how much less it is than the next one."""
    names = {p.plan_id: p.name for p in plans}
    ranked = sorted(
        costs, key=lambda c: (c.annual_cost, not c.covers_usage, c.monthly_fee, c.plan_id)
    )
    best, runner = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    saving = runner.annual_cost - best.annual_cost if runner else 0
    extra = f"＋預估加購 NT${best.expected_monthly_extra:,}" if best.expected_monthly_extra else ""
    reason = (
        f"{names[best.plan_id]} 預估年費最低：NT${best.annual_cost:,}"
        f"（月租 NT${best.monthly_fee:,}{extra}，× 12 個月）"
    )
    if runner is not None and saving > 0:
        reason += f"，比 {names[runner.plan_id]} 的 NT${runner.annual_cost:,} 少 NT${saving:,}"
    elif runner is not None:
        reason += f"，與 {names[runner.plan_id]} 相同"
    if not best.covers_usage:
        reason += "；依客戶目前用量會超出方案內容，超出部分的預估費用已計入年費"
    return Recommendation(
        best_for_customer=best.plan_id,
        criterion=CRITERION,
        annual_cost=best.annual_cost,
        monthly_fee=best.monthly_fee,
        expected_monthly_extra=best.expected_monthly_extra,
        covers_usage=best.covers_usage,
        runner_up=runner.plan_id if runner else None,
        runner_up_annual_cost=runner.annual_cost if runner else None,
        annual_saving=saving,
        reason=reason,
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
