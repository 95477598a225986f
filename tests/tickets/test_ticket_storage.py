"""Ticket tables: the 0002 migration equals the models (SQLite, PostgreSQL), the DDL and the
repository's SQL are Oracle 19c clean, numbers are unique under concurrent creates, and the
version compare-and-set lets exactly one of two writers through."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import oracle
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.schema import CreateIndex, CreateTable

from api.tickets.sla import plan
from core.db.engine import create_engine
from core.db.migrate import downgrade_async, offline_sql, upgrade_async
from core.db.models import Base, Ticket, TicketComment
from core.db.repositories.tickets import TicketFilter, TicketRepository, new_public_id
from core.errors import Conflict
from tests.db.conftest import pg_schema_engine, sqlite_url
from tests.db.oracle_lint import metadata_problems, sql_problems
from tests.db.test_migrations import schema_diff

MINE = ("tickets", "ticket_activities", "ticket_comments", "ticket_counters")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def my_metadata() -> sa.MetaData:
    metadata = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for name in ("users", "stores", "tenants", *MINE):  # FK targets (0001, 0006)
        Base.metadata.tables[name].to_metadata(metadata)
    return metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        sqlite = create_engine(url=sqlite_url(tmp_path / "tickets.db"))
        try:
            yield sqlite
        finally:
            await sqlite.dispose()
    else:
        async with pg_schema_engine() as pg:
            yield pg


def _mine(diff: list[Any]) -> list[Any]:
    """Differences that concern the ticket tables (other issues' tables may be mid-work)."""
    text = [repr(d) for d in diff]
    return [d for d, t in zip(diff, text, strict=True) if any(f"'{n}'" in t for n in MINE)]


async def test_migration_0002_matches_the_models_and_downgrades(engine: AsyncEngine) -> None:
    """0002 made the tables; 0006 added their `tenant_id`: at head they equal the models."""
    await upgrade_async(engine, "head")
    async with engine.connect() as conn:
        assert _mine(await conn.run_sync(schema_diff, my_metadata())) == []
        tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        checks = await conn.run_sync(
            lambda c: {x["name"] for x in sa.inspect(c).get_check_constraints("tickets")}
        )
    assert set(MINE) <= tables
    assert checks == {"ck_tkt_status", "ck_tkt_category", "ck_tkt_priority",
                      "ck_tkt_department", "ck_tkt_version"}  # fmt: skip
    await downgrade_async(engine, "0001")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    assert not set(MINE) & tables and "users" in tables
    await upgrade_async(engine, "head")
    async with engine.connect() as conn:
        assert _mine(await conn.run_sync(schema_diff, my_metadata())) == []


# --- Oracle 19c -----------------------------------------------------------------------------------
def oracle_19c() -> Any:
    dialect = oracle.dialect()
    dialect.server_version_info = (19, 0, 0, 0, 0)
    dialect.supports_native_boolean = False
    dialect._supports_oracle_json = False
    return dialect


def test_ticket_ddl_is_oracle_19c_clean() -> None:
    metadata = my_metadata()
    assert metadata_problems(metadata) == []
    ddl = "\n".join(
        [str(CreateTable(metadata.tables[t]).compile(dialect=oracle_19c())) for t in MINE]
        + [
            str(CreateIndex(ix).compile(dialect=oracle_19c()))
            for t in MINE
            for ix in metadata.tables[t].indexes
        ]
    )
    assert sql_problems(ddl) == []
    assert "is_internal NUMERIC(1, 0)" in ddl and "CHECK (tags IS JSON)" in ddl
    assert "description CLOB NOT NULL" in ddl


def test_offline_upgrade_and_downgrade_sql_for_oracle() -> None:
    up = offline_sql("oracle+oracledb://u:p@h/db", "0001:0002")
    down = offline_sql("oracle+oracledb://u:p@h/db", "0001", downgrade_from="0002")
    for table in MINE:
        assert f"CREATE TABLE {table} (" in up and f"DROP TABLE {table}" in down
    assert sql_problems(up) == [] and sql_problems(down) == []


def new_ticket(n: int, *, session_id: str | None = None, priority: str = "high") -> Ticket:
    sla = plan("technical", priority, NOW)
    return Ticket(
        ticket_id=new_public_id("ticket"), title=f"t{n}", description="d", status="pending",
        category="technical", priority=priority, department="technical",
        customer_id=f"c{n}", session_id=session_id, open_session_id=session_id, tags=[],
        created_by="agent001", created_by_name="A", version=1,
        sla_response_due=sla.response.due, sla_response_warn_at=sla.response.warn_at,
        sla_resolution_due=sla.resolution.due, sla_resolution_warn_at=sla.resolution.warn_at,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


async def exercise(db: AsyncSession) -> None:
    repo = TicketRepository(db, "default")
    ticket = await repo.add(new_ticket(1, session_id="session_x"), 2026)
    await repo.get(ticket.ticket_id, fresh=True)
    await repo.open_for_session("session_x")
    await repo.latest_for_session("session_x")
    for status in ("within", "warning", "breached"):
        await repo.search(
            TicketFilter(now=NOW, status="pending", priority="high", category="technical",
                         department="technical", assignee_id="a", session_id="s",
                         created_from=NOW, created_to=NOW, sla_status=status, keyword="50%"),
            sort="-priority", offset=20, limit=20,
        )  # fmt: skip
    await repo.update_if_version(ticket, 1, {"title": "x"})
    await repo.log(ticket, "updated", "d", operator=("a", "A"), details={"k": 1}, now=NOW)
    await repo.activities(ticket)
    await repo.add_comment(
        TicketComment(comment_id=new_public_id("comment"), ticket_ref=ticket.id, content="c",
                      author_id="a", author_name="A", mentions=[], is_internal=True,
                      created_at=NOW)
    )  # fmt: skip
    await repo.comments(ticket, internal=False)


async def test_repository_sql_compiles_for_oracle_19c(tmp_path: Path) -> None:
    engine = create_engine(url=sqlite_url(tmp_path / "capture.db"))
    captured: list[Any] = []
    try:
        async with engine.begin() as conn:
            await conn.run_sync(my_metadata().create_all)
        async with AsyncSession(engine) as db:
            event.listen(db.sync_session, "do_orm_execute",
                         lambda state: captured.append(state.statement))  # fmt: skip
            await exercise(db)
    finally:
        await engine.dispose()
    compiled = [str(stmt.compile(dialect=oracle_19c())) for stmt in captured]
    assert len(compiled) >= 12
    assert {sql: sql_problems(sql) for sql in compiled if sql_problems(sql)} == {}
    assert any(re.search(r"OFFSET \S+ ROWS\s+FETCH FIRST", sql) for sql in compiled)
    assert any("CASE tickets.priority WHEN" in sql for sql in compiled)


# --- concurrency on the real backends ---------------------------------------------------------
async def _fresh(engine: AsyncEngine) -> None:
    await upgrade_async(engine, "head")


async def test_concurrent_creates_get_distinct_numbers_and_one_open_ticket_per_session(
    engine: AsyncEngine,
) -> None:
    await _fresh(engine)

    async def create(n: int, session_id: str | None = None) -> str:
        async with AsyncSession(engine, expire_on_commit=False) as db, db.begin():
            return (await TicketRepository(db, "default").add(new_ticket(n, session_id=session_id),
                                                   2026)).ticket_number  # fmt: skip

    numbers = await asyncio.gather(*(create(n) for n in range(12)))
    assert sorted(numbers) == [f"TK-2026{n:05d}" for n in range(1, 13)]

    results = await asyncio.gather(
        *(create(100 + n, "session_same") for n in range(4)), return_exceptions=True
    )
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(refused) == 3, results
    assert {r.code for r in refused} == {"TICKET_EXISTS"}
    assert {r.details["ticket_number"] for r in refused} == set(won)


async def test_version_compare_and_set_lets_one_writer_through(engine: AsyncEngine) -> None:
    await _fresh(engine)
    async with AsyncSession(engine, expire_on_commit=False) as db, db.begin():
        ticket = await TicketRepository(db, "default").add(new_ticket(1), 2026)

    async def write(title: str) -> bool:
        async with AsyncSession(engine) as db, db.begin():
            return await TicketRepository(db, "default").update_if_version(
                ticket, 1, {"title": title}
            )

    outcomes = await asyncio.gather(*(write(f"by writer {n}") for n in range(6)))
    assert sorted(outcomes) == [False] * 5 + [True]
    async with AsyncSession(engine) as db:
        stored = await TicketRepository(db, "default").get(ticket.ticket_id)
        assert stored is not None and stored.version == 2
        assert stored.title == f"by writer {outcomes.index(True)}"
