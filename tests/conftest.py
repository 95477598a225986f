"""Fixtures shared across suites: test settings, today's demo back office, the MCP toolbox.

Everything runs against real parts: the back-office SQLite file is generated for the run, the
MCP servers are real child processes (stdio) or real HTTP servers, Redis is the machine's.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest

from core.bootstrap import build_search_index
from core.settings import ROOT, Settings
from graphs.runtime import GraphRuntime, open_graph_runtime
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import load
from tools.mcp import McpToolbox

pytest_plugins = ["tests.mcp_http", "tests.api_http"]

# Content-keyed, so it is reused across runs and rebuilt only when the plans change.
TEST_SEARCH_INDEX = ROOT / "var" / "test" / "search"
# `make test` runs the suite in pytest-xdist workers (gw0, gw1 ...) against the one Redis: each
# worker's shared fixtures (the API server, the graph runtime) get a key prefix of their own, so
# one worker's rate limits, lockouts, shift hours and statistics never reach the other's.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_PREFIX = f"sbtest-{WORKER}" if WORKER else "sbtest"


@pytest.fixture(scope="session")
def backoffice_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backoffice") / "backoffice.db"
    load(generate(20261121, date.today()), path)
    return path


@pytest.fixture(scope="session")
def test_settings(backoffice_path: Path) -> Settings:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        backoffice_db_path=backoffice_path,
        search_index_dir=TEST_SEARCH_INDEX,
        redis_key_prefix=REDIS_PREFIX,
        mcp_call_timeout_seconds=15,
    )
    # Build (or load) the promotion index before any server needs it, as `make run` does; one
    # worker builds while the others wait, then they load what it saved.
    TEST_SEARCH_INDEX.mkdir(parents=True, exist_ok=True)
    with (TEST_SEARCH_INDEX / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        asyncio.run(build_search_index(settings))
    return settings


def reload_backoffice(path: Path) -> None:
    """Fresh stock and no reservations: the servers read the file on every call."""
    load(generate(20261121, date.today()), path, replace=True)


@pytest.fixture
def fresh_backoffice(backoffice_path: Path) -> Iterator[Path]:
    reload_backoffice(backoffice_path)
    yield backoffice_path
    # A submit renews the golden line in the CRM: the next test must find it due again.
    reload_backoffice(backoffice_path)


@pytest.fixture(scope="session")
async def toolbox(test_settings: Settings) -> AsyncIterator[McpToolbox]:
    """One persistent stdio session per server for the whole run, as the API holds them."""
    async with McpToolbox(test_settings) as box:
        yield box


@pytest.fixture(scope="session")
def service_db_url(tmp_path_factory: pytest.TempPathFactory, test_settings: Settings) -> str:
    """A migrated SQLite service database with the demo accounts."""
    from core.db.migrate import seed

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('service') / 'switchboard.db'}"
    asyncio.run(seed(url, test_settings))
    return url


@pytest.fixture(scope="session")
def app_settings(test_settings: Settings, service_db_url: str) -> Settings:
    """Settings for anything that also needs the service database and checkpoints."""
    return test_settings.model_copy(
        update={"database_url": service_db_url, "checkpoint_ttl_seconds": 3600}
    )


@pytest.fixture(scope="session")
async def graph_runtime(app_settings: Settings) -> AsyncIterator[GraphRuntime]:
    async with open_graph_runtime(app_settings) as runtime:
        yield runtime
