"""stdio for the back-office servers without a worker thread per message.

The MCP SDK's `stdio_server()` reads stdin and writes stdout through `anyio.wrap_file`, so every
line in and every message out is a hop to a worker thread and back (a fifth of the CRM server's
CPU under load, plus a GIL hand-off each way). Here stdin and stdout are asyncio pipes handed to
that same `stdio_server()`; the rest follows FastMCP's `run_stdio_async`. When stdin or stdout
is not a pipe (a file, say), the server runs FastMCP's own stdio instead.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from typing import Any

from fastmcp import FastMCP
from fastmcp.server.context import reset_transport, set_transport
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

# An MCP message is one line; a long list of results is well above asyncio's 64 KiB default.
MAX_LINE_BYTES = 64 * 1024 * 1024


class PipeLines:
    """stdin as the async iterator of text lines that `stdio_server()` reads."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> str:
        line = await self.reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class PipeText:
    """stdout as the `write` + `flush` text file that `stdio_server()` writes to."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    async def write(self, text: str) -> None:
        self.writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self.writer.drain()


def _is_pipe(stream: Any) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def open_pipes() -> tuple[PipeLines, PipeText]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), sys.stdout
    )
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return PipeLines(reader), PipeText(writer)


async def run_stdio(server: FastMCP) -> None:
    """`server` over this process's stdin/stdout, as `FastMCP.run_stdio_async` runs it."""
    stdin, stdout = await open_pipes()
    token = set_transport("stdio")
    try:
        async with (
            server._lifespan_manager(),
            stdio_server(stdin, stdout) as (read_stream, write_stream),  # type: ignore[arg-type]
        ):
            options = server._mcp_server.create_initialization_options(
                notification_options=NotificationOptions(tools_changed=True)
            )
            await server._mcp_server.run(read_stream, write_stream, options)
    finally:
        reset_transport(token)


def serve_stdio(server: FastMCP) -> None:
    if _is_pipe(sys.stdin) and _is_pipe(sys.stdout):
        asyncio.run(run_stdio(server))
    else:
        server.run(transport="stdio", show_banner=False)
