"""Renewal and promotion eligibility rules, table-driven."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from mcp_servers.backoffice.records import Customer, EligibilityRules, PhoneLine, Plan
from mcp_servers.crm.eligibility import check_promotion, check_renewal

TODAY = date(2026, 11, 21)


def line(**changes: Any) -> PhoneLine:
    base = dict(
        phone_number="0912000001", customer_id="C000001", plan_id="P001", plan_name="5G 精選",
        plan_type="5G", monthly_fee=999, contract_start=TODAY - timedelta(days=700),
        contract_end=TODAY + timedelta(days=30), data_used_gb=20.0, data_limit_gb=50.0,
        voice_used_min=100, voice_limit_min=300, outstanding_balance=0, last_bill_amount=999,
        is_blacklisted=False, credit_grade="A", tenure_months=36,
    )  # fmt: skip
    return PhoneLine(**{**base, **changes})


def customer(**changes: Any) -> Customer:
    base = dict(
        customer_id="C000001", id_number="A123456789", name="王小明", phone_contact="0912000001",
        email="a@example.com", birth_date=date(1990, 1, 1), registered_at=date(2018, 1, 1),
        address="台北市信義區",
    )  # fmt: skip
    return Customer(**{**base, **changes})


def plan(**rules: Any) -> Plan:
    return Plan(
        plan_id="P100", name="5G 學生方案", plan_type="student", monthly_fee=599, data_gb=None,
        voice_minutes=60, contract_months=30, early_termination_fee=5000, target_customers="學生",
        description="學生限定 5G 吃到飽", with_device=False, valid_from=TODAY - timedelta(days=30),
        valid_to=TODAY + timedelta(days=30), rules=EligibilityRules(**rules),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "renewal_type", "eligible", "codes"),
    [
        ({}, "with_device", True, []),
        ({"contract_end": TODAY + timedelta(days=60)}, "single", True, []),
        ({"contract_end": TODAY + timedelta(days=61)}, "single", False, ["CONTRACT_NOT_DUE"]),
        ({"contract_end": TODAY + timedelta(days=200)}, "single", False, ["CONTRACT_NOT_DUE"]),
        ({"contract_end": TODAY - timedelta(days=10)}, "single", True, []),  # already ended
        ({"outstanding_balance": 1}, "single", False, ["OUTSTANDING_BALANCE"]),
        ({"is_blacklisted": True}, "single", False, ["BLACKLISTED"]),
        ({"credit_grade": "C"}, "single", True, []),
        ({"credit_grade": "C"}, "with_device", False, ["CREDIT_GRADE"]),
        ({"credit_grade": "D"}, "single", False, ["CREDIT_GRADE"]),
        ({"status": "suspended"}, "single", False, ["LINE_SUSPENDED"]),
        (
            {"outstanding_balance": 500, "is_blacklisted": True, "credit_grade": "D",
             "contract_end": TODAY + timedelta(days=90)},
            "with_device", False,
            ["CONTRACT_NOT_DUE", "OUTSTANDING_BALANCE", "BLACKLISTED", "CREDIT_GRADE"],
        ),
    ],
)  # fmt: skip
def test_renewal_eligibility_lists_every_failed_rule(
    changes: dict[str, Any], renewal_type: Any, eligible: bool, codes: list[str]
) -> None:
    result = check_renewal(line(**changes), renewal_type, TODAY)
    assert result.is_eligible is eligible
    assert [r.code for r in result.reasons] == codes
    assert all(r.message and r.remedy for r in result.reasons)


def test_renewal_reports_days_and_window_start() -> None:
    result = check_renewal(line(contract_end=TODAY + timedelta(days=200)), "single", TODAY)
    assert result.days_until_expiry == 200
    assert result.eligible_from == TODAY + timedelta(days=140)
    assert "2027" in result.reasons[0].remedy


def test_debt_reason_names_the_amount() -> None:
    result = check_renewal(line(outstanding_balance=1234), "single", TODAY)
    assert "1,234" in result.reasons[0].message
    assert result.has_outstanding_debt


def test_credit_remedy_suggests_single_renewal_when_only_device_is_refused() -> None:
    result = check_renewal(line(credit_grade="C"), "with_device", TODAY)
    assert "單純續約" in result.reasons[0].remedy


@pytest.mark.parametrize(
    ("rules", "line_changes", "customer_changes", "renewal_type", "missing"),
    [
        ({}, {}, {}, None, []),
        ({"min_tenure_months": 48}, {}, {}, None, ["min_tenure_months"]),
        ({"min_tenure_months": 36}, {}, {}, None, []),
        ({"min_current_monthly_fee": 1399}, {}, {}, None, ["min_current_monthly_fee"]),
        ({"allowed_current_plan_types": ["4G"]}, {}, {}, None, ["allowed_current_plan_types"]),
        ({"allowed_current_plan_types": ["4G", "5G"]}, {}, {}, None, []),
        ({"required_identity": "student"}, {}, {}, None, ["required_identity"]),
        ({"required_identity": "student"}, {}, {"identities": ["student"]}, None, []),
        ({"required_identity": "company"}, {}, {"is_company": True}, None, []),
        ({"renewal_type": "with_device"}, {}, {}, "single", ["renewal_type"]),
        ({"renewal_type": "plain"}, {}, {}, "single", []),
        ({"renewal_type": "plain"}, {}, {}, "with_device", ["renewal_type"]),
        ({"renewal_type": "with_device"}, {}, {}, None, []),  # unknown type: not judged
        ({"max_credit_grade": "B"}, {"credit_grade": "C"}, {}, None, ["max_credit_grade"]),
        ({}, {"credit_grade": "D"}, {}, None, ["max_credit_grade"]),
        (
            {"min_tenure_months": 60, "min_current_monthly_fee": 2000,
             "required_identity": "military_civil"},
            {}, {}, None,
            ["min_tenure_months", "min_current_monthly_fee", "required_identity"],
        ),
    ],
)  # fmt: skip
def test_promotion_eligibility_names_missing_requirements(
    rules: dict[str, Any],
    line_changes: dict[str, Any],
    customer_changes: dict[str, Any],
    renewal_type: Any,
    missing: list[str],
) -> None:
    result = check_promotion(
        line(**line_changes), customer(**customer_changes), plan(**rules), TODAY, renewal_type
    )
    assert [m.requirement for m in result.missing_requirements] == missing
    assert result.is_qualified is (not missing)
    assert len(result.reasons) == len(missing)


def test_expired_promotion_does_not_qualify() -> None:
    expired = plan().model_copy(update={"valid_to": TODAY - timedelta(days=1)})
    result = check_promotion(line(), customer(), expired, TODAY)
    assert not result.is_qualified
    assert result.missing_requirements[0].requirement == "valid_period"


def test_tenure_reason_is_readable() -> None:
    result = check_promotion(line(tenure_months=3), customer(), plan(min_tenure_months=6), TODAY)
    assert result.reasons == ["需在網 6 個月以上（目前 3 個月）"]
