"""Per-request HTTP metrics: one ASGI layer around the whole app (CORS refusals and 404s too).

Labels come from Litestar's route *template* (`/api/sessions/{session_name:str}`), never the
raw path, so ids cannot multiply the series; a request no route matched is `unmatched`. The
latency is the time to the whole answer, except for event streams (minutes long by design):
those count the time to their headers. An error answer's `code` is read from its envelope
when the body arrives in one piece (all of ours do); cost per request: docs/metrics.md.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any, Final

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.metrics import HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS

METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"})
ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")
MAX_ERROR_BODY: Final = 16_384


def error_code(body: bytes, status: int) -> str:
    """The envelope's `code`, or `HTTP_<status>` when the body is not one of ours."""
    if len(body) <= MAX_ERROR_BODY:
        try:
            code = json.loads(body).get("code")
        except (ValueError, AttributeError):
            code = None
        if isinstance(code, str) and ERROR_CODE.fullmatch(code):
            return code
    return f"HTTP_{status}"


class _Exchange:
    """What one request's response said, as it passes through."""

    __slots__ = ("body", "done", "json", "status")

    def __init__(self) -> None:
        self.status = 0
        self.json = False
        self.body = b""
        self.done = False  # latency already observed (event streams: at their headers)


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = _Exchange()
        method = scope["method"] if scope["method"] in METHODS else "OTHER"  # type: ignore[typeddict-item]

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
                for name, value in message.get("headers") or ():
                    if name.lower() == b"content-type":
                        seen.json = seen.status >= 400 and b"json" in value
                        if value.startswith(b"text/event-stream"):
                            seen.done = True
                            _latency(_route(scope), method).observe(time.perf_counter() - started)
            elif seen.json and message["type"] == "http.response.body":
                seen.body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except BaseException as exc:  # 499: the client went away first (nginx's code)
            seen.status = seen.status or (499 if isinstance(exc, asyncio.CancelledError) else 500)
            raise
        finally:
            route = _route(scope)
            status = seen.status or 500
            if not seen.done:
                _latency(route, method).observe(time.perf_counter() - started)
            _requests(route, method, status).inc()
            if status >= 400:
                HTTP_ERRORS.labels(route, str(status), error_code(seen.body, status)).inc()


# The labelled children, looked up once per label set (labels() takes a lock and validates
# every time); the sets are bounded by the routes, methods and statuses the app has.
_LATENCY: dict[tuple[str, str], Any] = {}
_REQUESTS: dict[tuple[str, str, int], Any] = {}


def _latency(route: str, method: str) -> Any:
    child = _LATENCY.get((route, method))
    if child is None:
        child = _LATENCY[(route, method)] = HTTP_LATENCY.labels(route, method)
    return child


def _requests(route: str, method: str, status: int) -> Any:
    child = _REQUESTS.get((route, method, status))
    if child is None:
        child = _REQUESTS[(route, method, status)] = HTTP_REQUESTS.labels(route, method, status)
    return child


def _route(scope: Scope) -> str:
    template = scope.get("path_template")
    return template if isinstance(template, str) and template else "unmatched"
