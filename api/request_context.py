"""Every log line of a request carries its id (the one `X-Request-ID` echoes) and what is known
of the request when the line is written: method, route template, user, status, elapsed ms.

The outermost ASGI layer binds them, so Litestar's handlers, our services, the libraries they
call (httpx, openai, mcp) and uvicorn's access line (written when the response starts, inside
this call) all log them. Routing and authentication happen further in, on the same `scope`, so
the route and the user are read from it per line rather than copied once. When the response
has ended, one `request_finished` line gives the full latency (an SSE stream's included).
"""

from __future__ import annotations

import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import request_id_of
from core.logging import get_logger, request_context

log = get_logger("api.request")


class _Request:
    """What the log lines of one request say about it."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.started = time.perf_counter()
        self.status: int | None = None

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)

    def fields(self) -> dict[str, Any]:
        scope: Any = self.scope
        user = scope.get("user")
        return {
            "method": scope.get("method"),
            "route": scope.get("path_template"),
            "user_id": getattr(user, "user_id", None),
            "role": getattr(user, "role", None),
            "status": self.status,
            "latency_ms": self.elapsed_ms(),
        }


class RequestLogContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = _Request(scope)

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                request.status = message["status"]
            await send(message)

        with request_context(request_id_of(scope), request.fields):
            try:
                await self.app(scope, receive, send_noting_status)
            except Exception:  # answered 500 by uvicorn (a cancelled client keeps its None)
                request.status = request.status or 500
                raise
            finally:
                if scope["type"] == "http":
                    log.info("request_finished", path=scope.get("path"))
