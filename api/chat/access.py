"""Who may touch a chat session: a customer with that session's token, or an agent/admin.

Customers have no account. `POST /api/conversation/new` (with the widget's `X-Site-Key`, which
picks the tenant) hands them a JWT of type `customer` whose `session_name` claim names the one
session it opens and whose `tid` claim its tenant (same secret as staff tokens, but a
different `type`, so neither can stand in for the other). Routes that customers and agents
share are excluded from the staff middleware and resolve the caller here instead; a staff token
goes through the same `AuthService.authenticate` checks as everywhere else (revocation, token
version).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from litestar import Request

from api.auth.guards import SERVICE_ROLES, bearer_token
from api.auth.services import AuthService, Principal
from api.auth.tokens import ALGORITHM
from api.tenants.gate import TenantGate
from core.db.models import UserRole
from core.errors import Forbidden, Unauthorized
from core.settings import Settings

CUSTOMER = "customer"


@dataclass(frozen=True)
class CustomerToken:
    token: str
    expires_in: int


class CustomerTokens:
    """Issues and verifies customer session tokens (stateless: no lookup per request)."""

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.jwt_secret
        self.ttl = settings.customer_token_ttl_hours * 3600

    def issue(self, session_name: str, tenant_id: str, now: int | None = None) -> CustomerToken:
        now = now or int(time.time())
        payload = {
            "type": CUSTOMER,
            "sub": session_name,
            "session_name": session_name,
            "tid": tenant_id,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + self.ttl,
        }
        return CustomerToken(jwt.encode(payload, self.secret, algorithm=ALGORITHM), self.ttl)

    def claims(self, token: str) -> dict[str, Any]:
        """Verified claims of any of our tokens (type not checked yet); 401 when invalid."""
        try:
            data: dict[str, Any] = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "type"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired", code="TOKEN_EXPIRED") from None
        except jwt.PyJWTError:
            raise Unauthorized("invalid token", code="INVALID_TOKEN") from None
        return data


@dataclass(frozen=True)
class Caller:
    """A customer (`session_name` and `tenant_id` of their token) or a staff member
    (`principal`)."""

    session_name: str | None = None
    principal: Principal | None = None
    tenant_id: str | None = None

    @property
    def tenant(self) -> str:
        """The caller's tenant (a platform admin has none: 403)."""
        if self.principal is not None:
            return self.principal.tenant
        if self.tenant_id is None:
            raise Unauthorized("invalid token", code="INVALID_TOKEN")
        return self.tenant_id

    @property
    def is_customer(self) -> bool:
        return self.session_name is not None

    @property
    def is_admin(self) -> bool:
        return self.principal is not None and self.principal.role == UserRole.ADMIN.value

    def require_session(self, session_name: str) -> None:
        """403 unless this is the session's customer or a service agent/admin."""
        if self.session_name is not None:
            if self.session_name != session_name:
                raise Forbidden("this token is for another chat session")
            return
        self.require_agent()

    def require_customer(self, session_name: str) -> None:
        if self.session_name is None:
            raise Forbidden("only the session's customer may speak as the user")
        self.require_session(session_name)

    def require_agent(self) -> Principal:
        if self.principal is None or self.principal.role not in SERVICE_ROLES:
            role = self.principal.role if self.principal else CUSTOMER
            raise Forbidden(
                f"role {role} may not use this route",
                code="FORBIDDEN",
                allowed_roles=sorted(SERVICE_ROLES),
            )
        return self.principal


async def resolve_caller(request: Request[Any, Any, Any]) -> Caller:
    """The caller of a shared route from its bearer token (401 without a valid one)."""
    token = bearer_token(request)
    tokens: CustomerTokens = request.app.state.customer_tokens
    claims = tokens.claims(token)
    if claims.get("type") == CUSTOMER:
        name, tenant = claims.get("session_name"), claims.get("tid")
        if not isinstance(name, str) or not name or not isinstance(tenant, str) or not tenant:
            raise Unauthorized("invalid token", code="INVALID_TOKEN")
        gate: TenantGate = request.app.state.tenants
        await gate.require_active(tenant)  # 403 TENANT_SUSPENDED
        return Caller(session_name=name, tenant_id=tenant)
    auth: AuthService = request.app.state.auth
    return Caller(principal=await auth.authenticate(token))
