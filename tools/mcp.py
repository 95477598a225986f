"""The one way to open MCP sessions: one persistent session per back-office server.

`MultiServerMCPClient.get_tools()` opens a session per call (a new stdio process each time, 1.3 s);
here each server gets one session at startup, owned by its own task (an MCP session must be
entered and exited in the same task) and shared by every caller. Graph nodes call tools through
`McpToolbox.call()` (structured results, typed errors); the chat model gets LangChain tools from
`McpToolbox.langchain_tools()` (loaded with `load_mcp_tools`). A dead server is reconnected on the
next call; the failing call gets `Unavailable` instead of hanging.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable
from contextlib import suppress
from datetime import timedelta
from typing import Annotated, Any

from langchain_core.tools import BaseTool, InjectedToolArg, ToolException
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.sessions import Connection
from langchain_mcp_adapters.tools import load_mcp_tools
from mcp import ClientSession
from mcp.types import (
    CallToolRequest,
    CallToolRequestParams,
    CallToolResult,
    ClientRequest,
    TextContent,
)
from prometheus_client import Counter

from core.errors import InvalidInput, SwitchboardError, Unavailable, error_from_code
from core.logging import get_logger
from core.settings import ROOT, Settings

log = get_logger(__name__)

SERVERS: tuple[str, ...] = ("crm", "pos", "promotion")
TOOL_CALLS = Counter(
    "switchboard_mcp_tool_calls_total",
    "Back-office tool calls made through McpToolbox.call, by tool and outcome",
    ["tool", "outcome"],  # outcome: ok | refused (the tool answered an error) | unavailable
)
# Settings a stdio child must see as we see them (a child only inherits a few variables).
_CHILD_SETTINGS = (
    "app_env", "log_level", "log_json", "backoffice_db_path", "demo_seed", "search_backend",
    "search_index_dir", "azure_search_endpoint", "azure_search_key", "azure_search_index",
    "azure_search_semantic_config", "embedding_backend", "redis_url", "redis_key_prefix",
)  # fmt: skip


def server_env(settings: Settings) -> dict[str, str]:
    """The environment a server process needs to see our settings (stdio children or HTTP)."""
    env = {**os.environ, "FASTMCP_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    for field in _CHILD_SETTINGS:
        value = getattr(settings, field)
        if value is not None:
            env[field.upper()] = str(value)
    return env


def connections(settings: Settings, servers: Iterable[str] = SERVERS) -> dict[str, Connection]:
    """Streamable HTTP when `MCP_<NAME>_URL` is set, else a stdio child running our server."""
    env = server_env(settings)
    result: dict[str, Connection] = {}
    for name in servers:
        url = getattr(settings, f"mcp_{name}_url")
        if url:
            timeout = timedelta(seconds=settings.mcp_call_timeout_seconds)
            result[name] = {"transport": "streamable_http", "url": url, "timeout": timeout}
        else:
            args = ["-m", f"mcp_servers.{name}"]
            result[name] = {
                "transport": "stdio",
                "command": sys.executable,
                "args": args,
                "env": env,
                "cwd": str(ROOT),
            }
    return result


class _Link:
    """One server's session, kept open by a dedicated task until `close()`."""

    def __init__(self, name: str, client: MultiServerMCPClient) -> None:
        self.name = name
        self._client = client
        self.session: ClientSession | None = None
        self.tools: list[BaseTool] = []
        self.wrapped: set[str] = set()  # tools whose list results FastMCP wraps as {"result": ...}
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done() and self.session is not None

    async def open(self) -> None:
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._own(ready), name=f"mcp-{self.name}")
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
                self.tools = await load_mcp_tools(session, server_name=self.name)
                self.session = session
                ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(Unavailable(f"MCP server {self.name!r} did not start: {exc}"))
            elif not isinstance(exc, asyncio.CancelledError):
                log.warning("mcp_session_lost", server=self.name, error=type(exc).__name__)
        finally:
            self.session = None

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            with suppress(BaseException):
                await asyncio.wait_for(self._task, timeout=5)
            if not self._task.done():
                self._task.cancel()


