"""Every log line of a request carries its id (the one `X-Request-ID` echoes).

The outermost ASGI layer binds it, so Litestar's handlers, our services, the libraries they call
(httpx, openai, mcp) and uvicorn's access line (written when the response starts, inside this
call) all log it.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from api.errors import request_id_of
from core.logging import request_context


class RequestLogContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with request_context(request_id_of(scope)):
            await self.app(scope, receive, send)
