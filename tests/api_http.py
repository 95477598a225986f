"""Fixtures: the real API served by uvicorn in its own process, on a free port (any suite)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis import Redis

from core.db.models import DEFAULT_TENANT
from core.db.seed import DEMO_SITE_KEYS
from core.settings import ROOT, Settings
from tests.mcp_http import free_port, wait_for_port
from tests.mcp_http import shared_mcp as shared_mcp_servers
from tools.mcp import SERVERS, server_env

# how the demo widget of tenant `default` speaks: its public site key picks the tenant
WIDGET_HEADERS: dict[str, str] = {"X-Site-Key": DEMO_SITE_KEYS[DEFAULT_TENANT]}


@dataclass
class ApiServer:
    url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        """A client that speaks as the demo widget of tenant `default` (its public site key on
        every request: `/api/conversation/new` needs it; other routes ignore it)."""
        kwargs.setdefault("headers", WIDGET_HEADERS)
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


def api_env(settings: Settings, port: int, *, stdio_mcp: bool = True) -> dict[str, str]:
    """The API's environment. `stdio_mcp=False`: connect to the test process's HTTP MCP servers
    (`tests.mcp_http.shared_mcp`) instead of starting stdio children of its own (the default
    here, for the benchmarks that time a whole server tree)."""
    env = server_env(settings)
    if not stdio_mcp and not any(getattr(settings, f"mcp_{name}_url") for name in SERVERS):
        for name, url in shared_mcp_servers(settings).urls.items():
            env[f"MCP_{name.upper()}_URL"] = url
    env.update(
        APP_ENV="test", APP_PORT=str(port), DATABASE_URL=settings.database_url,
        CHECKPOINT_TTL_SECONDS=str(settings.checkpoint_ttl_seconds or 3600), LOG_JSON="true",
        JWT_SECRET="test-secret-" + "x" * 32,
    )  # fmt: skip
    return env


def start_api(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "api"], env=env, cwd=ROOT, stdout=out,
                            stderr=subprocess.STDOUT)  # fmt: skip


def stop_api(process: subprocess.Popen[bytes], *, hard: bool = False) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL if hard else signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def running_api(
    settings: Settings, log: Path, *, stdio_mcp: bool = False, **env: str
) -> Iterator[ApiServer]:
    """The API on a free port with `settings` plus extra environment, stopped on exit; its MCP
    servers are the shared HTTP ones unless `stdio_mcp` (then children of its own, the default
    configuration, which the session's `api_server` runs)."""
    port = free_port()
    environment = {**api_env(settings, port, stdio_mcp=stdio_mcp), **env}
    process = start_api(environment, log)
    try:
        wait_for_port(port, process, timeout=120)
        yield ApiServer(f"http://127.0.0.1:{port}", process, environment, log)
    finally:
        stop_api(process)


@pytest.fixture(scope="session")
def api_server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with running_api(
        app_settings, tmp_path_factory.mktemp("api") / "api.log", stdio_mcp=True
    ) as server:
        yield server


@contextmanager
def own_api_server(
    app_settings: Settings, folder: Path, name: str, *, stdio_mcp: bool = False, **env: str
) -> Iterator[ApiServer]:
    """An API process of a test's own: a new seeded service database in `folder`, a Redis key
    prefix `sbtest-<name>-<random>` and extra environment (a model endpoint, a limit). For tests
    that change shared things (shift hours, accounts) or need other settings than `api_server`."""
    from core.db.migrate import seed

    url = f"sqlite+aiosqlite:///{folder / 'switchboard.db'}"
    asyncio.run(seed(url, app_settings))
    prefix = f"sbtest-{name}-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})
    try:
        with running_api(settings, folder / "api.log", stdio_mcp=stdio_mcp, **env) as server:
            yield server
    finally:
        redis = Redis.from_url(settings.redis_url)
        keys = [
            key
            for pattern in (f"{prefix}:*", f"{{{prefix}:*")  # hash-tagged keys too
            for key in redis.scan_iter(match=pattern, count=5000)
        ]
        if keys:
            redis.unlink(*keys)
        redis.close()


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll `check` until it holds or `seconds` pass: for what the service does just after its
    answer (an archived turn, a mail, a message the other side sees). Assert on the result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
