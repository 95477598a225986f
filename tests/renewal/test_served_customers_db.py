"""Served customers from the renewal graph's progress writes, on SQLite and PostgreSQL (item 1).

`SqlRenewalRecords.progressed` gets step 1's customer; the statistics count a customer once per
staff member and day (seed 000 §3.4: 每日服務客戶數, 轉換率 = 銷售數 / 服務客戶數).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from core.db.engine import session_factory
from core.db.models import RenewalRecord, User
from core.db.repositories import RenewalRecordRepository
from core.db.repositories.stats import TAIPEI_OFFSET, StatsRepository
from graphs.renewal.records import SqlRenewalRecords
from tests.db.conftest import Backend, backend, sqlite_dir  # noqa: F401 (fixtures)

ALICE = {"customer_id": "C900001", "name": "王小華", "id_number": "A12****789"}
BOB = {"customer_id": "C900002", "name": "李大同", "id_number": "F22****133"}


async def test_a_customer_is_counted_once_per_staff_and_day(backend: Backend) -> None:  # noqa: F811
    sessions = session_factory(backend.engine)
    records = SqlRenewalRecords(sessions)
    async with sessions() as db:
        staff = dict((await db.execute(sa.select(User.username, User.id))).tuples().all())
    # (staff, customer, outcome): Alice twice with E1001 (one sale), Bob once, Alice with E1002
    plan = [("E1001", ALICE, "sale"), ("E1001", ALICE, "abandon"), ("E1001", BOB, None),
            ("E1002", ALICE, None)]  # fmt: skip
    ids = []
    try:
        for who, customer, outcome in plan:
            session_id = f"renewal_test_{uuid.uuid4().hex[:12]}"
            ids.append(session_id)
            async with sessions.begin() as db:
                await RenewalRecordRepository(db).create(
                    session_id, staff_id=staff[who], store_id="S001", current_step="query_customer"
                )
            await records.progressed(session_id, "select_phone", {}, customer)
            if outcome == "sale":
                await records.completed(session_id, {"plan": {"plan_id": "P035"}})
            elif outcome == "abandon":
                await records.abandoned(session_id, "customer left")

        async with sessions() as db:
            rows = await db.execute(
                sa.select(RenewalRecord.customer_ref, RenewalRecord.customer_id_masked).where(
                    RenewalRecord.session_id.in_(ids)
                )
            )
            assert {tuple(r) for r in rows} == {
                ("C900001", "A12****789"),
                ("C900002", "F22****133"),
            }
            day = (datetime.now(UTC) + TAIPEI_OFFSET).date()
            stats = {
                s.staff_id: s
                for s in await StatsRepository(db).daily_staff_stats(day, day, store_id="S001")
            }
        first, second = stats[staff["E1001"]], stats[staff["E1002"]]
        assert (first.customers_served, first.sessions_started, first.sales_confirmed) == (2, 3, 1)
        assert first.conversion_rate == 0.5
        assert (second.customers_served, second.sales_confirmed, second.conversion_rate) == (
            1,
            0,
            0,
        )
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id.in_(ids)))
