"""What the three back-office MCP servers share: construction, error codes, the command line.

A tool raises a `SwitchboardError`; `coded` (wrapped around every tool by `tools_of`) turns it
into an MCP tool error whose text is seed 000 A.2's JSON `{"success": false, "error_code",
"message"}`. Argument validation happens before the tool runs, so `ErrorCodes` middleware codes
those. The caller always gets a machine-readable code; the server never dies on bad input.
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


class ErrorCodes(Middleware):
    """Code the argument-validation failures FastMCP raises before a tool runs."""

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        try:
            return await call_next(context)
        except (ValidationError, PydanticValidationError) as exc:
            message = _validation_message(exc)
            log.info("tool_invalid_arguments", tool=getattr(context.message, "name", "?"),
                     reason=message)  # fmt: skip
            raise ToolError(error_text("INVALID_INPUT", message)) from None


class ServerTiming(Middleware):
    """Stamp each tool result's `_meta` with the server-side time it took (`server_ms`).

    A result with `_meta` also reaches the client as a ready `CallToolResult`, which the MCP SDK
    passes through instead of re-validating the structured output against the tool's output
    schema with jsonschema (re-checking the schema itself on every call). FastMCP built that
    output from the tool's pydantic return model, so the second check only cost CPU: 6.8 of the
    7.6 ms a `get_customer` call took on the server.
    """

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        started = time.perf_counter()
        result = await call_next(context)
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        result.meta = {**(result.meta or {}), "server_ms": elapsed}
        return result


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


def build_server(name: str, instructions: str, *, lifespan: Any = None) -> FastMCP:
    """Every back-office server: timing and coded errors; `lifespan` for a server that owns
    resources (the knowledge server's database engine and ingestion worker)."""
    options: dict[str, Any] = {"lifespan": lifespan} if lifespan is not None else {}
    return FastMCP(
        name,
        instructions=instructions,
        middleware=[ServerTiming(), ErrorCodes()],
        mask_error_details=True,
        **options,
    )


def _quiet_library_loggers() -> None:
    """FastMCP logs tool failures itself, with raw arguments (national IDs) and tracebacks;
    `ErrorCodes` already logs every failure once, masked, so silence the library's copy."""
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
        server.run(
            transport="http", host=args.host, port=args.port, show_banner=False,
            log_level="warning",
            uvicorn_config={"log_config": None},  # uvicorn's lines go through core.logging too
        )  # fmt: skip
