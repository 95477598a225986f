"""What the three back-office MCP servers share: construction, error codes, the command line.

A tool raises a `SwitchboardError`; `coded` (wrapped around every tool by `tools_of`) turns it
into an MCP tool error whose text is seed 000 A.2's JSON `{"success": false, "error_code",
"message"}`. Argument validation happens before the tool runs, so `timed_and_coded` (around
every call) codes those. The caller always gets a machine-readable code; the server never dies
on bad input.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError, ValidationError
from fastmcp.server.middleware import Middleware, MiddlewareContext
from fastmcp.server.middleware.dereference import DereferenceRefsMiddleware
from fastmcp.server.providers.base import hashed_lookup_target
from fastmcp.server.tasks.config import TaskMeta
from fastmcp.tools import Tool
from fastmcp.utilities.versions import VersionSpec
from mcp.types import ToolAnnotations
from pydantic import ValidationError as PydanticValidationError

from core.errors import SwitchboardError
from core.heap import freeze_startup_heap
from core.logging import configure_logging, get_logger
from core.national_id import mask_in_text
from core.settings import get_settings
from mcp_servers.stdio import serve_stdio

log = get_logger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def error_text(code: str, message: str) -> str:
    return json.dumps(
        {"success": False, "error_code": code, "message": mask_in_text(message)},
        ensure_ascii=False,
    )


def _validation_message(exc: Exception) -> str:
    cause = exc.__cause__ if isinstance(exc.__cause__, PydanticValidationError) else exc
    if isinstance(cause, PydanticValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
            for e in cause.errors(include_url=False)
        ]
        return "參數錯誤 / invalid arguments: " + "; ".join(parts)
    return f"參數錯誤 / invalid arguments: {exc}"


async def timed_and_coded(tool: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """One tool call: its result's `_meta` stamped with the server-side time it took
    (`server_ms`), and the argument-validation failures FastMCP raises before a tool runs coded.

    A result with `_meta` also reaches the client as a ready `CallToolResult`, which the MCP SDK
    passes through instead of re-validating the structured output against the tool's output
    schema with jsonschema (re-checking the schema itself on every call). FastMCP built that
    output from the tool's pydantic return model, so the second check only cost CPU: 6.8 of the
    7.6 ms a `get_customer` call took on the server. A failed call gets no `server_ms` (its
    error text is the whole answer).
    """
    started = time.perf_counter()
    try:
        result = await call()
    except (ValidationError, PydanticValidationError) as exc:
        message = _validation_message(exc)
        log.info("tool_invalid_arguments", tool=tool, reason=message)
        raise ToolError(error_text("INVALID_INPUT", message)) from None
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    result.meta = {**(result.meta or {}), "server_ms": elapsed}
    return result


class ToolCalls(Middleware):
    """`timed_and_coded` as a middleware, for a chain that has more to run on a `tools/call`
    than ours (`BackOfficeMCP.call_tool` skips the chain when it has not). Entered at
    `__call__`: FastMCP's `Middleware.__call__` builds three handler wrappers per message."""

    async def __call__(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        if context.method != "tools/call":
            return await call_next(context)
        return await timed_and_coded(
            getattr(context.message, "name", "?"), lambda: call_next(context)
        )


class ListsDereferenced(DereferenceRefsMiddleware):
    """FastMCP's default `$ref` inlining for the listings (clients see the same schemas), which
    a `tools/call` now skips at once instead of through its four do-nothing handler frames."""

    async def __call__(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        if context.method == "tools/call":
            return await call_next(context)
        return await super().__call__(context, call_next)


class BackOfficeMCP(FastMCP):
    """FastMCP with a `tools/call` that goes straight to the tool when nothing else is in the way.

    `call_tool`: when the middleware chain is the one `build_server` made (`ToolCalls`, which
    times and codes the call, and `ListsDereferenced`, which does nothing on a call), the call
    runs `timed_and_coded` around FastMCP's own tool call directly, without the chain: its
    request context, the pydantic copy of the call's parameters, a closure per middleware and a
    second FastMCP `Context` around the call were ~10 % of a `get_customer` call's server CPU.
    With any other middleware added, or for a background task, FastMCP's full path runs.

    `get_tool`: the tool lookup of a call resolved once per tool name.

    `FastMCP.get_tool` runs on every `tools/call`: the aggregate provider looks the name up in
    a task group of its own (one task spawned per call), then the session's visibility rules are
    read from the state store, then component auth: ~12 % of a `get_customer` call's server CPU.
    Our servers have one provider (their own tools, registered at import), no transforms, no
    versions, no component auth and no per-session visibility (no tool takes a `Context`), so the
    answer for a name never changes while the registered tool stays the same object. The first
    lookup of a name takes FastMCP's full path; later ones reuse its answer as long as the
    server is still that plain (checked on each call: a transform, another provider, an
    authorised or a replaced tool sends the lookup down the full path again).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolved: dict[str, Tool] = {}

    def _plain(self) -> bool:
        return (
            not self._transforms
            and self.providers == [self._local_provider]
            and not self._local_provider._transforms
            and hashed_lookup_target(self) is None
        )

    async def call_tool(  # type: ignore[override]
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *,
        version: VersionSpec | None = None,
        run_middleware: bool = True,
        task_meta: TaskMeta | None = None,
    ) -> Any:
        direct = super().call_tool
        if run_middleware and task_meta is None and self._own_chain():
            return await timed_and_coded(
                name, lambda: direct(name, arguments, version=version, run_middleware=False)
            )
        return await direct(
            name, arguments, version=version, run_middleware=run_middleware, task_meta=task_meta
        )

    def _own_chain(self) -> bool:
        chain = self.middleware
        return (
            len(chain) == 2 and type(chain[0]) is ToolCalls and type(chain[1]) is ListsDereferenced
        )

    async def get_tool(self, name: str, version: VersionSpec | None = None) -> Tool | None:
        plain = version is None and self._plain()
        if plain:
            tool = self._resolved.get(name)
            if tool is not None and self._local_provider._components.get(tool.key) is tool:
                return tool
        tool = await super().get_tool(name, version)
        if plain and tool is not None and tool.auth is None:
            self._resolved[name] = tool
        return tool


def coded(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn domain errors into coded tool errors (FastMCP would mask them to a bare message)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except SwitchboardError as exc:
            log.info("tool_refused", tool=fn.__name__, code=exc.code, reason=exc.message)
            raise ToolError(error_text(exc.code, exc.message)) from None
        except Exception:
            log.exception("tool_failed", tool=fn.__name__)
            raise ToolError(error_text("INTERNAL_ERROR", "系統內部錯誤 / internal error")) from None

    return wrapper


def tools_of(
    server: FastMCP, *, read_only: bool = False
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """The decorator a server module registers its tools with: coded errors, then FastMCP.

    `read_only` tools carry MCP's `readOnlyHint`: a client may send a call again when the
    server died before answering it (tools/mcp.py does, once, after restarting the server)."""
    annotations = ToolAnnotations(readOnlyHint=True) if read_only else None

    def register(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        server.tool(coded(fn), annotations=annotations)
        return fn

    return register


def build_server(name: str, instructions: str, *, lifespan: Any = None) -> BackOfficeMCP:
    """Every back-office server: timing and coded errors; `lifespan` for a server that owns
    resources (the knowledge server's database engine and ingestion worker)."""
    options: dict[str, Any] = {"lifespan": lifespan} if lifespan is not None else {}
    return BackOfficeMCP(
        name,
        instructions=instructions,
        middleware=[ToolCalls(), ListsDereferenced()],  # FastMCP's order: its own one last
        dereference_schemas=False,  # `ListsDereferenced` does it
        mask_error_details=True,
        **options,
    )


def _quiet_library_loggers() -> None:
    """FastMCP logs tool failures itself, with raw arguments (national IDs) and tracebacks;
    `timed_and_coded` and `coded` already log every failure once, masked: silence its copy."""
    for name in ("fastmcp", "mcp"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def serve(server: FastMCP, argv: Sequence[str] | None = None) -> None:
    """`python -m mcp_servers.<name> [--transport stdio|http] [--host H] [--port P]`."""
    parser = argparse.ArgumentParser(prog=f"python -m mcp_servers.{server.name}")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("FASTMCP_LOG_LEVEL", "WARNING")
    configure_logging(get_settings())
    _quiet_library_loggers()
    freeze_startup_heap()
    if args.transport == "stdio":
        serve_stdio(server)
    else:
        if not args.port:
            parser.error("--port is required with --transport http")
        # `json_response`: a call's answer is the POST's JSON body, not a one-event SSE stream
        # (sse-starlette's response spawns four tasks per request: a third of a `get_customer`
        # call's server CPU). The MCP client reads either; our tools send nothing mid-call
        # (no progress, no log notifications), which is all an SSE answer could add.
        server.run(
            transport="http", host=args.host, port=args.port, show_banner=False,
            log_level="warning", json_response=True,
            uvicorn_config={"log_config": None},  # uvicorn's lines go through core.logging too
        )  # fmt: skip
