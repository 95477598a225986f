"""Who may touch a chat session: a customer with that session's token, or an agent/admin.

Customers have no account. `POST /api/conversation/new` hands them a JWT of type `customer`
whose `session_name` claim names the one session it opens (same secret as staff tokens, but a
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

    def issue(self, session_name: str, now: int | None = None) -> CustomerToken:
        now = now or int(time.time())
        payload = {
            "type": CUSTOMER,
            "sub": session_name,
            "session_name": session_name,
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
    """A customer (`session_name` of their token) or a staff member (`principal`)."""

    session_name: str | None = None
    principal: Principal | None = None

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
        name = claims.get("session_name")
        if not isinstance(name, str) or not name:
            raise Unauthorized("invalid token", code="INVALID_TOKEN")
        return Caller(session_name=name)
    auth: AuthService = request.app.state.auth
    return Caller(principal=await auth.authenticate(token))
