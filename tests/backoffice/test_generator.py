"""The generated back office: deterministic, big enough, consistent and realistically mixed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from core.national_id import is_valid
from mcp_servers.backoffice.datemath import add_months, add_years, months_between
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.plan_builder import plan_roles
from mcp_servers.backoffice.records import BackOffice
from mcp_servers.backoffice.store import data_hash
from tests.backoffice.conftest import SEED, TODAY, admits

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters that exist only in Simplified Chinese: none may appear in zh-TW text.
_SIMPLIFIED = set("门网费约话机时们为这说发无经现单优号码户额级续价赠钟银龄军学员业带务选联讯频视")


def test_same_seed_and_day_give_identical_data(backoffice: BackOffice) -> None:
    again = generate(SEED, TODAY)
    assert again == backoffice
    assert data_hash(again) == data_hash(backoffice)


def test_another_seed_or_day_gives_other_data(backoffice: BackOffice) -> None:
    other = generate(SEED + 1, TODAY)
    assert other.customers != backoffice.customers
    assert data_hash(other) != data_hash(backoffice)
    assert data_hash(generate(SEED, date(2026, 11, 22))) != data_hash(backoffice)


def test_catalogues_do_not_depend_on_the_seed(backoffice: BackOffice) -> None:
    other = generate(7, TODAY)
    assert other.plans == backoffice.plans
    assert other.devices == backoffice.devices
    assert other.stores == backoffice.stores


def test_counts(backoffice: BackOffice) -> None:
    assert len(backoffice.stores) >= 5
    assert len(backoffice.customers) >= 200
    assert len(backoffice.lines) >= 400
    assert len(backoffice.devices) >= 40
    assert len(backoffice.plans) >= 60
    cities = {s.city for s in backoffice.stores}
    assert {"台北市", "新北市", "台中市", "台南市", "高雄市"} <= cities


def test_ids_follow_their_formats(backoffice: BackOffice) -> None:
    assert [s.store_id for s in backoffice.stores][:2] == ["S001", "S002"]
    assert all(re.fullmatch(r"P\d{3}", p.plan_id) for p in backoffice.plans)
    assert all(re.fullmatch(r"D\d{3}", d.device_id) for d in backoffice.devices)
    assert all(re.fullmatch(r"C\d{6}", c.customer_id) for c in backoffice.customers)
    assert all(re.fullmatch(r"09\d{8}", line.phone_number) for line in backoffice.lines)


def test_national_ids_are_valid_and_unique(backoffice: BackOffice) -> None:
    ids = [c.id_number for c in backoffice.customers]
    assert all(is_valid(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len({c.customer_id for c in backoffice.customers}) == len(ids)
    for customer in backoffice.customers:  # second character encodes sex: 1 or 2
        assert customer.id_number[1] in "12"


def test_phone_numbers_are_unique(backoffice: BackOffice) -> None:
    numbers = [line.phone_number for line in backoffice.lines]
    assert len(set(numbers)) == len(numbers)


def test_referential_integrity(backoffice: BackOffice) -> None:
    customers = {c.customer_id: c for c in backoffice.customers}
    plans = {p.plan_id: p for p in backoffice.plans}
    devices = {d.device_id: d for d in backoffice.devices}
    stores = {s.store_id for s in backoffice.stores}
    lines_of = Counter(line.customer_id for line in backoffice.lines)
    assert set(lines_of) == set(customers)  # every customer has a line, every line an owner
    for line in backoffice.lines:
        plan = plans[line.plan_id]
        assert (line.plan_name, line.plan_type, line.monthly_fee) == (
            plan.name,
            plan.plan_type,
            plan.monthly_fee,
        )
        assert (line.data_limit_gb, line.voice_limit_min) == (plan.data_gb, plan.voice_minutes)
        assert plan.contract_months > 0
        # the contract runs the plan's months; end dates near a month end may clamp by <= 3 days
        assert months_between(line.contract_start, line.contract_end) == plan.contract_months
        slack = line.contract_end - add_months(line.contract_start, plan.contract_months)
        assert 0 <= slack.days <= 3
    for customer in backoffice.customers:
        assert customer.phone_contact in {
            line.phone_number
            for line in backoffice.lines
            if line.customer_id == customer.customer_id
        }
    for item in backoffice.stock:
        assert item.store_id in stores
        assert item.color in devices[item.device_id].colors
    keys = [(s.store_id, s.device_id, s.color) for s in backoffice.stock]
    assert len(set(keys)) == len(keys)


def test_lines_sit_on_tariffs_not_on_promotions(backoffice: BackOffice) -> None:
    roles = plan_roles()
    assert {roles[line.plan_id] for line in backoffice.lines} <= {"tariff", "legacy"}
    assert "legacy" in {roles[line.plan_id] for line in backoffice.lines}


def test_dates_are_consistent(backoffice: BackOffice) -> None:
    customers = {c.customer_id: c for c in backoffice.customers}
    for line in backoffice.lines:
        customer = customers[line.customer_id]
        assert line.contract_start <= TODAY
        assert customer.registered_at <= line.contract_start
        assert add_years(customer.birth_date, 15) <= line.contract_start
        # tenure counts from the day the line was opened, at least since this contract began
        assert line.tenure_months >= months_between(line.contract_start, TODAY)
        assert line.tenure_months <= months_between(customer.registered_at, TODAY)


def test_identities_match_ages(backoffice: BackOffice) -> None:
    kinds = Counter(i for c in backoffice.customers for i in c.identities)
    assert {"student", "senior", "military_civil", "company"} <= set(kinds)
    for customer in backoffice.customers:
        age = months_between(customer.birth_date, TODAY) // 12
        if "student" in customer.identities:
            assert 16 <= age <= 24
        if "senior" in customer.identities:
            assert age >= 65
        assert customer.is_company == ("company" in customer.identities)
        assert "@" in customer.email and _CJK.search(customer.name)


def test_contract_windows_and_account_states_are_mixed(backoffice: BackOffice) -> None:
    lines = backoffice.lines
    days = [(line.contract_end - TODAY).days for line in lines]
    soon = sum(0 <= d <= 60 for d in days) / len(lines)
    assert 0.28 <= soon <= 0.45
    assert sum(d < 0 for d in days) > 10  # month-to-month after the contract ended
    assert sum(d > 60 for d in days) > len(lines) * 0.4
    debt = sum(line.outstanding_balance > 0 for line in lines) / len(lines)
    assert 0.05 <= debt <= 0.16
    blacklisted = sum(line.is_blacklisted for line in lines)
    assert 3 <= blacklisted <= len(lines) * 0.07
    grades = Counter(line.credit_grade for line in lines)
    assert set(grades) == {"A", "B", "C", "D"}
    assert grades["A"] + grades["B"] > len(lines) * 0.65
    assert any(line.data_limit_gb is None for line in lines)
    assert any(line.voice_limit_min is None for line in lines)
    assert {line.status for line in lines} == {"active", "suspended"}


def test_usage_is_plausible(backoffice: BackOffice) -> None:
    for line in backoffice.lines:
        assert line.data_used_gb >= 0 and line.voice_used_min >= 0
        if line.data_limit_gb is not None:
            assert line.data_used_gb <= line.data_limit_gb * 1.3
        assert line.last_bill_amount >= line.monthly_fee


def test_promotion_eligibility_is_mixed(backoffice: BackOffice) -> None:
    """Each promotion admits some soon-to-renew lines but not all of them."""
    customers = {c.customer_id: c for c in backoffice.customers}
    roles = plan_roles()
    promos = [p for p in backoffice.plans if roles[p.plan_id] == "promo"]
    soon = [line for line in backoffice.lines if 0 <= (line.contract_end - TODAY).days <= 60]
    for promo in promos:
        renewal = "with_device" if promo.with_device else "plain"
        admitted = [
            line
            for line in soon
            if not admits(promo.rules, line, customers[line.customer_id], renewal)
        ]
        assert 0 < len(admitted) < len(soon), promo.plan_id


def test_plans_have_zh_tw_texts(backoffice: BackOffice) -> None:
    types = Counter(p.plan_type for p in backoffice.plans)
    assert set(types) == {"4G", "5G", "data_only", "senior", "student", "business"}
    assert {p.contract_months for p in backoffice.plans} == {0, 24, 30, 36}
    descriptions = [p.description for p in backoffice.plans]
    assert len(set(descriptions)) == len(descriptions)
    corpus = "".join(descriptions)
    for word in (
        "吃到飽",
        "不限速",
        "無限",
        "網內互打免費",
        "光世代",
        "光纖",
        "學生",
        "軍公教",
        "銀髮",
        "長青",
        "家庭",
        "親子",
        "企業",
    ):
        assert word in corpus, word
    for plan in backoffice.plans:
        texts = [plan.name, plan.description, plan.target_customers, *plan.gifts, *plan.tags]
        assert all(t.strip() for t in texts), plan.plan_id
        assert _CJK.search(plan.description) and _CJK.search(plan.target_customers)
        assert not _SIMPLIFIED & set("".join(texts)), plan.plan_id
        assert plan.tags and plan.valid_from < plan.valid_to
        assert plan.with_device or plan.device_discount == 0
        assert (plan.contract_months == 0) == (plan.early_termination_fee == 0)
    assert any(p.speed_limit_after_mbps for p in backoffice.plans)
    assert any(p.rules.required_identity == "student" for p in backoffice.plans)


def test_devices_are_a_realistic_catalogue(backoffice: BackOffice) -> None:
    devices = backoffice.devices
    assert {d.device_type for d in devices} == {"smartphone", "tablet", "wearable"}
    assert {d.os_type for d in devices} == {"ios", "android"}
    assert {"Apple", "Samsung", "Google", "Sony", "ASUS", "OPPO", "Xiaomi"} <= {
        d.brand for d in devices
    }
    assert any(d.is_recommended for d in devices) and not all(d.is_recommended for d in devices)
    for device in devices:
        prices = device.contract_prices
        assert set(prices) == {24, 30, 36}
        assert device.retail_price > prices[24] > prices[30] > prices[36] >= 0
        assert {"螢幕", "處理器", "電池"} <= set(device.specs)
        assert device.colors and all(_CJK.search(c) for c in device.colors)
        assert not _SIMPLIFIED & set("".join(device.colors) + "".join(device.specs.values()))


def test_stock_has_empty_and_single_unit_rows(backoffice: BackOffice) -> None:
    quantities = Counter(item.quantity for item in backoffice.stock)
    assert quantities[0] > 0 and quantities[1] > 0
    assert any(q >= 5 for q in quantities)
