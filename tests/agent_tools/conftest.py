"""The agent-tools suites run the real API on PostgreSQL: a role and a schema of the same name
in database `test` (PostgreSQL's default search_path `"$user", public` then puts every table
there), migrated and seeded like `make run` does, a Redis key prefix of its own, dropped after.
Skipped (not failed) when PostgreSQL does not answer, like tests/db."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
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


async def _admin(sql: str) -> None:
    engine = create_engine(url=PG_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_service_url() -> Iterator[str]:
    """A migrated, demo-seeded service database of our own on PostgreSQL."""
    require_postgres()
    from core.db.migrate import seed

    name = f"sbt_tools_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f"CREATE ROLE {name} LOGIN"))
    asyncio.run(_admin(f"CREATE SCHEMA {name} AUTHORIZATION {name}"))
    url = make_url(PG_URL).set(username=name).render_as_string(hide_password=False)
    try:
        settings = Settings(_env_file=None, app_env="test", demo_password="Demo1234")  # type: ignore[call-arg]
        asyncio.run(seed(url, settings))
        yield url
    finally:
        asyncio.run(_admin(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        asyncio.run(_admin(f"DROP ROLE IF EXISTS {name}"))


@dataclass
class ToolsApi:
    server: ApiServer
    http: httpx.Client
    settings: Settings
    tokens: dict[str, str]

    def h(self, part: str) -> dict[str, str]:
        return bearer(self.tokens[part])


@pytest.fixture(scope="session")
def tools_settings(app_settings: Settings, pg_service_url: str) -> Iterator[Settings]:
    prefix = f"sbtest-tools-{uuid.uuid4().hex[:8]}"
    yield app_settings.model_copy(
        update={"database_url": pg_service_url, "redis_key_prefix": prefix}
    )
    redis = Redis.from_url(app_settings.redis_url)
    keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
    if keys:
        redis.unlink(*keys)
    redis.close()


def _instance(settings: Settings, log: Path) -> Iterator[ToolsApi]:
    with running_api(settings, log) as server, server.client() as http:
        names = {"sales": "E1001", "manager": "E1000", "agent": "agent001", "admin": "admin"}
        tokens = {part: login(http, user)["access_token"] for part, user in names.items()}
        yield ToolsApi(server, http, settings, tokens)


@pytest.fixture(scope="session")
def tools_api(
    tools_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ToolsApi]:
    """Instance A of the API on the PostgreSQL service database."""
    yield from _instance(tools_settings, tmp_path_factory.mktemp("tools-a") / "api.log")


@pytest.fixture(scope="session")
def tools_api_b(
    tools_api: ToolsApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ToolsApi]:
    """Instance B: same database, same Redis prefix, another process (its own caches)."""
    yield from _instance(tools_api.settings, tmp_path_factory.mktemp("tools-b") / "api.log")
