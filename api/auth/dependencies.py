"""Dependencies of the auth routes and the startup hook that builds the auth service once."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.services import AuthService, ClientInfo, Principal
from api.auth.stamps import AccountStamps
from api.auth.tokens import Denylist, TokenCodec
from api.runtime import Runtime
from api.tenants.gate import TenantGate
from core.errors import Unauthorized


def install_auth(app: Litestar) -> None:
    """on_startup: after the runtime is open, keep one AuthService on `app.state.auth`."""
    runtime: Runtime = app.state.runtime
    settings = runtime.settings
    prefix = settings.redis_key_prefix
    app.state.tenants = TenantGate(runtime.sessions, runtime.redis, prefix, settings.database_url)
    app.state.auth = AuthService(
        runtime.sessions,
        TokenCodec(settings),
        Denylist(runtime.redis, prefix),
        AccountStamps(runtime.redis, prefix, settings.database_url),
        app.state.tenants,
    )


def provide_auth_service(state: State) -> AuthService:
    service: AuthService = state.auth
    return service


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthorized("not authenticated", code="UNAUTHORIZED")
    return user


def provide_client(request: Request[Any, Any, Any]) -> ClientInfo:
    return ClientInfo(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


AUTH_DEPENDENCIES: dict[str, Provide] = {
    "auth": Provide(provide_auth_service, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "client": Provide(provide_client, sync_to_thread=False),
}
