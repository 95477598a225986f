"""Database fixtures: a migrated SQLite file and a migrated PostgreSQL schema per session.

PostgreSQL tests run in a private schema `sb_test_<random>` (search_path points at it, so the
tables and alembic_version land there) in database `test` and drop it afterwards. The URL is
TEST_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test); when nothing
listens there the PostgreSQL cases are skipped, not failed.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.db.engine import async_url, create_engine
from core.db.migrate import upgrade_async
from core.db.seed import seed_demo_accounts
from core.preflight import TEST_POSTGRES_URL
from core.settings import Settings

PG_URL = os.environ.get("TEST_POSTGRES_URL", TEST_POSTGRES_URL)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def postgres_reachable() -> bool:
    url = make_url(PG_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (see python -m core.preflight)")


@contextmanager
def seeded_pg_database(prefix: str, settings: Settings) -> Iterator[str]:
    """A PostgreSQL database of its own (`<prefix>_<random>`), migrated and seeded as in
    production, dropped (with its connections) on exit: for tests that start API processes."""
    import asyncio

    import psycopg

    from core.db.migrate import seed

    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_url(PG_URL).set(drivername="postgresql", database="test")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(seed(url, settings))
        yield url
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def demo_settings() -> Settings:
    return Settings(app_env="test", demo_password="Demo1234")


@asynccontextmanager
async def pg_schema_engine() -> AsyncIterator[AsyncEngine]:
    """An engine whose connections live in a fresh schema, dropped (CASCADE) on exit."""
    require_postgres()
    schema = f"sb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url=PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url=PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await admin.dispose()


def sqlite_url(path: Path) -> str:
    return str(async_url(f"sqlite:///{path}"))


@dataclass
class Backend:
    name: str
    engine: AsyncEngine


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("sbdb")


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request: pytest.FixtureRequest, sqlite_dir: Path) -> AsyncIterator[Backend]:
    """A migrated, demo-seeded database, shared by the session; tests roll back their writes."""
    name = request.param
    if name == "sqlite":
        engine = create_engine(url=sqlite_url(sqlite_dir / "repo.db"))
        try:
            await _prepare(engine)
            yield Backend(name, engine)
        finally:
            await engine.dispose()
    else:
        async with pg_schema_engine() as engine:
            await _prepare(engine)
            yield Backend(name, engine)


async def _prepare(engine: AsyncEngine) -> None:
    await upgrade_async(engine)
    async with AsyncSession(engine) as session:
        await seed_demo_accounts(session, demo_settings())
        await session.commit()


@pytest.fixture
async def session(backend: Backend) -> AsyncIterator[AsyncSession]:
    """A session inside an outer transaction that is rolled back: every test starts clean.

    Repositories only flush; `session.commit()` in a test releases a SAVEPOINT, not the data.
    """
    async with backend.engine.connect() as conn:
        outer = await conn.begin()
        db = AsyncSession(bind=conn, join_transaction_mode="create_savepoint",
                          expire_on_commit=False)  # fmt: skip
        try:
            yield db
        finally:
            await db.close()
            await outer.rollback()
