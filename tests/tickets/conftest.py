"""The ticket suites' servers: the real API over HTTP on a PostgreSQL service database.

The database is a private schema in database `test`: a throwaway role `sbtk_<hex>` owns a
schema of the same name, and PostgreSQL's default `search_path` (`"$user", public`) puts every
table the migrations create there, with no URL option needed (asyncpg URLs cannot carry a
search_path). Role and schema are dropped afterwards, the Redis prefix is cleaned up.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db.engine import create_engine
from core.settings import Settings
from tests.api.conftest import bearer, login
from tests.api_http import ApiServer, running_api
from tests.db.conftest import PG_URL, require_postgres

PARTS = {
    "agent": "agent001",
    "agent_2": "agent002",
    "admin": "admin",
    "sales": "E1001",
    "manager": "E1000",
}


async def _admin_sql(*statements: str) -> None:
    engine = create_engine(url=PG_URL)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def private_postgres(settings: Settings) -> Iterator[str]:
    """A migrated, demo-seeded service database in its own schema; its URL."""
    from core.db.migrate import seed

    require_postgres()
    role = f"sbtk_{uuid.uuid4().hex[:10]}"
    asyncio.run(
        _admin_sql(f"CREATE ROLE {role} LOGIN", f"CREATE SCHEMA {role} AUTHORIZATION {role}")
    )
    url = str(make_url(PG_URL).set(username=role, password=None).render_as_string(False))
    try:
        asyncio.run(seed(url, settings))
        yield url
    finally:
        asyncio.run(
            _admin_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'",
                f"DROP SCHEMA IF EXISTS {role} CASCADE",
                f"DROP ROLE IF EXISTS {role}",
            )
        )


@pytest.fixture(scope="session")
def ticket_settings(app_settings: Settings) -> Iterator[Settings]:
    prefix = f"sbtest-tk-{uuid.uuid4().hex[:8]}"
    with private_postgres(app_settings) as url:
        yield app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})
    redis = Redis.from_url(app_settings.redis_url)
    keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
    if keys:
        redis.unlink(*keys)
    redis.close()


@pytest.fixture(scope="session")
def ticket_api(
    ticket_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with running_api(ticket_settings, tmp_path_factory.mktemp("tk-api") / "api.log") as server:
        yield server


@dataclass
class Desk:
    """One API instance and a bearer header per part."""

    server: ApiServer
    http: httpx.Client
    headers: dict[str, dict[str, str]]

    def as_(self, part: str) -> dict[str, str]:
        return self.headers[part]


@pytest.fixture(scope="session")
def desk(ticket_api: ApiServer) -> Iterator[Desk]:
    with ticket_api.client() as http:
        headers = {part: bearer(login(http, name)["access_token"]) for part, name in PARTS.items()}
        yield Desk(ticket_api, http, headers)


def db_url(settings: Settings) -> str:
    return settings.database_url


async def run_sql(settings: Settings, statement: str, **params: object) -> None:
    """Change the service database behind the API's back (e.g. age a ticket)."""
    engine = create_engine(url=settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement), params)
    finally:
        await engine.dispose()


def log_of(server: ApiServer) -> str:
    return Path(server.log).read_text(errors="replace")
