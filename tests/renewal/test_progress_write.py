"""The progress write of every renewal step takes one greenlet hop (issue 24, third pass).

The async engine makes a `greenlet_spawn` per call (checkout, statement, checkin: three, whose
switches were 40 % of the write's CPU); `SqlRenewalRecords.progressed` runs the three in one.
The row must still be written (autocommit), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.util import greenlet_spawn

import graphs.renewal.records as records_module
from core.db.engine import create_engine, session_factory
from core.db.models import RenewalRecord, User
from core.db.repositories import RenewalRecordRepository
from core.metrics import DB_ERRORS
from graphs.renewal.records import SqlRenewalRecords
from tests.db.conftest import Backend, backend, sqlite_dir  # noqa: F401 (fixtures)


async def test_a_progress_write_is_one_greenlet_hop_and_is_committed(
    backend: Backend,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions = session_factory(backend.engine)
    session_id = f"renewal_test_{uuid.uuid4().hex[:12]}"
    async with sessions.begin() as db:
        staff = await db.scalar(sa.select(User.id).where(User.username == "E1001"))
        assert staff is not None
        await RenewalRecordRepository(db).create(
            session_id, staff_id=staff, store_id="S001", current_step="query_customer"
        )
    hops = 0

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await greenlet_spawn(fn, *args, **kwargs)

    monkeypatch.setattr(records_module, "greenlet_spawn", counted)
    records = SqlRenewalRecords(sessions)
    try:
        chosen = {"selected_phone": "0912345678", "renewal_type": "single"}
        customer = {"customer_id": "C900009", "id_number": "A12****789"}
        await records.progressed(session_id, "select_device_type", chosen, customer)
        assert hops == 1
        async with sessions() as db:
            row = await db.scalar(
                sa.select(RenewalRecord).where(RenewalRecord.session_id == session_id)
            )
        assert row is not None
        assert (row.current_step, row.phone_number, row.customer_ref) == (
            "select_device_type",
            "0912345678",
            "C900009",
        )
        assert row.selections == chosen
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id == session_id))


async def test_a_progress_write_on_a_dropped_connection_fails_once_then_reconnects(
    backend: Backend,  # noqa: F811
) -> None:
    """A step's write on a connection the server closed (a restart, a firewall) fails once and is
    counted as a disconnect; the pool is invalidated, so the next step's write reconnects
    instead of failing too."""
    if backend.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    async with backend.engine.connect() as conn:
        search_path = await conn.scalar(sa.text("SHOW search_path"))
    engine = create_engine(
        url=backend.engine.url,
        pool_size=1,
        max_overflow=0,
        connect_args={"server_settings": {"search_path": str(search_path)}},
    )
    sessions = session_factory(engine)
    session_id = f"renewal_test_{uuid.uuid4().hex[:12]}"
    records = SqlRenewalRecords(sessions)
    disconnects = DB_ERRORS.labels("disconnect")
    try:
        async with sessions.begin() as db:
            staff = await db.scalar(sa.select(User.id).where(User.username == "E1001"))
            assert staff is not None
        assert await records.opened(
            session_id, staff_id=staff, store_id="S001", current_step="query_customer"
        )
        await records.progressed(session_id, "select_phone", {"renewal_type": "single"})
        async with engine.connect() as conn:  # the pool's one connection
            pid = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        async with backend.engine.connect() as admin:
            await admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        counted = disconnects._value.get()
        with pytest.raises(Exception):  # noqa: B017 - the driver's own error
            await records.progressed(session_id, "select_device_type", {"renewal_type": "x"})
        assert disconnects._value.get() == counted + 1
        await records.progressed(session_id, "select_device_type", {"renewal_type": "single"})
        async with sessions() as db:
            row = await db.scalar(
                sa.select(RenewalRecord).where(RenewalRecord.session_id == session_id)
            )
        assert row is not None
        assert (row.current_step, row.selections) == (
            "select_device_type",
            {"renewal_type": "single"},
        )
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id == session_id))
        await engine.dispose()
