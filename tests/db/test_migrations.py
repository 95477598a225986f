"""Migrations: one head, upgrade -> downgrade -> upgrade on SQLite and PostgreSQL, and the
migrated schema equals the models (autogenerate finds nothing; CHECK names match too)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import types as sbt
from core.db.engine import create_engine
from core.db.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    downgrade_async,
    upgrade_async,
    upgrade_to_head,
)
from core.db.models import Base
from core.settings import ROOT
from tests.db.conftest import pg_schema_engine, sqlite_url
from tests.db.oracle_lint import sql_problems

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # one head, see below
TABLES = set(Base.metadata.tables)


def schema_diff(connection: Connection, metadata: sa.MetaData = Base.metadata) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "target_metadata": metadata}
    )
    return list(compare_metadata(context, metadata))


def drifted_metadata() -> sa.MetaData:
    """The models plus one column and with one type changed: what the comparison must catch."""
    metadata = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(sa.Column("nickname", sa.String(20)))
    metadata.tables["stores"].c.name.type = sa.String(200)
    return metadata


def expected_checks() -> dict[str, set[str]]:
    """CHECK names the models declare, less the Oracle-only ones (Flag, JsonDoc)."""
    names: dict[str, set[str]] = {}
    for table in Base.metadata.tables.values():
        names[table.name] = {
            str(c.name)
            for c in table.constraints
            if isinstance(c, sa.CheckConstraint) and c._create_rule is None
        }
    return names


def reflected(connection: Connection) -> tuple[set[str], dict[str, set[str]]]:
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    checks = {
        table: {str(c["name"]) for c in inspector.get_check_constraints(table)}
        for table in tables & TABLES
    }
    return tables, checks


async def assert_round_trip(engine: AsyncEngine, migrate: Any, revert: Any) -> None:
    await migrate()
    assert await current_revision(engine) == HEAD
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_diff) == []
        tables, checks = await conn.run_sync(reflected)
    assert tables == TABLES | {"alembic_version"}
    assert checks == expected_checks()

    await revert()
    assert await current_revision(engine) is None
    async with engine.connect() as conn:
        tables, _ = await conn.run_sync(reflected)
    assert tables <= {"alembic_version"}

    await migrate()
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_diff) == []
        drift = await conn.run_sync(schema_diff, drifted_metadata())
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in drift}
    assert kinds == {"add_column", "modify_type"}, drift


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]  # a second head means two issues branched: merge them
    assert [rev.revision for rev in script.walk_revisions()][-1] == "0001"


async def test_sqlite_round_trip(tmp_path: Path) -> None:
    """Through the CLI path (alembic's own engine, `asyncio.run` in env.py), in a thread."""
    url = sqlite_url(tmp_path / "rt.db")
    engine = create_engine(url=url)
    try:
        await assert_round_trip(
            engine,
            lambda: asyncio.to_thread(upgrade_to_head, url),
            lambda: asyncio.to_thread(downgrade, "base", url),
        )
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_round_trip() -> None:
    """Through the shared-connection path (`upgrade_async`), in a private schema."""
    async with pg_schema_engine() as engine:
        await assert_round_trip(
            engine, lambda: upgrade_async(engine), lambda: downgrade_async(engine, "base")
        )


@pytest.mark.slow
async def test_cli_seed(tmp_path: Path) -> None:
    """`python -m core.db.migrate seed` migrates an empty database and seeds it (one process:
    interpreter start-up dominates this test)."""
    path = tmp_path / "cli.db"
    env = {**os.environ, "DEMO_PASSWORD": "Demo1234", "APP_ENV": "test"}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "core.db.migrate", "--url", f"sqlite:///{path}", "seed"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "seeded: 1 tenants, 5 stores, 22 users created"
    engine = create_engine(url=sqlite_url(path))
    try:
        assert await current_revision(engine) == HEAD
    finally:
        await engine.dispose()


def _portable_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("is_vip", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("prefs", sbt.JsonDoc(), nullable=True),
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "oracle"])
def test_later_add_column_of_flag_and_json(dialect: str) -> None:
    """What a later issue's `op.add_column(..., sbt.Flag())` emits: the Oracle-only CHECKs
    appear on Oracle and nowhere else (PostgreSQL would reject `x IN (0, 1)` on a boolean)."""
    buffer = StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect,
        opts={"as_sql": True, "output_buffer": buffer, "target_metadata": Base.metadata},
    )
    op = Operations(context)
    for column in _portable_columns():
        op.add_column("users", column)
    sql = buffer.getvalue()
    if dialect == "oracle":
        assert "ADD CONSTRAINT ck_usr_is_vip_bool CHECK (is_vip IN (0, 1))" in sql
        assert "ADD CONSTRAINT ck_usr_prefs_json CHECK (prefs IS JSON)" in sql
        assert sql_problems(sql) == []
    else:
        assert "CHECK" not in sql and "is_vip BOOLEAN" in sql and "prefs JSONB" in sql


def test_later_batch_migration_on_sqlite(tmp_path: Path) -> None:
    """SQLite recreates tables in batch mode; the copies must not grow Oracle-only CHECKs."""
    url = f"sqlite:///{tmp_path / 'batch.db'}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            Base.metadata.create_all(conn)
            context = MigrationContext.configure(conn, opts={"target_metadata": Base.metadata})
            op = Operations(context)
            with op.batch_alter_table("users", recreate="always") as batch:
                for column in _portable_columns():
                    batch.add_column(column)
            with op.batch_alter_table("renewal_records", recreate="always") as batch:
                batch.alter_column("current_step", type_=sa.String(48))
        names = {c["name"] for c in sa.inspect(engine).get_check_constraints("users")}
        assert names == expected_checks()["users"]
    finally:
        engine.dispose()
