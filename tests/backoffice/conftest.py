"""Shared fixtures: generation is deterministic, so one data set per module is enough."""

from __future__ import annotations

from datetime import date

import pytest

from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.records import BackOffice, Customer, EligibilityRules, PhoneLine

TODAY = date(2026, 11, 21)
SEED = 20261121
_GRADE_ORDER = "ABCD"


@pytest.fixture(scope="session")
def backoffice() -> BackOffice:
    return generate(SEED, TODAY)


def admits(
    rules: EligibilityRules, line: PhoneLine, customer: Customer, renewal_type: str
) -> list[str]:
    """Reasons a promotion's rules reject a line (empty = qualifies); a test-side reference."""
    reasons = []
    if line.tenure_months < rules.min_tenure_months:
        reasons.append("tenure")
    if line.monthly_fee < rules.min_current_monthly_fee:
        reasons.append("fee")
    if rules.allowed_current_plan_types and line.plan_type not in rules.allowed_current_plan_types:
        reasons.append("plan_type")
    if rules.required_identity and rules.required_identity not in customer.identities:
        reasons.append("identity")
    if rules.renewal_type != "any" and rules.renewal_type != renewal_type:
        reasons.append("renewal_type")
    if _GRADE_ORDER.index(line.credit_grade) > _GRADE_ORDER.index(rules.max_credit_grade):
        reasons.append("credit")
    return reasons
