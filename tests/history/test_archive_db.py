"""The archive write and the search queries on SQLite and PostgreSQL; the queries for Oracle.

States are what the supervision graph checkpoints (`SupervisionState`); the writer is the one the
API uses after every step. A repeated, late or concurrent write must leave each message once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.history.archive import ArchiveWriter
from core.db.engine import create_engine, session_factory
from core.db.migrate import upgrade_async
from core.db.models import AuditEntry
from core.db.repositories import ConversationRepository, HistoryFilter
from tests.db.conftest import BACKENDS, pg_schema_engine, sqlite_url
from tests.db.oracle_lint import sql_problems
from tests.db.test_oracle import oracle_19c

T = 1_795_000_000


@pytest_asyncio.fixture(scope="module", params=BACKENDS)
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("archive") / "archive.db"
        db = create_engine(url=sqlite_url(path))
        try:
            await upgrade_async(db)
            yield db
        finally:
            await db.dispose()
    else:
        async with pg_schema_engine() as db:
            await upgrade_async(db)
            yield db


def item(
    name: str, n: int, role: str = "user", content: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A history item; ids are unique across conversations, as the graph's are."""
    return {"id": f"msg_{name[-8:]}{n:08x}", "role": role, "content": content or f"{role} {n}",
            "timestamp": T + n, **extra}  # fmt: skip


