"""The golden set: hand-written customers with stable ids that tests and the README rely on.

Whatever the seed, `generate()` merges these records in; their contract dates are relative to
`today`, so "ends in 30 days" holds on any day the data is generated. The generator never hands
out these national IDs or phone numbers to random customers.

    eligible     renews fine: 5G 1399, ends in 30 days, grade A, no debt, 6+ years tenure
    debt         ends in 20 days but owes NT$1,498
    blacklisted  ends in 15 days, blacklisted (no debt, grade B: that is the only reason)
    far_expiry   clean, but the contract ends in 200 days (outside the 60-day window)
    student      student, ends in 45 days, qualifies for the student promotion P041
    not_customer a valid national ID that is nobody's
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mcp_servers.backoffice.catalog_plans import PLANS
from mcp_servers.backoffice.datemath import add_months, add_years, months_between
from mcp_servers.backoffice.records import (
    CreditGrade,
    Customer,
    Identity,
    PhoneLine,
    Plan,
    StockItem,
)


@dataclass(frozen=True)
class GoldenCustomer:
    customer_id: str
    national_id: str
    name: str
    phone: str  # the line this scenario is about
    plan_id: str  # that line's current plan
    days_to_contract_end: int


@dataclass(frozen=True)
class GoldenStock:
    store_id: str
    device_id: str
    color: str
    quantity: int


@dataclass(frozen=True)
class GoldenSet:
    eligible: GoldenCustomer
    eligible_second_phone: str  # a data-only line of the same customer, ends in 400 days
    debt: GoldenCustomer
    blacklisted: GoldenCustomer
    far_expiry: GoldenCustomer
    student: GoldenCustomer
    not_customer: str  # valid checksum, not in the CRM
    student_plan_id: str  # 學生 5G 599 青春吃到飽: requires identity student
    store_id: str  # the store of the README journey
    device: GoldenStock  # iPhone 17 Pro 256GB 宇宙橙色, 5 in stock
    android_device: GoldenStock  # Galaxy S25 Ultra 256GB 鈦灰色, 3 in stock
    last_unit: GoldenStock  # exactly one left: for reservation races
    sold_out: GoldenStock  # none left

    @property
    def customers(self) -> tuple[GoldenCustomer, ...]:
        return (self.eligible, self.debt, self.blacklisted, self.far_expiry, self.student)

    @property
    def stock(self) -> tuple[GoldenStock, ...]:
        return (self.device, self.android_device, self.last_unit, self.sold_out)


GOLDEN = GoldenSet(
    eligible=GoldenCustomer("C123456", "A123456789", "王大明", "0912345678", "P012", 30),
    eligible_second_phone="0912876543",
    debt=GoldenCustomer("C900002", "F224680133", "陳美玲", "0933222111", "P004", 20),
    blacklisted=GoldenCustomer("C900003", "E120597367", "林志強", "0955444333", "P010", 15),
    far_expiry=GoldenCustomer("C900004", "B227015483", "張淑芬", "0988200200", "P011", 200),
    student=GoldenCustomer("C900005", "H228053170", "李欣妤", "0970123456", "P020", 45),
    not_customer="Q122334456",
    student_plan_id="P041",
    store_id="S001",
    device=GoldenStock("S001", "D003", "宇宙橙色", 5),
    android_device=GoldenStock("S001", "D013", "鈦灰色", 3),
    last_unit=GoldenStock("S001", "D006", "霧藍色", 1),
    sold_out=GoldenStock("S001", "D001", "深藍色", 0),
)

RESERVED_NATIONAL_IDS: frozenset[str] = frozenset(
    [c.national_id for c in GOLDEN.customers] + [GOLDEN.not_customer]
)
RESERVED_PHONES: frozenset[str] = frozenset(
    [c.phone for c in GOLDEN.customers] + [GOLDEN.eligible_second_phone]
)


@dataclass(frozen=True)
class _LineSpec:
    case: GoldenCustomer
    phone: str
    plan_id: str
    days_to_end: int
    years_with_us: int
    data_used_gb: float
    voice_used_min: int
    last_bill: int
    outstanding: int = 0
    blacklisted: bool = False
    grade: CreditGrade = "A"


_LINES: tuple[_LineSpec, ...] = (
    _LineSpec(GOLDEN.eligible, GOLDEN.eligible.phone, "P012", 30, 6, 85.4, 320, 1399),
    _LineSpec(GOLDEN.eligible, GOLDEN.eligible_second_phone, "P016", 400, 2, 12.7, 0, 499),
    _LineSpec(GOLDEN.debt, GOLDEN.debt.phone, "P004", 20, 4, 18.2, 140, 749, 1498, grade="B"),
    _LineSpec(GOLDEN.blacklisted, GOLDEN.blacklisted.phone, "P010", 15, 3, 41.0, 260, 999,
              blacklisted=True, grade="B"),
    _LineSpec(GOLDEN.far_expiry, GOLDEN.far_expiry.phone, "P011", 200, 5, 63.5, 180, 1199),
    _LineSpec(GOLDEN.student, GOLDEN.student.phone, "P020", 45, 0, 16.9, 35, 399),
)  # fmt: skip


def golden_customers(today: date) -> list[Customer]:
    """The golden CRM records; the student's birth date keeps them 20 years old."""

    def person(
        case: GoldenCustomer, birth: date, email: str, address: str, *identities: Identity
    ) -> Customer:
        return Customer(
            customer_id=case.customer_id,
            id_number=case.national_id,
            name=case.name,
            phone_contact=case.phone,
            email=email,
            identities=list(identities),
            birth_date=birth,
            registered_at=_first_opened(case, today),
            address=address,
        )

    g = GOLDEN
    return [
        person(g.eligible, date(1984, 3, 14), "daming.wang84@gmail.com",
               "台北市信義區松仁路100號12樓"),
        person(g.debt, date(1979, 11, 2), "meiling.chen@yahoo.com.tw",
               "新北市板橋區中山路二段45號3樓"),
        person(g.blacklisted, date(1990, 6, 21), "jason.lin90@gmail.com",
               "高雄市左營區博愛二路350號"),
        person(g.far_expiry, date(1972, 1, 9), "shufen.chang@msa.hinet.net",
               "台中市西屯區台灣大道三段88號7樓"),
        person(g.student, add_years(today, -20) - timedelta(days=45), "xinyu.lee@gmail.com",
               "桃園市中壢區中正路210巷5號", "student"),
    ]  # fmt: skip


