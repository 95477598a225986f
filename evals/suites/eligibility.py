"""Eligibility suite: the CRM rules against cases labelled from the business rules.

Labels come from the rules as the issue states them (renewal: contract ends within 60 days, no
debt, not blacklisted, credit A-C single / A-B with a device; promotion: tenure, minimum fee,
plan type, identity, with-device or plain, credit, validity window), not from running the code.
Each case builds minimal back-office records around the attributes it names and calls
`check_renewal` / `check_promotion` directly, on a fixed day so results never drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from evals.runner.results import CaseResult
from evals.runner.schema import DATASETS_DIR, EligibilityRow
from evals.runner.suite import RunContext, Suite, mean_score
from mcp_servers.backoffice.records import Customer, EligibilityRules, PhoneLine, Plan
from mcp_servers.crm.eligibility import check_promotion, check_renewal

EVAL_DAY = date(2026, 3, 2)


def build_line(row: EligibilityRow, today: date) -> PhoneLine:
    spec = row.line
    end = today + timedelta(days=spec.contract_end_in_days)
    return PhoneLine(
        phone_number="0900000000",
        customer_id="C000000",
        plan_id="P000",
        plan_name="eval plan",
        plan_type=spec.plan_type,
        monthly_fee=spec.monthly_fee,
        contract_start=end - timedelta(days=730),
        contract_end=end,
        data_used_gb=10.0,
        data_limit_gb=None,
        voice_used_min=100,
        voice_limit_min=None,
        outstanding_balance=spec.outstanding_balance,
        last_bill_amount=spec.monthly_fee,
        is_blacklisted=spec.is_blacklisted,
        credit_grade=spec.credit_grade,
        tenure_months=spec.tenure_months,
    )


def build_customer(row: EligibilityRow, today: date) -> Customer:
    return Customer(
        customer_id="C000000",
        id_number="A123456789",
        name="評測客戶",
        phone_contact="0900000000",
        email="eval@example.com",
        is_company=row.customer.is_company,
        identities=list(row.customer.identities),
        birth_date=date(1990, 1, 1),
        registered_at=today - timedelta(days=3650),
        address="台北市",
    )


def build_plan(row: EligibilityRow, today: date) -> Plan:
    spec = row.promotion
    assert spec is not None
    rules = EligibilityRules(
        min_tenure_months=spec.min_tenure_months,
        min_current_monthly_fee=spec.min_current_monthly_fee,
        allowed_current_plan_types=list(spec.allowed_current_plan_types),
        required_identity=spec.required_identity,
        renewal_type=spec.renewal_type,
        max_credit_grade=spec.max_credit_grade,
    )
    return Plan(
        plan_id="P999",
        name="評測促銷",
        plan_type="5G",
        monthly_fee=999,
        data_gb=None,
        voice_minutes=None,
        contract_months=30,
        early_termination_fee=0,
        target_customers="評測",
        description="評測用促銷",
        with_device=spec.renewal_type == "with_device",
        valid_from=today + timedelta(days=spec.valid_from_in_days),
        valid_to=today + timedelta(days=spec.valid_to_in_days),
        rules=rules,
    )


def decide(row: EligibilityRow, today: date = EVAL_DAY) -> tuple[bool, list[str]]:
    """(eligible, reason codes) as the CRM server would answer."""
    line = build_line(row, today)
    if row.kind == "renewal":
        assert row.renewal_type is not None
        renewal = check_renewal(line, row.renewal_type, today)
        return renewal.is_eligible, [r.code for r in renewal.reasons]
    promotion = check_promotion(
        line, build_customer(row, today), build_plan(row, today), today, row.renewal_type
    )
    return promotion.is_qualified, [m.requirement for m in promotion.missing_requirements]


class EligibilitySuite(Suite[EligibilityRow]):
    name = "eligibility"
    title = "Renewal and promotion eligibility"
    dataset = DATASETS_DIR / "eligibility.jsonl"
    row_model = EligibilityRow
    code = (
        "mcp_servers/crm/eligibility.py",
        "mcp_servers/backoffice/records.py",
        "evals/suites/eligibility.py",
    )

    async def evaluate(self, row: EligibilityRow, ctx: RunContext) -> CaseResult:
        eligible, reasons = decide(row)
        right = eligible == row.expected.eligible
        same_reasons = sorted(reasons) == sorted(row.expected.reasons)
        return CaseResult(
            id=row.id,
            passed=right and same_reasons,
            scores={"accuracy": float(right), "reason_exact": float(same_reasons)},
            details={
                "kind": row.kind,
                "rule": row.rule,
                "expected": {"eligible": row.expected.eligible, "reasons": row.expected.reasons},
                "actual": {"eligible": eligible, "reasons": reasons},
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        metrics = {
            "accuracy": mean_score(cases, "accuracy"),
            "reason_exact": mean_score(cases, "reason_exact"),
        }
        info: dict[str, Any] = {}
        for kind in ("renewal", "promotion"):
            subset = [c for c in cases if c.details.get("kind") == kind]
            metrics[f"{kind}.accuracy"] = mean_score(subset, "accuracy")
            metrics[f"{kind}.reason_exact"] = mean_score(subset, "reason_exact")
            info[f"{kind}_cases"] = len(subset)
        return metrics, info
