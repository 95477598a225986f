"""Pooled PostgreSQL connections after the server dropped them: an idle one is pinged and
replaced before use; one in steady use fails one statement, then the pool has recovered."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine
from core.settings import Settings
from tests.db.conftest import PG_URL, require_postgres


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(pid: int) -> None:
    admin = create_engine(url=PG_URL, poolclass=sa.pool.NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()


def _engine(idle_seconds: float) -> AsyncEngine:
    require_postgres()
    settings = Settings(_env_file=None, db_ping_after_idle_seconds=idle_seconds)  # type: ignore[call-arg]
    return create_engine(settings, url=PG_URL, pool_size=1, max_overflow=0)


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use() -> None:
    engine = _engine(idle_seconds=0)
    try:
        dropped = await _backend_pid(engine)
        await _terminate(dropped)
        assert await _backend_pid(engine) != dropped  # no error: pinged, discarded, reconnected
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_fails_once_then_the_pool_recovers() -> None:
    engine = _engine(idle_seconds=3600)  # never idle long enough to be pinged
    try:
        dropped = await _backend_pid(engine)
        await _terminate(dropped)
        with pytest.raises(DBAPIError) as failed:
            await _backend_pid(engine)
        assert failed.value.connection_invalidated
        assert await _backend_pid(engine) != dropped
    finally:
        await engine.dispose()
