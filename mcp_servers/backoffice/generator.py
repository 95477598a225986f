"""Deterministic demo data for the CRM, POS and Promotion systems.

`generate(seed, today)` returns the same BackOffice for the same arguments on every machine: all
randomness comes from `random.Random` instances seeded from `seed` (one stream per concern, so
adding a device does not reshuffle the customers), and only ordered containers are iterated.
Contract dates are relative to `today`, so the renewal windows always have a realistic mix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from core.national_id import with_checksum
from mcp_servers.backoffice import catalog_people as people
from mcp_servers.backoffice.catalog_devices import build_devices
from mcp_servers.backoffice.datemath import add_months, add_years, months_between
from mcp_servers.backoffice.golden import (
    RESERVED_NATIONAL_IDS,
    RESERVED_PHONES,
    apply_golden_stock,
    golden_customers,
    golden_lines,
)
from mcp_servers.backoffice.plan_builder import build_plans, plan_roles
from mcp_servers.backoffice.records import (
    BackOffice,
    CreditGrade,
    Customer,
    Device,
    Identity,
    PhoneLine,
    Plan,
    StockItem,
    Store,
)

CUSTOMER_COUNT = 260
_GRADES: tuple[CreditGrade, ...] = ("A", "B", "C", "D")
_GRADE_WEIGHTS = (55, 28, 11, 6)
_EARLIEST_LINE = date(1997, 7, 1)  # the operator's network launch


def _rng(seed: int, stream: str) -> random.Random:
    # str seeds are hashed with SHA-512 by `random`, independent of PYTHONHASHSEED.
    return random.Random(f"{seed}:{stream}")


def build_stores() -> list[Store]:
    """The store list (S001...); fixed, the golden journey runs in S001."""
    return [
        Store(store_id=f"S{i:03d}", name=s.name, city=s.city, address=s.address, phone=s.phone)
        for i, s in enumerate(people.STORES, start=1)
    ]


@dataclass
class _Person:
    """What the line generator needs to know about a customer."""

    customer: Customer
    kind: str  # company / student / senior / adult
    earliest_line: date  # no contract before this day (age 15, or 22 for a company owner)
    grade: CreditGrade
    blacklisted: bool
    line_count: int


class _PlanPools:
    """Tariffs a line can sit on, grouped by who typically holds them, weighted by popularity."""

    _FEE_WEIGHT: ClassVar[dict[int, int]] = {
        299: 5, 399: 7, 499: 11, 599: 12, 699: 8, 799: 10, 999: 12, 1199: 10, 1399: 9, 1599: 5,
        1999: 3,
    }  # fmt: skip

    def __init__(self, plans: list[Plan]) -> None:
        roles = plan_roles()
        self.by_id = {p.plan_id: p for p in plans}
        held = [p for p in plans if roles[p.plan_id] in ("tariff", "legacy")]
        self.legacy = {p.plan_id for p in plans if roles[p.plan_id] == "legacy"}
        self.general = [p for p in held if p.plan_type in ("4G", "5G")]
        self.tariffs = [p for p in self.general if p.plan_id not in self.legacy]
        self.pools: dict[str, list[Plan]] = {
            "general": self.general,
            "light": [p for p in self.general if p.monthly_fee <= 799],
            "senior_light": [p for p in self.general if p.monthly_fee <= 599],
            "data": [p for p in held if p.plan_type == "data_only"],
            "student": [p for p in held if p.plan_type == "student"],
            "senior": [p for p in held if p.plan_type == "senior"],
            "business": [p for p in held if p.plan_type == "business"],
        }

    def pick(self, rng: random.Random, pool: str) -> Plan:
        plans = self.pools[pool]
        weights = [self._FEE_WEIGHT.get(p.monthly_fee, 4) for p in plans]
        return rng.choices(plans, weights)[0]

    def current_equivalent(self, plan: Plan) -> Plan:
        """The tariff still on sale closest to a legacy plan (same network, nearest fee)."""
        same = [p for p in self.tariffs if p.plan_type == plan.plan_type] or self.tariffs
        return min(same, key=lambda p: (abs(p.monthly_fee - plan.monthly_fee), p.plan_id))


def _pool_for(person: _Person, index: int, rng: random.Random) -> str:
    if person.kind == "company":
        return "data" if rng.random() < 0.15 else "business"
    if index > 0 and rng.random() < 0.18:
        return "data"  # a second line for a tablet or a Wi-Fi router
    if person.kind == "student":
        return "student" if rng.random() < 0.65 else "light"
    if person.kind == "senior":
        return "senior" if rng.random() < 0.65 else "senior_light"
    return "general"


def _national_id(rng: random.Random, letter: str, sex_digit: str, used: set[str]) -> str:
    while True:
        candidate = with_checksum(f"{letter}{sex_digit}{rng.randrange(10**7):07d}")
        if candidate not in used and candidate not in RESERVED_NATIONAL_IDS:
            used.add(candidate)
            return candidate


def _address(rng: random.Random, city: people.City) -> str:
    number = rng.randint(1, 420)
    floor = f"{rng.randint(2, 15)}樓" if rng.random() < 0.6 else ""
    lane = f"{rng.randint(2, 180)}巷" if rng.random() < 0.25 else ""
    return (
        f"{city.name}{rng.choice(city.districts)}{rng.choice(city.streets)}{lane}{number}號{floor}"
    )


def _birth_date(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    youngest = add_years(today, -min_age)
    oldest = add_years(today, -max_age - 1) + timedelta(days=1)
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))


def _make_person(
    rng: random.Random, today: date, number: int, used_ids: set[str], used_mail: set[str]
) -> _Person:
    city = rng.choices(people.CITIES, [c.weight for c in people.CITIES])[0]
    roll = rng.random()
    identities: list[Identity] = []
    if roll < 0.04:
        kind, birth = "company", _birth_date(rng, today, 32, 66)
        identities.append("company")
        index = rng.randrange(len(people.COMPANY_PREFIXES))
        name = (
            people.COMPANY_PREFIXES[index]
            + rng.choice(people.COMPANY_INDUSTRIES)
            + rng.choice(people.COMPANY_SUFFIXES)
        )
        email = f"service@{people.COMPANY_SLUGS[index]}.com.tw"
        if email in used_mail:
            email = f"service{number}@{people.COMPANY_SLUGS[index]}.com.tw"
        sex = rng.choice(("1", "2"))
    else:
        if roll < 0.14:
            kind, birth = "student", _birth_date(rng, today, 16, 24)
            identities.append("student")
        elif roll < 0.26:
            kind, birth = "senior", _birth_date(rng, today, 65, 88)
            identities.append("senior")
        else:
            kind, birth = "adult", _birth_date(rng, today, 25, 64)
            if rng.random() < 0.09:
                identities.append("military_civil")
        sex = rng.choice(("1", "2"))
        generation = "old" if birth.year < 1965 else "mid" if birth.year < 1990 else "young"
        surname = rng.choices(people.SURNAMES, [s.weight for s in people.SURNAMES])[0]
        gender = "male" if sex == "1" else "female"
        name = surname.char + rng.choice(people.GIVEN_NAMES[(gender, generation)])
        domain = rng.choices(people.EMAIL_DOMAINS, [w for _, w in people.EMAIL_DOMAINS])[0][0]
        while True:
            if rng.random() < 0.5:
                handle = f"{rng.choice(people.ENGLISH_NAMES)}.{surname.roman}"
            else:
                handle = f"{surname.roman}{birth.year % 100:02d}"
            email = f"{handle}{rng.randint(1, 999)}@{domain}"
            if email not in used_mail:
                break
    used_mail.add(email)
    grade = rng.choices(_GRADES, _GRADE_WEIGHTS)[0]
    blacklisted = rng.random() < 0.04
    if blacklisted:
        grade = rng.choice(("C", "D"))
    if kind == "company":
        line_count = rng.randint(3, 7)
    else:
        line_count = rng.choices((1, 2, 3, 4), (45, 33, 14, 8))[0]
    customer = Customer(
        customer_id=f"C{number:06d}",
        id_number=_national_id(rng, city.id_letter, sex, used_ids),
        name=name,
        phone_contact="",  # the first line's number, filled in once lines exist
        email=email,
        is_company=kind == "company",
        identities=identities,
        birth_date=birth,
        registered_at=today,  # the first line's opening day, filled in below
        address=_address(rng, city),
    )
    adult_age = 22 if kind == "company" else 15
    earliest = max(add_years(birth, adult_age), _EARLIEST_LINE)
    return _Person(customer, kind, earliest, grade, blacklisted, line_count)


def _phone_number(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"{rng.choice(people.MOBILE_PREFIXES)}{rng.randrange(10**6):06d}"
        if number not in used and number not in RESERVED_PHONES:
            used.add(number)
            return number


def _contract_dates(
    rng: random.Random, today: date, months: int, earliest: date
) -> tuple[date, date]:
    """~35% end within 60 days, ~12% already ended (month-to-month), the rest later."""
    window = rng.choices(("soon", "expired", "later"), (35, 12, 53))[0]
    if window == "soon":
        end = today + timedelta(days=rng.randint(1, 60))
    elif window == "expired":
        end = today - timedelta(days=rng.randint(1, 700))
    else:
        end = today + timedelta(days=rng.randint(61, months * 30 - 15))
    start = add_months(end, -months)
    if start < earliest:  # too young for this contract: it started when they could sign
        start = earliest + timedelta(days=rng.randint(0, 90))
        end = add_months(start, months)
    return start, end


def _usage(rng: random.Random, plan: Plan) -> tuple[float, int]:
    if plan.data_gb is None:
        data = min(400.0, rng.lognormvariate(3.3, 0.8))
    else:
        ceiling = 1.3 if plan.speed_limit_after_mbps else 1.0
        data = min(plan.data_gb * ceiling, plan.data_gb * rng.betavariate(2.0, 2.2) * 1.15)
    if plan.voice_minutes is None:
        voice = int(rng.lognormvariate(5.5, 0.9))
    else:
        voice = int(plan.voice_minutes * rng.betavariate(1.6, 2.4) * 1.1)
    return round(data, 1), voice


def _make_line(
    rng: random.Random, today: date, person: _Person, index: int, pools: _PlanPools,
    used_phones: set[str],
) -> tuple[PhoneLine, date]:  # fmt: skip
    plan = pools.pick(rng, _pool_for(person, index, rng))
    start, end = _contract_dates(rng, today, plan.contract_months, person.earliest_line)
    if plan.plan_id in pools.legacy and start > plan.valid_to:
        plan = pools.current_equivalent(plan)  # the old plan was off sale when they signed
        start, end = _contract_dates(rng, today, plan.contract_months, person.earliest_line)
    opened = start
    for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 20, 15))[0]):
        opened = add_months(opened, -rng.choice((24, 30, 36)))
    opened = max(opened, person.earliest_line)
    data_used, voice_used = _usage(rng, plan)
    last_bill = plan.monthly_fee + (rng.randint(1, 35) * 10 if rng.random() < 0.3 else 0)
    outstanding = 0
    grade = person.grade
    if rng.random() < (0.6 if person.blacklisted else 0.095):
        outstanding = last_bill * rng.choice((1, 1, 2, 3)) - rng.choice((0, 0, 0, 200))
        if grade == "A" and rng.random() < 0.5:
            grade = "B"
    suspended = (person.blacklisted and rng.random() < 0.5) or (
        outstanding >= 3 * plan.monthly_fee and rng.random() < 0.5
    )
    line = PhoneLine(
        phone_number=_phone_number(rng, used_phones),
        customer_id=person.customer.customer_id,
        plan_id=plan.plan_id,
        plan_name=plan.name,
        plan_type=plan.plan_type,
        monthly_fee=plan.monthly_fee,
        contract_start=start,
        contract_end=end,
        data_used_gb=data_used,
        data_limit_gb=plan.data_gb,
        voice_used_min=voice_used,
        voice_limit_min=plan.voice_minutes,
        outstanding_balance=max(0, outstanding),
        last_bill_amount=last_bill,
        is_blacklisted=person.blacklisted,
        credit_grade=grade,
        tenure_months=months_between(opened, today),
        status="suspended" if suspended else "active",
    )
    return line, opened


def _customers_and_lines(
    seed: int, today: date, plans: list[Plan]
) -> tuple[list[Customer], list[PhoneLine]]:
    rng = _rng(seed, "crm")
    pools = _PlanPools(plans)
    used_ids: set[str] = set()
    used_mail: set[str] = set()
    used_phones: set[str] = set()
    customers: list[Customer] = []
    lines: list[PhoneLine] = []
    for number in range(1, CUSTOMER_COUNT + 1):
        person = _make_person(rng, today, number, used_ids, used_mail)
        own: list[tuple[PhoneLine, date]] = [
            _make_line(rng, today, person, i, pools, used_phones) for i in range(person.line_count)
        ]
        first_opened = min(opened for _, opened in own)
        registered = max(person.earliest_line, first_opened - timedelta(days=rng.randint(0, 120)))
        customers.append(
            person.customer.model_copy(
                update={"phone_contact": own[0][0].phone_number, "registered_at": registered}
            )
        )
        lines.extend(line for line, _ in own)
    return customers, lines


def _stock(seed: int, stores: list[Store], devices: list[Device]) -> list[StockItem]:
    """A row for every store x device x colour: ~15% sold out, ~10% with a single unit."""
    rng = _rng(seed, "pos")
    stock = []
    for store in stores:
        for device in devices:
            for color in device.colors:
                band = rng.choices(("zero", "one", "few", "many"), (15, 10, 45, 30))[0]
                quantity = {"zero": 0, "one": 1, "few": rng.randint(2, 5)}.get(band)
                if quantity is None:
                    quantity = rng.randint(6, 15)
                stock.append(
                    StockItem(
                        store_id=store.store_id,
                        device_id=device.device_id,
                        color=color,
                        quantity=quantity,
                    )
                )
    return apply_golden_stock(stock)


def generate(seed: int, today: date) -> BackOffice:
    """The whole demo back office for `seed`, with contract windows relative to `today`."""
    plans = build_plans(today)
    stores = build_stores()
    devices = build_devices()
    customers, lines = _customers_and_lines(seed, today, plans)
    customers.extend(golden_customers(today))
    lines.extend(golden_lines(today, {p.plan_id: p for p in plans}))
    return BackOffice(
        seed=seed,
        today=today,
        stores=stores,
        customers=customers,
        lines=lines,
        devices=devices,
        stock=_stock(seed, stores, devices),
        plans=plans,
    )
