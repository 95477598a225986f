"""Migration 0006 on data that existed before tenants (SQLite and PostgreSQL): every row lands in
tenant `default`, the tenants table gets `default` with a site key, and a downgrade back to one
operator keeps `default`'s rows and removes the other tenants' (which 0005 cannot express)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine
from core.db.migrate import downgrade_async, upgrade_async
from tests.db.conftest import pg_schema_engine, sqlite_url

NOW = datetime(2026, 12, 3, 8, 0)  # naive: SQLite and Oracle store UTC without a zone


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        sqlite = create_engine(url=sqlite_url(tmp_path / "tenants.db"))
        try:
            yield sqlite
        finally:
            await sqlite.dispose()
    else:
        async with pg_schema_engine() as pg:
            yield pg


async def rows(engine: AsyncEngine, sql: str) -> list[tuple[object, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(sa.text(sql))).all()]


async def test_0006_backfills_default_and_downgrade_keeps_only_default(
    engine: AsyncEngine,
) -> None:
    await upgrade_async(engine, "0005")
    async with engine.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO users (username, display_name, role, password_hash, failed_login_count,"
            " status, max_sessions, token_version, is_active, created_at, updated_at)"
            " VALUES ('old-agent', 'x', 'agent', '!', 0, 'offline', 5, 0, :t, :now, :now)"
        ), {"t": True, "now": NOW})  # fmt: skip
        await conn.execute(sa.text(
            "INSERT INTO quick_replies (id, category, title, content, variables, is_shared,"
            " is_system, created_by, usage_count, created_at, updated_at)"
            " VALUES ('reply_old', 'policy', 't', 'c', '[]', :t, :f, 'old-agent', 0, :now, :now)"
        ), {"t": True, "f": False, "now": NOW})  # fmt: skip

    await upgrade_async(engine, "head")
    assert await rows(engine, "SELECT tenant_id FROM users WHERE username = 'old-agent'") == [
        ("default",)
    ]
    assert await rows(engine, "SELECT tenant_id FROM quick_replies") == [("default",)]
    (tenant,) = await rows(engine, "SELECT id, status, site_key FROM tenants")
    assert tenant[:2] == ("default", "active") and str(tenant[2]).startswith("sk_")
    system = await rows(
        engine,
        "SELECT DISTINCT tenant_id FROM tags WHERE is_system = :t".replace(
            ":t", "true" if engine.dialect.name == "postgresql" else "1"
        ),
    )
    assert system == [(None,)]  # the system tags are every tenant's

    async with engine.begin() as conn:  # a second tenant with an agent and a reply
        await conn.execute(sa.text(
            "INSERT INTO tenants (id, name, status, site_key, model_provider, created_at,"
            " updated_at) VALUES ('other', 'Other', 'active', 'sk_other', 'offline', :now, :now)"
        ), {"now": NOW})  # fmt: skip
        await conn.execute(sa.text(
            "INSERT INTO users (username, display_name, role, password_hash, failed_login_count,"
            " status, max_sessions, token_version, is_active, tenant_id, created_at, updated_at)"
            " VALUES ('other-agent', 'x', 'agent', '!', 0, 'offline', 5, 0, :t, 'other', :now,"
            " :now)"
        ), {"t": True, "now": NOW})  # fmt: skip
        await conn.execute(sa.text(
            "INSERT INTO quick_replies (id, tenant_id, category, title, content, variables,"
            " is_shared, is_system, created_by, usage_count, created_at, updated_at) VALUES"
            " ('reply_other', 'other', 'policy', 't', 'c', '[]', :t, :f, 'x', 0, :now, :now)"
        ), {"t": True, "f": False, "now": NOW})  # fmt: skip

    await downgrade_async(engine, "0005")
    assert await rows(engine, "SELECT username FROM users ORDER BY username") == [("old-agent",)]
    assert await rows(engine, "SELECT id FROM quick_replies") == [("reply_old",)]
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    assert "tenants" not in tables
    await upgrade_async(engine, "head")  # and up again
    assert await rows(engine, "SELECT tenant_id FROM users") == [("default",)]
