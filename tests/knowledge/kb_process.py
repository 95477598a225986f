"""Talking to the knowledge MCP server as a separate process: start it, kill it, call its tools.

Shared by the server's end-to-end tests (test_server.py) and its restart and settings tests
(test_server_restart.py); the per-module database is the `database_url` fixture in conftest.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from core.settings import ROOT
from tests.mcp_http import free_port, wait_for_port


class ServerProcess:
    """`python -m mcp_servers.knowledge` over HTTP; start, kill -9, start again."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "test",
                    "FASTMCP_LOG_LEVEL": "WARNING"}  # fmt: skip
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def start(self) -> None:
        port = free_port()
        self.starts += 1
        log = (self.log_dir / f"knowledge-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mcp_servers.knowledge", "--transport", "http",
             "--port", str(port)],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(port, self.process)
        self.url = f"http://127.0.0.1:{port}/mcp"

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Client[Any]]:
    async with Client(url, timeout=60) as client:
        yield client


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def call(client: Client[Any], tool: str, **arguments: Any) -> Any:
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    if result.is_error:
        raise CodedError(json.loads(result.content[0].text))  # type: ignore[union-attr]
    data = result.structured_content or {}
    return data.get("result", data) if set(data) == {"result"} else data


class CodedError(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.code = body["error_code"]
        self.body = body


async def refused(client: Client[Any], tool: str, **arguments: Any) -> CodedError:
    with pytest.raises(CodedError) as caught:
        await call(client, tool, **arguments)
    assert caught.value.body["success"] is False
    return caught.value


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def upload(client: Client[Any], tenant_id: str, filename: str, data: bytes,
                 **extra: Any) -> dict[str, Any]:  # fmt: skip
    return await call(client, "ingest_document", tenant_id=tenant_id, filename=filename,
                      content_base64=b64(data), **extra)  # fmt: skip


async def wait_done(client: Client[Any], tenant_id: str, document_id: str,
                    wait_s: float = 120) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        status = await call(client, "document_status", tenant_id=tenant_id,
                            document_id=document_id)  # fmt: skip
        if status["status"] in ("ready", "failed"):
            return status
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{document_id} still {status['status']}")
