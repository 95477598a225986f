"""Fixtures: the three MCP servers over streamable HTTP, as separate processes (any suite)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.settings import ROOT, Settings
from tools.mcp import SERVERS, McpToolbox, server_env


def child_pids(module: str, parent: int | None = None) -> list[int]:
    """The stdio children running `python -m <module>` of `parent` (default: this process)."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and module.encode() in cmdline:
            found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open")


@pytest.fixture(scope="session")
def http_server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mcp-logs")


@pytest.fixture(scope="session")
def http_urls(test_settings: Settings, http_server_logs: Path) -> Iterator[dict[str, str]]:
    env = server_env(test_settings)
    processes, urls = [], {}
    try:
        for name in SERVERS:
            port = free_port()
            log = (http_server_logs / f"{name}.log").open("wb")
            process = subprocess.Popen(
                [sys.executable, "-m", f"mcp_servers.{name}", "--transport", "http",
                 "--port", str(port)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(process)
            wait_for_port(port, process)
            urls[name] = f"http://127.0.0.1:{port}/mcp"
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


@pytest.fixture(scope="session")
async def http_toolbox(
    test_settings: Settings, http_urls: dict[str, str]
) -> AsyncIterator[McpToolbox]:
    settings = test_settings.model_copy(
        update={f"mcp_{name}_url": url for name, url in http_urls.items()}
    )
    async with McpToolbox(settings) as box:
        yield box


@pytest.fixture(params=["stdio", "http"])
def any_toolbox(request: pytest.FixtureRequest, toolbox: McpToolbox) -> McpToolbox:
    """Each tool test runs over both real transports."""
    if request.param == "stdio":
        return toolbox
    box: McpToolbox = request.getfixturevalue("http_toolbox")
    return box
