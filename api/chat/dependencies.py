"""The startup hook that builds the chat service once, and the route dependencies."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide

from api.chat.access import Caller, CustomerTokens, resolve_caller
from api.chat.services import ChatService
from api.runtime import Runtime


def install_chat(app: Litestar) -> None:
    """on_startup: the customer token codec and one ChatService on `app.state`."""
    runtime: Runtime = app.state.runtime
    tokens = CustomerTokens(runtime.settings)
    app.state.customer_tokens = tokens
    app.state.chat_service = ChatService(
        runtime.graphs.supervision,
        runtime.hub,
        runtime.limiter,
        runtime.redis,
        runtime.settings,
        tokens,
    )


def provide_chat_service(state: State) -> ChatService:
    service: ChatService = state.chat_service
    return service


async def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    return await resolve_caller(request)


def provide_ip(request: Request[Any, Any, Any]) -> str:
    """The client address (uvicorn applies X-Forwarded-For from trusted proxies only)."""
    return request.client.host if request.client else "unknown"


CHAT_DEPENDENCIES: dict[str, Provide] = {
    "chat": Provide(provide_chat_service, sync_to_thread=False),
    "caller": Provide(provide_caller),
    "ip": Provide(provide_ip, sync_to_thread=False),
}