def state(name: str, history: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
    return {"session_name": name, "status": "bot_active", "conversation_id": f"conv_{name}",
            "user_profile": {"nickname": "客人"}, "history": history, "created_at": T,
            "updated_at": T + len(history), "escalation_epoch": 0, **values}  # fmt: skip


def new_name() -> str:
    return f"session_{uuid.uuid4().hex[:16]}"


async def stored(engine: AsyncEngine, name: str) -> list[tuple[int, str]]:
    async with AsyncSession(engine) as db:
        rows = await ConversationRepository(db, "default").messages(name)
    return [(m.seq, m.id) for m in rows]


async def test_a_repeated_or_late_write_adds_each_message_once(engine: AsyncEngine) -> None:
    writer, name = ArchiveWriter(session_factory(engine)), new_name()
    first = [item(name, 1), item(name, 2, "assistant"), item(name, 3)]
    assert await writer.write(name, state(name, first)) == 3
    assert await writer.write(name, state(name, first)) == 0  # a retry
    later = [*first, item(name, 4, "assistant"), item(name, 5, "system")]
    assert await writer.write(name, state(name, later)) == 2  # a missed write caught up
    assert await writer.write(name, state(name, first)) == 0  # an older state changes nothing
    assert await stored(engine, name) == [(i, f"msg_{name[-8:]}{i + 1:08x}") for i in range(5)]
    async with AsyncSession(engine) as db:
        row = await ConversationRepository(db, "default").get(name)
    assert row is not None and row.message_count == 5 and row.last_message == "system 5"


async def test_concurrent_writes_of_a_new_conversation(engine: AsyncEngine) -> None:
    writer, name = ArchiveWriter(session_factory(engine)), new_name()
    history = [item(name, n, "user" if n % 2 else "assistant") for n in range(1, 21)]
    added = await asyncio.gather(*(writer.write(name, state(name, history)) for _ in range(8)))
    assert sum(added) == 20 and sorted(added)[-1] == 20  # one writer stored them, once
    assert [seq for seq, _ in await stored(engine, name)] == list(range(20))


async def test_answer_time_lands_on_the_new_answer(engine: AsyncEngine) -> None:
    writer, name = ArchiveWriter(session_factory(engine)), new_name()
    await writer.write(
        name, state(name, [item(name, 1), item(name, 2, "assistant")]), answer_ms=321.4
    )
    await writer.write(
        name, state(name, [item(name, 1), item(name, 2, "assistant"), item(name, 3)]), answer_ms=9
    )
    async with AsyncSession(engine) as db:
        rows = await ConversationRepository(db, "default").messages(name)
    assert [m.response_ms for m in rows] == [None, 321, None]


async def test_times_come_from_the_audit_rows(engine: AsyncEngine) -> None:
    writer, name = ArchiveWriter(session_factory(engine)), new_name()
    agent = {"id": "agent001", "name": "Alice"}
    moves = [("bot_active", "pending_manual", "keyword", 10),
             ("pending_manual", "manual_live", "agent_takeover", 70),
             ("manual_live", "bot_active", "released", 400)]  # fmt: skip
    async with AsyncSession(engine) as db, db.begin():
        for src, dst, reason, at in moves:
            db.add(AuditEntry(entity_type="chat_session", entity_id=name, status_from=src,
                              status_to=dst, operator="x", reason=reason,
                              detail={"agent": agent}, created_at=datetime.fromtimestamp(
                                  T + at, UTC)))  # fmt: skip
    await writer.write(name, state(name, [item(name, 1)], assigned_agent=agent, escalation_epoch=1))
    await writer.write(name, state(name, [item(name, 1), item(name, 2)], escalation_epoch=1))
    async with AsyncSession(engine) as db:
        row = await ConversationRepository(db, "default").get(name)
    assert row is not None
    assert (row.escalations, row.escalation_reason, row.agent_id) == (1, "keyword", "agent001")
    times = (row.escalated_at, row.taken_over_at, row.released_at)
    got = [int(t.timestamp()) - T if t else None for t in times]
    assert got == [10, 70, 400] and row.closed_at is None


async def test_words_match_literally_and_ignore_case(engine: AsyncEngine) -> None:
    writer, name = ArchiveWriter(session_factory(engine)), new_name()
    texts = ["My BILL is wrong", "折扣 50% off_now", "路徑 C:\\tmp"]
    await writer.write(
        name, state(name, [item(name, i, content=t) for i, t in enumerate(texts, 1)])
    )

    async def finds(*words: str) -> bool:
        async with AsyncSession(engine) as db:
            rows, total = await ConversationRepository(db, "default").search(
                HistoryFilter(customer=name, words=words), offset=0, limit=10
            )
        return total == 1 and rows[0].session_name == name

    assert await finds("bill") and await finds("WRONG", "50%") and await finds("off_now")
    assert await finds("c:\\tmp") and await finds("折扣")
    assert not await finds("5%") and not await finds("off%now") and not await finds("bill_")
    assert not await finds("c:tmp") and not await finds("bill", "退款")
    async with AsyncSession(engine) as db:  # a page past the end still says how many match
        past = await ConversationRepository(db, "default").search(
            HistoryFilter(customer=name, words=("bill",)), offset=5, limit=10
        )
    assert past == ([], 1)


async def test_search_queries_compile_for_oracle(tmp_path: Path) -> None:
    """Every statement the archive write and the search run, compiled for Oracle 19c."""
    db = create_engine(url=sqlite_url(tmp_path / "capture.db"))
    captured: list[Any] = []
    try:
        await upgrade_async(db)
        async with AsyncSession(db) as session:
            event.listen(session.sync_session, "do_orm_execute",
                         lambda s: captured.append(s.statement))  # fmt: skip
            repo, when = (
                ConversationRepository(session, "default"),
                datetime(2026, 11, 18, tzinfo=UTC),
            )
            await repo.locked("s")
            await repo.known_ids(["a"])
            await repo.chat_audit("s")
            await repo.search(HistoryFilter(customer="c", agent="a", tag="t", status="closed",
                                            started_from=when, started_before=when,
                                            words=("50%", "x")), offset=20, limit=10)  # fmt: skip
            await repo.search(HistoryFilter(status="closed"), offset=0, limit=5)
            await repo.first_matches(["s"], "x")
            await repo.messages("s", offset=10, limit=10)
            await repo.started_between(when, when)
            await repo.message_counts_between(when, when)
            await repo.histories(["s"])
            await repo.chat_audit_between(when, when)
            await repo.tickets_created_between(when, when)
    finally:
        await db.dispose()
    compiled = [str(stmt.compile(dialect=oracle_19c())) for stmt in captured]
    assert len(compiled) >= 12
    assert {sql: sql_problems(sql) for sql in compiled if sql_problems(sql)} == {}
    assert any("FOR UPDATE" in sql for sql in compiled)
    assert any("ESCAPE '\\'" in sql and "lower(" in sql.lower() for sql in compiled)
    assert any("OFFSET" in sql and "FETCH FIRST" in sql for sql in compiled)
    assert any("count(*) OVER ()" in sql for sql in compiled)
