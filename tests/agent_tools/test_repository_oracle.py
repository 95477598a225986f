"""Every agent-tools repository method, run once on SQLite with its statements captured and
compiled for Oracle 19c (the production target), then linted like tests/db/test_oracle does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState

from core.db.engine import create_engine
from core.db.migrate import upgrade_async
from core.db.models import AutoReplyRule, QuickReply, Tag
from core.db.repositories import AutoReplyRuleRepository, QuickReplyRepository, TagRepository
from tests.db.conftest import sqlite_url
from tests.db.oracle_lint import sql_problems
from tests.db.test_oracle import oracle_19c

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


async def exercise(db: AsyncSession) -> None:
    replies = QuickReplyRepository(db, "default")
    await replies.add(QuickReply(id="reply_1", category="policy", title="t", content="c",
                                 variables=[], shortcut="Ctrl+1", created_by="admin"))  # fmt: skip
    await replies.list_all()
    await replies.get("reply_1")
    assert await replies.shortcut_owners("Ctrl+1") == [("admin", True)]
    assert await replies.count_use("reply_1", now=NOW) == 1
    assert await replies.count_use("reply_none") is None
    await replies.delete("reply_1")
    tags = TagRepository(db, "default")
    await tags.add(Tag(id="tag_x", name="X", color="#000000", category="custom"))
    assert await tags.name_taken("x") and await tags.get("tag_x") is not None
    await tags.list_all()
    await tags.attach("session_a", "tag_vip", "agent001", NOW)
    await tags.attach("session_a", "tag_x", "agent001", NOW)
    assert [t.id for _, t in await tags.of_session("session_a")] == ["tag_vip", "tag_x"]
    assert set(await tags.of_sessions(["session_a", "session_b"])) == {"session_a", "session_b"}
    assert await tags.sessions_with("tag_vip", limit=5, offset=5) == ([], 1)
    assert await tags.sessions_with_all(["tag_vip", "tag_x"]) == {"session_a"}
    assert await tags.detach("session_a", "tag_x") and not await tags.detach("session_a", "tag_x")
    rules = AutoReplyRuleRepository(db, "default")
    await rules.add(AutoReplyRule(id="rule_1", type="busy", trigger_condition={},
                                  reply_content="x", variables=[], created_by="admin"))  # fmt: skip
    assert await rules.count_of_type("busy") == 1
    await rules.list_all()
    await rules.get("rule_1")
    assert await rules.delete("rule_1") and not await rules.delete("rule_1")


async def test_repository_statements_compile_for_oracle(tmp_path: Path) -> None:
    engine = create_engine(url=sqlite_url(tmp_path / "tools.db"))
    captured: list[Any] = []
    try:
        await upgrade_async(engine)  # the migration's system tags (tag_vip) are there
        async with AsyncSession(engine) as db:

            def capture(state: ORMExecuteState) -> None:
                captured.append(state.statement)

            event.listen(db.sync_session, "do_orm_execute", capture)
            await exercise(db)
    finally:
        await engine.dispose()
    assert len(captured) >= 20
    compiled = [str(stmt.compile(dialect=oracle_19c())) for stmt in captured]
    assert {sql: sql_problems(sql) for sql in compiled if sql_problems(sql)} == {}
    assert any("FETCH FIRST" in sql and "OFFSET" in sql for sql in compiled)  # sessions_with


@pytest.mark.parametrize("name", ["quick_replies", "tags", "session_tags", "auto_reply_rules"])
def test_tables_are_registered(name: str) -> None:
    from core.db.models import TABLE_ABBREVIATIONS, Base

    assert name in Base.metadata.tables and name in TABLE_ABBREVIATIONS
