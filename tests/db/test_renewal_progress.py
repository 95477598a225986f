"""The renewal graph's progress writes (`SqlRenewalRecords`) commit on SQLite and PostgreSQL.

`progressed` runs its one UPDATE in autocommit; these tests read it back from another session,
so a write left inside an uncommitted transaction (and rolled back at close) would fail them.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import session_factory
from core.db.models import RenewalRecord, RenewalStatus, User
from core.db.repositories import RenewalRecordRepository
from graphs.renewal.records import SqlRenewalRecords
from tests.db.conftest import Backend


async def _record(backend: Backend, session_id: str) -> RenewalRecord | None:
    async with AsyncSession(backend.engine) as db:
        query = sa.select(RenewalRecord).where(RenewalRecord.session_id == session_id)
        return await db.scalar(query)


async def test_progress_is_committed_and_a_finished_renewal_is_left_alone(
    backend: Backend,
) -> None:
    session_id = f"renewal_test_{uuid.uuid4().hex[:12]}"
    sessions = session_factory(backend.engine)
    async with sessions.begin() as db:
        staff = await db.scalar(sa.select(User).where(User.username == "E1001"))
        assert staff is not None
        await RenewalRecordRepository(db).create(
            session_id, staff_id=staff.id, store_id="S001", current_step="query_customer"
        )
    records = SqlRenewalRecords(sessions)
    try:
        chosen = {"selected_phone": "0912345678", "renewal_type": "single", "device_type": None}
        await records.progressed(session_id, "list_plans", chosen)
        row = await _record(backend, session_id)
        assert row is not None
        assert (row.current_step, row.phone_number) == ("list_plans", "0912345678")
        assert row.selections == {"selected_phone": "0912345678", "renewal_type": "single"}

        await records.abandoned(session_id, "customer left")
        await records.progressed(session_id, "select_plan", chosen)  # finished: a no-op
        row = await _record(backend, session_id)
        assert row is not None
        assert (row.status, row.current_step) == (RenewalStatus.ABANDONED.value, "list_plans")
        await records.progressed("renewal_unknown_000000000000", "select_plan", chosen)  # no row
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id == session_id))
