"""stdio for the back-office servers: the pipe read and written by the server session itself.

The MCP SDK's `stdio_server()` reads stdin and writes stdout through `anyio.wrap_file`, so every
line in and every message out is a hop to a worker thread and back (a fifth of the CRM server's
CPU under load, plus a GIL hand-off each way). Even over asyncio pipes it keeps a reader task and
a writer task joined to the session by two anyio memory streams: each message in and each one
out is a hand-over between tasks (a send that waits for the receiver, a wake-up, a switch).
Here the session reads its messages straight from the stdin pipe (`PipeMessages`: one line, one
message, parsed as `stdio_server()` parses it) and its responses are written to the stdout pipe
by the task that sends them (`PipeSender`: the same JSON, a line each, then `drain`), so a call
costs no task hand-over in the transport. The rest follows FastMCP's `run_stdio_async`. When
stdin or stdout is not a pipe (a file, say), the server runs FastMCP's own stdio instead.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from types import TracebackType
from typing import Any

import anyio
from fastmcp import FastMCP
from fastmcp.server.context import reset_transport, set_transport
from mcp.server.lowlevel.server import NotificationOptions
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCMessage

# An MCP message is one line; a long list of results is well above asyncio's 64 KiB default.
MAX_LINE_BYTES = 64 * 1024 * 1024


class _Closable:
    """The `async with` / `aclose()` part of an anyio stream, which the session uses."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class PipeMessages(_Closable):
    """stdin as the receive stream of the server session: each line parsed into a message, or
    the parse error itself (the session reports it to the client), until end of file or
    `aclose()`."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    def __aiter__(self) -> PipeMessages:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        if self.closed:
            raise StopAsyncIteration
        line = await self.reader.readline()
        if not line:
            raise StopAsyncIteration
        try:
            message = JSONRPCMessage.model_validate_json(line.decode("utf-8", errors="replace"))
        except Exception as exc:
            return exc
        return SessionMessage(message)


class PipeSender(_Closable):
    """stdout as the send stream of the server session: one JSON line a message, flushed (a
    write to the pipe transport is whole, so concurrent responses never interleave)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    async def send(self, item: SessionMessage) -> None:
        if self.closed:
            raise anyio.ClosedResourceError
        text = item.message.model_dump_json(by_alias=True, exclude_none=True)
        try:
            self.writer.write(text.encode("utf-8") + b"\n")
            await self.writer.drain()
        except (ConnectionError, BrokenPipeError) as exc:  # the client went away
            raise anyio.BrokenResourceError from exc


def _is_pipe(stream: Any) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def open_pipes() -> tuple[PipeMessages, PipeSender]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), sys.stdout
    )
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return PipeMessages(reader), PipeSender(writer)


async def run_stdio(server: FastMCP) -> None:
    """`server` over this process's stdin/stdout, as `FastMCP.run_stdio_async` runs it."""
    read_stream, write_stream = await open_pipes()
    token = set_transport("stdio")
    try:
        async with server._lifespan_manager():
            options = server._mcp_server.create_initialization_options(
                notification_options=NotificationOptions(tools_changed=True)
            )
            await server._mcp_server.run(read_stream, write_stream, options)  # type: ignore[arg-type]
    finally:
        reset_transport(token)


def serve_stdio(server: FastMCP) -> None:
    if _is_pipe(sys.stdin) and _is_pipe(sys.stdout):
        asyncio.run(run_stdio(server))
    else:
        server.run(transport="stdio", show_banner=False)