def _line_dates(spec: _LineSpec, months: int, today: date) -> tuple[date, date, date]:
    """Contract start/end and the day the line was opened (start minus whole years)."""
    end = today + timedelta(days=spec.days_to_end)
    start = add_months(end, -months)
    opened = add_years(start, -spec.years_with_us) if spec.years_with_us else start
    return start, end, opened


def _first_opened(case: GoldenCustomer, today: date) -> date:
    opened = []
    for spec in _LINES:
        if spec.case is case:
            months = PLANS[int(spec.plan_id[1:]) - 1].months
            opened.append(_line_dates(spec, months, today)[2])
    return min(opened)


def golden_lines(today: date, plans: dict[str, Plan]) -> list[PhoneLine]:
    """The golden phone lines, priced and limited by their current plan."""
    lines = []
    for spec in _LINES:
        plan = plans[spec.plan_id]
        start, end, opened = _line_dates(spec, plan.contract_months, today)
        lines.append(
            PhoneLine(
                phone_number=spec.phone,
                customer_id=spec.case.customer_id,
                plan_id=plan.plan_id,
                plan_name=plan.name,
                plan_type=plan.plan_type,
                monthly_fee=plan.monthly_fee,
                contract_start=start,
                contract_end=end,
                data_used_gb=spec.data_used_gb,
                data_limit_gb=plan.data_gb,
                voice_used_min=spec.voice_used_min,
                voice_limit_min=plan.voice_minutes,
                outstanding_balance=spec.outstanding,
                last_bill_amount=spec.last_bill,
                is_blacklisted=spec.blacklisted,
                credit_grade=spec.grade,
                tenure_months=months_between(opened, today),
            )
        )
    return lines


def apply_golden_stock(stock: list[StockItem]) -> list[StockItem]:
    """Pin the golden quantities; rows are (store, device, colour) and exist for every colour."""
    pinned = {(s.store_id, s.device_id, s.color): s.quantity for s in GOLDEN.stock}
    result = []
    for item in stock:
        key = (item.store_id, item.device_id, item.color)
        if key in pinned:
            item = item.model_copy(update={"quantity": pinned[key]})
        result.append(item)
    return result
