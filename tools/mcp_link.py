"""One server's MCP session and how a single `tools/call` travels over it.

`McpToolbox` (tools/mcp.py) owns one `McpLink` per back-office server; the link keeps the
session open in a task of its own (an MCP session must be entered and exited in one task).

A call in flight when the link dies is cut at once (`LinkLost`) instead of waiting out the call
timeout: the MCP client fails pending requests when the server's stdout ends, but a request sent
after that moment (and before the write to the dead child's stdin fails and ends the session) has
no reader left and used to hang for `MCP_CALL_TIMEOUT_SECONDS` (CI caught one: a renewal's
list-plans got "did not answer in 10s" after `kill -9` of the Promotion child).
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

import anyio
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools
from mcp import ClientSession
from mcp.shared.exceptions import McpError
from mcp.types import (
    CONNECTION_CLOSED,
    CallToolRequest,
    CallToolRequestParams,
    CallToolResult,
    ClientRequest,
    TextContent,
)

from core.errors import SwitchboardError, Unavailable, error_from_code
from core.logging import get_logger
from core.metrics import MCP_SERVER_UP

log = get_logger(__name__)

CLOSE_SECONDS = 5.0  # a session's clean exit, then its cancellation, each at most this long

# Raised when a request is sent on a transport that is already closed: it never reached the
# server, so sending it again on a new session cannot run it twice.
NOT_DELIVERED = (anyio.ClosedResourceError, anyio.BrokenResourceError)


class ServerLost(Unavailable):
    """The server process went away: before the request was written (`delivered` False, safe
    to send again) or while it was being answered (safe only for its `read_only` tools)."""

    def __init__(self, message: str, *, delivered: bool, read_only: set[str]) -> None:
        super().__init__(message)
        self.delivered, self.read_only = delivered, read_only


class McpLink:
    """One server's session, kept open by a dedicated task until `close()`."""

    def __init__(self, name: str, client: MultiServerMCPClient) -> None:
        self.name = name
        self._client = client
        self.session: ClientSession | None = None
        self.tools: list[BaseTool] = []
        self.wrapped: set[str] = set()  # tools whose list results FastMCP wraps as {"result": ...}
        self.read_only: set[str] = set()  # tools the server marks readOnlyHint: safe to resend
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._calls: set[asyncio.Task[Any]] = set()  # callers waiting on this session
        self._cut: set[asyncio.Task[Any]] = set()  # ... that the link's end cancelled

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done() and self.session is not None

    async def open(self) -> None:
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._own(ready), name=f"mcp-{self.name}")
        self._task.add_done_callback(self._cut_calls)
        await ready

    async def _own(self, ready: asyncio.Future[None]) -> None:
        try:
            async with self._client.session(self.name) as session:
                listed = await session.list_tools()
                self.wrapped = {
                    t.name
                    for t in listed.tools
                    if (t.outputSchema or {}).get("x-fastmcp-wrap-result")
                }
                self.read_only = {
                    t.name for t in listed.tools if t.annotations and t.annotations.readOnlyHint
                }
                self.tools = await load_mcp_tools(session, server_name=self.name)
                self.session = session
                MCP_SERVER_UP.labels(self.name).set(1)
                ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(Unavailable(f"MCP server {self.name!r} did not start: {exc}"))
            elif not isinstance(exc, asyncio.CancelledError):
                log.warning("mcp_session_lost", server=self.name, error=type(exc).__name__)
        finally:
            self.session = None
            MCP_SERVER_UP.labels(self.name).set(0)

    def _cut_calls(self, _: asyncio.Task[None]) -> None:
        """The session ended: nobody will answer the calls still waiting on it."""
        for caller in self._calls:
            self._cut.add(caller)
            caller.cancel()

    async def close(self, within: float = CLOSE_SECONDS) -> None:
        """End the session: a clean exit `within` seconds, else cancelled, and never waited
        on for longer than that again. `asyncio.wait_for` (3.11) waits after its timeout
        until the cancelled task has finished; a session whose cleanup never finished held
        the API's shutdown until its 25 s stack-dump budget, and a test worker forever."""
        self._stop.set()
        task = self._task
        if task is None or task.done():
            return
        # suppressed: a caller closing the link after its call failed may be cancelled by the
        # link's own end meanwhile (`_cut_calls`); it goes on to raise ServerLost
        with suppress(BaseException):
            await asyncio.wait({task}, timeout=within)
        if not task.done():
            task.cancel()
            with suppress(BaseException):
                await asyncio.wait({task}, timeout=within)
        if not task.done():  # the child gets end of file when this process exits
            log.warning("mcp_session_close_stuck", server=self.name)

    async def call(self, tool: str, arguments: dict[str, Any], within: float) -> Any:
        """Send one `tools/call` and unpack its result; `ServerLost` when the link dies under
        it, `Unavailable` on a timeout or another transport failure (the link is then closed)."""
        session = self.session
        if session is None:
            raise Unavailable(f"MCP server {self.name!r} is not connected")
        caller = asyncio.current_task()
        assert caller is not None
        self._calls.add(caller)
        try:
            async with asyncio.timeout(within):  # no extra task per call, as wait_for makes
                result = await _call_tool(session, tool, arguments)
        except asyncio.CancelledError:
            if caller not in self._cut:
                raise  # the caller itself was cancelled (a client hung up)
            self._cut.discard(caller)
            if caller.uncancel() > 0:
                raise  # cancelled from outside as well
            raise ServerLost(
                f"MCP server {self.name!r} went away during {tool}",
                delivered=True,
                read_only=self.read_only,
            ) from None
        except TimeoutError:
            raise Unavailable(
                f"MCP server {self.name!r} did not answer {tool} in {within:g}s"
            ) from None
        except SwitchboardError:
            raise
        except Exception as exc:  # transport failure: drop the session, reconnect next time
            await self.close()
            message = f"MCP server {self.name!r} failed during {tool}: {type(exc).__name__}"
            if isinstance(exc, NOT_DELIVERED) or _connection_closed(exc):
                delivered = not isinstance(exc, NOT_DELIVERED)
                raise ServerLost(message, delivered=delivered, read_only=self.read_only) from exc
            raise Unavailable(message) from exc
        finally:
            self._calls.discard(caller)
            self._cut.discard(caller)
        return _unpack(tool, result, tool in self.wrapped)


def _connection_closed(exc: BaseException) -> bool:
    return isinstance(exc, McpError) and exc.error.code == CONNECTION_CLOSED


async def _call_tool(
    session: ClientSession, tool: str, arguments: dict[str, Any]
) -> CallToolResult:
    """`tools/call` without `ClientSession.call_tool`'s client-side re-validation: that runs
    `jsonschema.validate`, which re-checks the whole output schema against its metaschema on
    every call (4-8 ms, most of a call's cost). Our servers build structured content from their
    pydantic return types, so it matches the schema by construction."""
    request = ClientRequest(
        CallToolRequest(params=CallToolRequestParams(name=tool, arguments=arguments))
    )
    return await session.send_request(request, CallToolResult)


def _unpack(tool: str, result: CallToolResult, wrapped: bool) -> Any:
    text = "".join(c.text for c in result.content if isinstance(c, TextContent))
    if result.isError:
        try:
            payload = json.loads(text)
            raise error_from_code(payload["error_code"], payload["message"])
        except (ValueError, KeyError, TypeError):
            raise SwitchboardError(f"{tool} failed: {text}") from None
    if result.structuredContent is not None:
        data = result.structuredContent
        return data["result"] if wrapped and isinstance(data, dict) and "result" in data else data
    return json.loads(text) if text else None