class McpToolbox:
    """Persistent sessions to the back-office servers; open once, share everywhere."""

    def __init__(self, settings: Settings, servers: Iterable[str] = SERVERS) -> None:
        self._settings = settings
        self._client = MultiServerMCPClient(connections(settings, servers))  # type: ignore[arg-type]
        self._links = {name: _Link(name, self._client) for name in servers}
        self._server_of: dict[str, str] = {}
        self._reconnect_lock = asyncio.Lock()

    async def __aenter__(self) -> McpToolbox:
        await asyncio.gather(*(link.open() for link in self._links.values()))
        self._index_tools()
        log.info("mcp_sessions_opened", servers=list(self._links), tools=len(self._server_of))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(link.close() for link in self._links.values()))

    def _index_tools(self) -> None:
        for link in self._links.values():
            for tool in link.tools:
                self._server_of[tool.name] = link.name

    def langchain_tools(self, names: Iterable[str] | None = None) -> list[BaseTool]:
        """LangChain tools for a chat model (errors come back as error ToolMessages).

        Each one calls through the server's *current* session, so a tool list handed to a graph
        at startup keeps working after its server was reconnected.
        """
        wanted = set(names) if names is not None else None
        tools = [t for link in self._links.values() for t in link.tools]
        return [self._live(t) for t in tools if wanted is None or t.name in wanted]

    def _live(self, tool: BaseTool) -> BaseTool:
        name = tool.name

        async def call_current(
            runtime: Annotated[object | None, InjectedToolArg()] = None, **arguments: Any
        ) -> Any:
            for attempt in (1, 2):  # models get read-only tools: one retry after a reconnect
                link = await self._link_for(name)
                current = next(t for t in link.tools if t.name == name)
                coroutine = getattr(current, "coroutine", None)
                if coroutine is None:
                    raise Unavailable(f"MCP tool {name!r} cannot be called asynchronously")
                try:
                    return await coroutine(runtime=runtime, **arguments)
                except ToolException:
                    raise  # the tool answered with an error: the model sees it
                except Exception as exc:
                    await link.close()  # transport failure: reconnect on the next attempt
                    if attempt == 2:
                        raise Unavailable(f"MCP server {link.name!r} failed: {exc!r}") from exc
            raise AssertionError("unreachable")

        return tool.model_copy(update={"coroutine": call_current})

    async def _link_for(self, tool: str) -> _Link:
        server = self._server_of.get(tool)
        if server is None:
            raise InvalidInput(f"unknown tool {tool!r}")
        link = self._links[server]
        if not link.alive:
            async with self._reconnect_lock:
                if not link.alive:
                    log.info("mcp_reconnect", server=server)
                    await link.close()
                    await link.open()
                    self._index_tools()
        return link

    async def call(self, tool: str, **arguments: Any) -> Any:
        """Call a tool and return its structured result, or raise a typed `SwitchboardError`."""
        try:
            result = await self._call(tool, arguments)
        except Unavailable:
            TOOL_CALLS.labels(tool, "unavailable").inc()
            raise
        except SwitchboardError:
            TOOL_CALLS.labels(tool, "refused").inc()
            raise
        TOOL_CALLS.labels(tool, "ok").inc()
        return result

    async def _call(self, tool: str, arguments: dict[str, Any]) -> Any:
        link = await self._link_for(tool)
        session = link.session
        if session is None:
            raise Unavailable(f"MCP server {link.name!r} is not connected")
        timeout = self._settings.mcp_call_timeout_seconds
        try:
            async with asyncio.timeout(timeout):  # no extra task per call, as wait_for makes
                result = await _call_tool(session, tool, arguments)
        except TimeoutError:
            raise Unavailable(
                f"MCP server {link.name!r} did not answer {tool} in {timeout:g}s"
            ) from None
        except SwitchboardError:
            raise
        except Exception as exc:  # transport failure: drop the session, reconnect next time
            await link.close()
            raise Unavailable(
                f"MCP server {link.name!r} failed during {tool}: {type(exc).__name__}"
            ) from exc
        return _unpack(tool, result, tool in link.wrapped)


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
