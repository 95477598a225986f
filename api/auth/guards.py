"""Who may call what: bearer-token authentication for every route, then role guards.

The middleware runs on every route except those marked `exclude_from_auth=True` (login,
refresh, health, the docs), so a new route is protected unless it says otherwise. It answers 401
(missing, malformed, expired, revoked or outdated token); the guards answer 403 (wrong role).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Guard, Receive, Scope, Send

from api.auth.services import AuthService, Principal
from api.auth.tokens import TokenCodec
from core.db.models import UserRole
from core.errors import Forbidden, Unauthorized
from graphs.supervision.service import CALLER_TENANT

# Role sets of the service's three areas.
STORE_ROLES = frozenset({UserRole.SALES.value, UserRole.MANAGER.value, UserRole.ADMIN.value})
SERVICE_ROLES = frozenset({UserRole.AGENT.value, UserRole.ADMIN.value})
ADMIN_ROLES = frozenset({UserRole.ADMIN.value})  # a tenant's admin: their own tenant only
PLATFORM_ROLES = frozenset({UserRole.PLATFORM_ADMIN.value})  # tenants themselves
ANY_ROLE = frozenset(r.value for r in UserRole)

DOCS_PATHS = ["^/schema", "^/docs"]


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token", code="UNAUTHORIZED")
    return token.strip()


class JwtAuthMiddleware(AbstractAuthenticationMiddleware):
    """Puts the `Principal` on `request.user` and the token claims on `request.auth`."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        service: AuthService = connection.app.state.auth
        principal = await service.authenticate(bearer_token(connection))
        return AuthenticationResult(user=principal, auth=principal.claims)


class CallerTenant:
    """Sets `CALLER_TENANT` from the bearer token's `tid` before anything else runs, on every
    route (the routes customers share with agents skip `JwtAuthMiddleware`, and a value set
    inside a dependency would not reach the handler: Litestar resolves dependencies in tasks of
    their own). Only a token with our signature counts; whether it is still valid is decided
    by the authentication that follows, which also checks `tid` against the account."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = Headers.from_scope(scope).get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                codec: TokenCodec = scope["app"].state.auth.codec
                tenant = codec.signed_tenant(token.strip())
                if tenant is not None:  # not our signature: refused later
                    CALLER_TENANT.set(tenant)  # "": no tenant
        await self.app(scope, receive, send)


def requires_role(*roles: frozenset[str] | str) -> Guard:
    """A guard admitting the listed roles (sets or single role names)."""
    allowed: frozenset[str] = frozenset().union(
        *(r if isinstance(r, frozenset) else {r} for r in roles)
    )

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        # async on purpose: Litestar runs a sync guard in its thread pool, a thread hop on every
        # request that waits for the GIL while the event loop is busy
        principal = connection.scope.get("user")
        if not isinstance(principal, Principal):
            raise Unauthorized("not authenticated", code="UNAUTHORIZED")
        if principal.role not in allowed:
            raise Forbidden(
                f"role {principal.role} may not use this route",
                code="FORBIDDEN",
                allowed_roles=sorted(allowed),
            )

    guard.__name__ = f"requires_{'_'.join(sorted(allowed))}"
    return guard


store_staff = requires_role(STORE_ROLES)
customer_service = requires_role(SERVICE_ROLES)
admin_only = requires_role(ADMIN_ROLES)
platform_admin_only = requires_role(PLATFORM_ROLES)
any_user = requires_role(ANY_ROLE)
