"""Fixtures: the real API served by uvicorn in its own process, on a free port (any suite)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.settings import ROOT, Settings
from tests.mcp_http import free_port, wait_for_port
from tools.mcp import server_env


@dataclass
class ApiServer:
    url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


def api_env(settings: Settings, port: int) -> dict[str, str]:
    env = server_env(settings)
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


@pytest.fixture(scope="session")
def api_server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    port = free_port()
    env = api_env(app_settings, port)
    log = tmp_path_factory.mktemp("api") / "api.log"
    process = start_api(env, log)
    try:
        wait_for_port(port, process, timeout=120)
        yield ApiServer(f"http://127.0.0.1:{port}", process, env, log)
    finally:
        stop_api(process)
