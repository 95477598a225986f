"""An API process of the history suites' own on PostgreSQL, and its callers.

The service database is a private schema in database `test`, reached through a login role of
its own whose `search_path` is that schema (the API takes a plain URL, so the schema cannot be
passed as a connection argument); role and schema are dropped afterwards, with the Redis keys.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db.engine import create_engine
from core.settings import Settings
from tests.api.conftest import bearer, login
from tests.api.handoff_support import ALWAYS_ON, set_shift
from tests.api_http import ApiServer, running_api
from tests.db.conftest import PG_URL, require_postgres


@asynccontextmanager
async def private_role_schema() -> AsyncIterator[str]:
    """A login role with its own schema as search_path; yields its database URL."""
    require_postgres()
    name = f"sbhist_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url=PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE ROLE {name} LOGIN"))
        await conn.execute(text(f"CREATE SCHEMA {name} AUTHORIZATION {name}"))
        await conn.execute(text(f"ALTER ROLE {name} SET search_path = {name}"))
    try:
        yield make_url(PG_URL).set(username=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            await conn.execute(text(f"DROP ROLE IF EXISTS {name}"))
        await admin.dispose()


@contextmanager
def pg_api(app_settings: Settings, folder: Path, **env: str) -> Iterator[ApiServer]:
    """The API on a fresh, migrated and seeded PostgreSQL schema and its own Redis prefix."""
    from core.db.migrate import seed

    loop = asyncio.new_event_loop()
    schema = private_role_schema()
    url = loop.run_until_complete(schema.__aenter__())
    prefix = f"sbtest-hist-{uuid.uuid4().hex[:8]}"
    try:
        loop.run_until_complete(seed(url, app_settings))
        settings = app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})
        with running_api(settings, folder / "api.log", **env) as server:
            yield server
    finally:
        loop.run_until_complete(schema.__aexit__(None, None, None))
        loop.close()
        redis = Redis.from_url(app_settings.redis_url)
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            redis.unlink(*keys)
        redis.close()


@pytest.fixture(scope="package")
def history_api(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with pg_api(app_settings, tmp_path_factory.mktemp("history")) as server:
        yield server


@pytest.fixture(scope="package")
def hhttp(history_api: ApiServer) -> Iterator[httpx.Client]:
    with history_api.client() as client:
        yield client


@pytest.fixture(scope="package")
def staff(hhttp: httpx.Client) -> dict[str, dict[str, str]]:
    """Bearer headers per part; agents on duty around the clock on this server."""
    names = {"alice": "agent001", "bob": "agent002", "admin": "admin", "sales": "E1001",
             "manager": "E1000"}  # fmt: skip
    headers = {part: bearer(login(hhttp, user)["access_token"]) for part, user in names.items()}
    set_shift(hhttp, headers["admin"]["Authorization"].removeprefix("Bearer "), ALWAYS_ON)
    return headers
