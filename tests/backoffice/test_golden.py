"""The golden set keeps its promises on any day the data is generated."""

from __future__ import annotations

from datetime import date

import pytest

from core.national_id import is_valid
from mcp_servers.backoffice.datemath import months_between
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN, GoldenCustomer
from mcp_servers.backoffice.plan_builder import plan_roles
from mcp_servers.backoffice.records import BackOffice, Customer, PhoneLine
from tests.backoffice.conftest import admits

DAYS = [date(2026, 11, 21), date(2024, 2, 29), date(2025, 1, 31), date(2027, 12, 31)]


@pytest.fixture(scope="module", params=DAYS, ids=str)
def data(request: pytest.FixtureRequest) -> BackOffice:
    return generate(11, request.param)


def _find(data: BackOffice, case: GoldenCustomer) -> tuple[Customer, PhoneLine]:
    customers = [c for c in data.customers if c.id_number == case.national_id]
    assert len(customers) == 1
    line = next(line for line in data.lines if line.phone_number == case.phone)
    assert customers[0].customer_id == case.customer_id == line.customer_id
    assert customers[0].name == case.name and line.plan_id == case.plan_id
    assert (line.contract_end - data.today).days == case.days_to_contract_end
    return customers[0], line


def _clean(line: PhoneLine) -> bool:
    return line.outstanding_balance == 0 and not line.is_blacklisted and line.status == "active"


def test_constants_are_well_formed() -> None:
    ids = [c.national_id for c in GOLDEN.customers] + [GOLDEN.not_customer]
    assert all(is_valid(i) for i in ids) and len(set(ids)) == len(ids)
    phones = [c.phone for c in GOLDEN.customers] + [GOLDEN.eligible_second_phone]
    assert len(set(phones)) == len(phones)
    assert GOLDEN.eligible.national_id == "A123456789"  # the seed's own example


def test_eligible(data: BackOffice) -> None:
    customer, line = _find(data, GOLDEN.eligible)
    assert _clean(line) and line.credit_grade == "A"
    assert line.tenure_months >= 24
    assert line.plan_type == "5G" and line.monthly_fee >= 999
    lines = [x for x in data.lines if x.customer_id == customer.customer_id]
    assert {x.phone_number for x in lines} == {GOLDEN.eligible.phone, GOLDEN.eligible_second_phone}
    second = next(x for x in lines if x.phone_number == GOLDEN.eligible_second_phone)
    assert second.plan_type == "data_only" and (second.contract_end - data.today).days == 400


def test_eligible_qualifies_for_some_promotions_but_not_all(data: BackOffice) -> None:
    customer, line = _find(data, GOLDEN.eligible)
    roles = plan_roles()
    promos = [p for p in data.plans if roles[p.plan_id] == "promo"]
    ok = [p for p in promos if not admits(p.rules, line, customer, "with_device") and p.with_device]
    plain = [p for p in promos if not admits(p.rules, line, customer, "plain")]
    assert len(ok) >= 3 and len(plain) >= 3
    assert len(ok) + len(plain) < len(promos) * 2


def test_debt(data: BackOffice) -> None:
    _, line = _find(data, GOLDEN.debt)
    assert line.outstanding_balance > 0 and not line.is_blacklisted
    assert 0 < (line.contract_end - data.today).days <= 60


def test_blacklisted(data: BackOffice) -> None:
    _, line = _find(data, GOLDEN.blacklisted)
    assert line.is_blacklisted and line.outstanding_balance == 0
    assert line.credit_grade in "AB" and line.status == "active"  # blacklisting is the only reason
    assert 0 < (line.contract_end - data.today).days <= 60


def test_far_expiry(data: BackOffice) -> None:
    _, line = _find(data, GOLDEN.far_expiry)
    assert _clean(line) and line.credit_grade == "A"
    assert (line.contract_end - data.today).days == 200


def test_not_customer(data: BackOffice) -> None:
    assert GOLDEN.not_customer not in {c.id_number for c in data.customers}


def test_student_qualifies_for_the_student_promotion(data: BackOffice) -> None:
    customer, line = _find(data, GOLDEN.student)
    assert customer.identities == ["student"]
    assert months_between(customer.birth_date, data.today) // 12 == 20
    assert _clean(line) and 0 < (line.contract_end - data.today).days <= 60
    plan = next(p for p in data.plans if p.plan_id == GOLDEN.student_plan_id)
    assert plan.rules.required_identity == "student" and plan.plan_type == "student"
    assert plan.valid_from <= data.today <= plan.valid_to
    assert admits(plan.rules, line, customer, "plain") == []
    assert admits(plan.rules, line, customer, "with_device") == []
    other, other_line = _find(data, GOLDEN.eligible)
    assert admits(plan.rules, other_line, other, "plain") == ["identity"]


def test_golden_stock(data: BackOffice) -> None:
    stock = {(s.store_id, s.device_id, s.color): s.quantity for s in data.stock}
    devices = {d.device_id: d for d in data.devices}
    for item in GOLDEN.stock:
        assert item.store_id == GOLDEN.store_id
        assert stock[(item.store_id, item.device_id, item.color)] == item.quantity
    assert devices[GOLDEN.device.device_id].model == "iPhone 17 Pro"
    assert devices[GOLDEN.device.device_id].os_type == "ios"
    assert devices[GOLDEN.android_device.device_id].model == "Galaxy S25 Ultra"
    assert GOLDEN.last_unit.quantity == 1 and GOLDEN.sold_out.quantity == 0


def test_generated_customers_never_take_golden_numbers() -> None:
    for seed in range(5):
        data = generate(seed, date(2026, 11, 21))
        ids = [c.id_number for c in data.customers]
        phones = [line.phone_number for line in data.lines]
        assert len(set(ids)) == len(ids) and len(set(phones)) == len(phones)
        assert GOLDEN.not_customer not in ids
