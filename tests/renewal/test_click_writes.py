"""Start's record and the comparison's usage row, written as Core statements in one greenlet
hop (issue 24, seventh pass), on SQLite and PostgreSQL: the rows the ORM sessions wrote before,
and start's refusal of a store that is not an active one, with nothing written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from langgraph.graph.state import CompiledStateGraph

from core.db.engine import session_factory
from core.db.models import AiUsageLog, RenewalRecord, Store, User
from core.errors import InvalidInput
from graphs.renewal.deps import NoRecords, RenewalDeps
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.graph import build_renewal_graph
from graphs.renewal.records import SqlRenewalRecords
from tests.db.conftest import Backend, backend, sqlite_dir  # noqa: F401 (fixtures)
from tools.llm.usage import SqlUsageSink, UsageRecord


async def _staff(backend: Backend) -> int:  # noqa: F811
    async with session_factory(backend.engine)() as db:
        staff = await db.scalar(sa.select(User.id).where(User.username == "E1001"))
    assert staff is not None
    return int(staff)


def _graph() -> CompiledStateGraph:
    """The renewal graph for `RenewalFlow` (opening a session runs nothing of it)."""
    deps = RenewalDeps(tools=None, records=NoRecords(), chat_model=None)  # type: ignore[arg-type]
    return build_renewal_graph(deps).compile()


async def test_start_writes_the_record_in_an_active_store_only(
    backend: Backend,  # noqa: F811
) -> None:
    sessions = session_factory(backend.engine)
    records = SqlRenewalRecords(sessions)
    staff = await _staff(backend)
    closed = f"X{uuid.uuid4().hex[:6]}"
    opened, refused = (f"renewal_test_{uuid.uuid4().hex[:12]}" for _ in range(2))
    async with sessions.begin() as db:
        db.add(Store(store_id=closed, name="已關閉門市", city="台北市", is_active=False))
    try:
        before = datetime.now(UTC)
        assert await records.opened(
            opened, staff_id=staff, store_id="S001", current_step="query_customer",
            active_store=True,
        )  # fmt: skip
        for store in (closed, "S999"):
            assert not await records.opened(
                refused,
                staff_id=staff,
                store_id=store,
                current_step="query_customer",
                active_store=True,
            )
        async with sessions() as db:
            rows = {
                r.session_id: r
                for r in await db.scalars(
                    sa.select(RenewalRecord).where(RenewalRecord.session_id.in_([opened, refused]))
                )
            }
        assert set(rows) == {opened}
        row = rows[opened]
        assert (row.staff_id, row.store_id, row.status, row.current_step, row.selections) == (
            staff, "S001", "in_progress", "query_customer", {},
        )  # fmt: skip
        assert row.is_sale_confirmed is False and row.started_at >= before.replace(microsecond=0)
        with pytest.raises(InvalidInput) as refusal:
            await RenewalFlow(_graph(), sessions).open(staff, closed, active_store=True)
        assert refusal.value.details.get("field") == "store_id"
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(RenewalRecord).where(RenewalRecord.session_id == opened))
            await db.execute(sa.delete(Store).where(Store.store_id == closed))


async def test_a_usage_row_keeps_the_columns_and_the_rounding(
    backend: Backend,  # noqa: F811
) -> None:
    sessions = session_factory(backend.engine)
    staff = await _staff(backend)
    session_id = f"renewal_test_{uuid.uuid4().hex[:12]}"
    at = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    sink = SqlUsageSink(sessions)
    try:
        await sink.record(
            UsageRecord(
                usage_type="comparison",
                model="gpt-4o",
                prompt_tokens=120,
                completion_tokens=88,
                cost=Decimal("0.0012345"),
                latency_ms=850,
                staff_id=staff,
                session_id=session_id,
                created_at=at,
            )
        )
        await sink.record(
            UsageRecord(
                usage_type="comparison",
                model="offline",
                prompt_tokens=10,
                completion_tokens=5,
                cost=Decimal("0"),
                latency_ms=2,
                is_fallback=True,
                session_id=session_id,
                created_at=at,
            )
        )
        async with sessions() as db:
            rows = (
                await db.scalars(
                    sa.select(AiUsageLog)
                    .where(AiUsageLog.session_id == session_id)
                    .order_by(AiUsageLog.id)
                )
            ).all()
        assert [
            (r.staff_id, r.model, r.total_tokens, r.cost, r.latency_ms, r.is_fallback,
             r.created_at) for r in rows
        ] == [
            (staff, "gpt-4o", 208, Decimal("0.001234"), 850, False, at),
            (None, "offline", 15, Decimal("0.000000"), 2, True, at),
        ]  # fmt: skip
    finally:
        async with sessions.begin() as db:
            await db.execute(sa.delete(AiUsageLog).where(AiUsageLog.session_id == session_id))
