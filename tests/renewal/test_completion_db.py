"""Submit's rows, on SQLite and PostgreSQL: `SqlRenewalRecords.completed` (issue 24's Core path).

A sale is the record completed with the journey's selections merged in, one audit entry
(in_progress -> completed, by the staff member, `submitted`) and one service-log line; a replayed
submit (a resume after a crash) returns the same id and writes nothing more; an abandoned renewal
refuses; a session the database never saw (Studio, evals) is 0.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from core.db.engine import session_factory
from core.db.models import AuditEntry, CustomerServiceLog, RenewalRecord, User
from core.db.repositories import RenewalRecordRepository
from core.errors import Conflict
from graphs.renewal.records import SqlRenewalRecords
from tests.db.conftest import Backend, backend, sqlite_dir  # noqa: F401 (fixtures)

SALE = {"plan": {"plan_id": "P035"}, "device": {"device_id": "D001"}, "reservation": "R-1"}


async def _rows(sessions, session_id: str):  # type: ignore[no-untyped-def]
    async with sessions() as db:
        record = (
            await db.scalars(sa.select(RenewalRecord).where(RenewalRecord.session_id == session_id))
        ).one()
        trail = (
            await db.execute(
                sa.select(AuditEntry.status_from, AuditEntry.status_to, AuditEntry.operator,
                          AuditEntry.reason, AuditEntry.detail)
                .where(AuditEntry.entity_type == "renewal", AuditEntry.entity_id == session_id)
            )
        ).tuples().all()  # fmt: skip
        logs = (
            await db.execute(
                sa.select(CustomerServiceLog.action, CustomerServiceLog.staff_id,
                          CustomerServiceLog.store_id, CustomerServiceLog.customer_ref,
                          CustomerServiceLog.detail)
                .where(CustomerServiceLog.session_id == session_id)
            )
        ).tuples().all()  # fmt: skip
    return record, trail, logs


async def test_a_sale_writes_the_record_its_audit_entry_and_one_service_log(
    backend: Backend,  # noqa: F811
) -> None:
    sessions = session_factory(backend.engine)
    records = SqlRenewalRecords(sessions)
    async with sessions() as db:
        staff_id = (await db.execute(sa.select(User.id).where(User.username == "E1001"))).scalar()
    session_id, untracked = f"renewal_test_{uuid.uuid4().hex[:12]}", "renewal_never_saved"
    abandoned = f"renewal_test_{uuid.uuid4().hex[:12]}"
    try:
        for sid in (session_id, abandoned):
            async with sessions.begin() as db:
                await RenewalRecordRepository(db).create(
                    sid, staff_id=staff_id, store_id="S001", current_step="confirm",
                    selections={"selected_phone": "0912345678", "plan": {"plan_id": "OLD"}},
                )  # fmt: skip
        await records.progressed(session_id, "confirm", {"selected_phone": "0912345678"},
                                 {"customer_id": "C900001", "id_number": "A12****789"})  # fmt: skip

        record_id = await records.completed(session_id, SALE)
        again = await records.completed(session_id, {"plan": {"plan_id": "OTHER"}})

        record, trail, logs = await _rows(sessions, session_id)
        assert record_id == again == record.id > 0
        assert (record.status, record.current_step, record.is_sale_confirmed) == (
            "completed", "completed", True,
        )  # fmt: skip
        assert record.completed_at is not None
        assert record.selections == {"selected_phone": "0912345678", **SALE}
        assert trail == [("in_progress", "completed", str(staff_id), "submitted",
                          {"sale_confirmed": True})]  # fmt: skip
        assert logs == [("renewal_submitted", staff_id, "S001", "C900001", SALE)]

        await records.abandoned(abandoned, "customer left")
        with pytest.raises(Conflict):
            await records.completed(abandoned, SALE)
        record, trail, logs = await _rows(sessions, abandoned)
        assert (record.status, record.is_sale_confirmed, logs) == ("abandoned", False, [])
        assert [t[1] for t in trail] == ["abandoned"]

        assert await records.completed(untracked, SALE) == 0
    finally:
        async with sessions.begin() as db:
            ids = [session_id, abandoned]
            await db.execute(sa.delete(AuditEntry).where(AuditEntry.entity_id.in_(ids)))
            await db.execute(
                sa.delete(CustomerServiceLog).where(CustomerServiceLog.session_id.in_(ids))
            )
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id.in_(ids)))
