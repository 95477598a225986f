"""Async engine and session factory for SQLite, PostgreSQL and Oracle.

`DATABASE_URL` may name a sync driver (`postgresql://`, `sqlite:///`, `oracle://`); it is
mapped to the async one so one setting serves the app, Alembic and scripts.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from core.metrics import watch_engine
from core.settings import Settings, get_settings

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "oracle": "oracle+oracledb",
    "oracle+cx_oracle": "oracle+oracledb",
}


def async_url(url: str | URL) -> URL:
    """The URL with an async driver (aiosqlite, asyncpg, oracledb); other drivers pass through."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


# The embedded SQLite default serialises writers; PostgreSQL/Oracle are for many users.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_on_connect(foreign_keys: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's implicit BEGIN (only before DML) breaks SAVEPOINT and leaves SELECTs and
        # DDL outside transactions; turn it off and emit BEGIN ourselves (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless asked, per connection (must precede BEGIN).
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.close()

    return on_connect


def _sqlite_on_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that later writes can hit
    # SQLITE_BUSY at once (no busy-timeout wait) when another writer got there first, which
    # failed 43 of 50 concurrent renewal journeys; with IMMEDIATE they queue on busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _on_connect_oracle(dbapi_connection: Any, _record: Any) -> None:
    # Timestamps are stored as UTC wall clock; keep SYSTIMESTAMP-style SQL consistent with them.
    cursor = dbapi_connection.cursor()
    cursor.execute("ALTER SESSION SET TIME_ZONE = 'UTC'")
    cursor.close()


_DEFAULT_PING_AFTER_IDLE: float = Settings.model_fields["db_ping_after_idle_seconds"].default


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle longer than `idle_seconds`.

    `pool_pre_ping` pings on every checkout: a round trip before a renewal step's one UPDATE
    (PostgreSQL: 1.04 -> 0.71 ms for that write without it). Idle connections are where
    firewalls and server restarts bite, so those are still checked; a connection that dies
    while in steady use fails its next statement once, and SQLAlchemy then invalidates the
    whole pool.
    """
    pool, dialect = engine.sync_engine.pool, engine.sync_engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards it and checks out another
            raise DisconnectionError("pooled connection failed its ping") from exc

    event.listen(pool, "checkin", checked_in)
    event.listen(pool, "checkout", checked_out)


def create_engine(
    settings: Settings | None = None,
    *,
    url: str | URL | None = None,
    sqlite_foreign_keys: bool = True,
    **kwargs: Any,
) -> AsyncEngine:
    """Build the async engine for `settings.database_url` (or an explicit `url`).

    `sqlite_foreign_keys=False` is for migrations: batch mode recreates tables, which SQLite
    refuses for referenced tables while foreign keys are enforced.
    """
    if url is None:
        settings = settings or get_settings()
        url = settings.database_url
    target = async_url(url)
    backend = target.get_backend_name()
    engine = _create_async_engine(target, **kwargs)
    watch_engine(engine.sync_engine)
    if backend == "sqlite":  # aiosqlite: a local file, nothing to ping
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect(sqlite_foreign_keys))
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    elif not kwargs.get("pool_pre_ping"):  # an explicit URL alone (Alembic) reads no settings
        idle = settings.db_ping_after_idle_seconds if settings else _DEFAULT_PING_AFTER_IDLE
        _ping_after_idle(engine, idle)
    if backend == "oracle":
        event.listen(engine.sync_engine, "connect", _on_connect_oracle)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (API handlers serialise after it)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def sync_faces(sessions: async_sessionmaker[AsyncSession]) -> tuple[Engine, Engine] | None:
    """The sessions' engine's sync face and the same pool in autocommit, or None when they are
    not bound to an async engine.

    A write on the click's path (`graphs.renewal.records`, the usage row) runs its checkout,
    statements and checkin in one `greenlet_spawn` on the sync face: the async engine makes a
    greenlet hop per call, and the switches were 40 % of a one-statement write's CPU (issue 24,
    third pass). Autocommit is for statements atomic by themselves: no BEGIN and COMMIT round
    trips around them."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return None
    engine = bind.sync_engine
    autocommit: Engine | None = getattr(engine, _AUTOCOMMIT, None)
    if autocommit is None:  # one per engine, kept on it: building one costs ~30 us
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        setattr(engine, _AUTOCOMMIT, autocommit)
    return engine, autocommit


_AUTOCOMMIT = "_switchboard_autocommit"
