"""JWTs (pyjwt, HS256) and their revocation list in Redis.

An access token (≤ 2 h) and a refresh token (≤ 7 d) are issued per login; both carry the login's
`sid`, the user's `ver` (token_version), the user's tenant `tid` (null for a platform admin) and
a `type` claim so one can never stand in for the other. Revocation has two levers: logout puts
the access token's `jti` and the login's `sid` on a Redis denylist that expires with the tokens,
and a password change bumps `token_version`, which kills every token issued before it without
any list.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from redis.asyncio import Redis

from core.errors import Unauthorized
from core.settings import Settings

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class Claims:
    """What a verified token says: who, which role/store/tenant, which login and version."""

    sub: int
    role: str
    store_id: str | None
    tid: str | None
    ver: int
    type: TokenType
    jti: str
    sid: str
    iat: int
    exp: int

    def remaining_seconds(self, now: float | None = None) -> int:
        return max(0, int(self.exp - (now if now is not None else time.time())))


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int


@dataclass(frozen=True)
class Subject:
    """Who a token is issued to, as read from the users row at issue time."""

    user_id: int
    role: str
    store_id: str | None
    ver: int
    tenant_id: str | None


VERIFIED_CACHE_SIZE = 10_000  # tokens whose verified claims a process keeps


class TokenCodec:
    """Issues and verifies tokens with the service secret; times are `time.time()` (UTC)."""

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.jwt_secret
        self.access_ttl = settings.jwt_access_ttl_minutes * 60
        self.refresh_ttl = settings.jwt_refresh_ttl_days * 86_400
        # Verified claims per token: every click sends the same access token, and verifying
        # its signature and claims again is pure CPU. A hit still checks expiry; revocation is
        # not cached (AuthService reads the denylist and the account stamp on every request).
        self._verified: dict[tuple[str, TokenType], Claims] = {}

    def _encode(self, kind: TokenType, subject: Subject, sid: str, now: int) -> str:
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        payload: dict[str, Any] = {
            "type": kind,
            "sub": str(subject.user_id),
            "role": subject.role,
            "store_id": subject.store_id,
            "tid": subject.tenant_id,
            "ver": subject.ver,
            "sid": sid,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(payload, self.secret, algorithm=ALGORITHM)

    def access(self, subject: Subject, sid: str, now: int | None = None) -> str:
        """An access token for an existing login (refresh keeps the login's `sid`)."""
        return self._encode("access", subject, sid, now or int(time.time()))

    def pair(self, subject: Subject, now: int | None = None) -> TokenPair:
        """A fresh login: new `sid`, one access and one refresh token."""
        now = now or int(time.time())
        sid = uuid.uuid4().hex
        return TokenPair(
            access_token=self._encode("access", subject, sid, now),
            refresh_token=self._encode("refresh", subject, sid, now),
            expires_in=self.access_ttl,
            refresh_expires_in=self.refresh_ttl,
        )

    def decode(self, token: str, expected: TokenType) -> Claims:
        """Verify signature, expiry and type; every failure is a 401 with a telling code."""
        claims = self._verified.get((token, expected))
        if claims is not None and claims.exp > time.time():
            return claims
        claims = self._verify(token, expected)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # a bound, not an LRU: refilling costs one verify per token
        self._verified[(token, expected)] = claims
        return claims

    def signed_tenant(self, token: str) -> str | None:
        """The tenant (`tid`; "" for none) an access token with our signature names, expired
        or not; None when the signature is not ours. From the verified cache when the token was
        seen (every click after the first): `CallerTenant` asks before authentication does."""
        try:
            return self.decode(token, "access").tid or ""
        except Unauthorized:
            pass
        try:
            data = jwt.decode(token, self.secret, algorithms=[ALGORITHM],
                              options={"verify_exp": False})  # fmt: skip
        except jwt.PyJWTError:
            return None
        tid = data.get("tid") if isinstance(data, dict) else None
        return tid if isinstance(tid, str) else ""

    def _verify(self, token: str, expected: TokenType) -> Claims:
        try:
            data = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "jti", "type"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired", code="TOKEN_EXPIRED") from None
        except jwt.PyJWTError:
            raise Unauthorized("invalid token", code="INVALID_TOKEN") from None
        if data.get("type") != expected:
            raise Unauthorized(f"not an {expected} token", code="INVALID_TOKEN")
        try:
            return Claims(
                sub=int(data["sub"]),
                role=str(data["role"]),
                store_id=data.get("store_id"),
                tid=_tenant_claim(data),
                ver=int(data["ver"]),
                type=expected,
                jti=str(data["jti"]),
                sid=str(data["sid"]),
                iat=int(data["iat"]),
                exp=int(data["exp"]),
            )
        except (KeyError, TypeError, ValueError):
            raise Unauthorized("invalid token", code="INVALID_TOKEN") from None


def _tenant_claim(data: dict[str, Any]) -> str | None:
    """`tid`: a tenant id, or null for a platform admin; a token without the claim (issued
    before tenants) is refused, so every caller's tenant is known."""
    if "tid" not in data:
        raise Unauthorized("token without tenant, log in again", code="INVALID_TOKEN")
    tid = data["tid"]
    if tid is not None and not isinstance(tid, str):
        raise Unauthorized("invalid token", code="INVALID_TOKEN")
    return tid


class Denylist:
    """Revoked token ids and login ids in Redis; each entry lives as long as what it revokes."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:auth:revoked"

    def _key(self, kind: str, value: str) -> str:
        return f"{self.prefix}:{kind}:{value}"

    async def revoke(self, claims: Claims, *, login_ttl: int) -> None:
        """Revoke this token and, with `login_ttl` > 0, every token of the same login."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self._key("jti", claims.jti), b"1", ex=max(1, claims.remaining_seconds()))
            if login_ttl > 0:
                pipe.set(self._key("sid", claims.sid), b"1", ex=login_ttl)
            await pipe.execute()

    def keys(self, claims: Claims) -> tuple[str, str]:
        """The entries that would revoke this token: its own id and its login's."""
        return self._key("jti", claims.jti), self._key("sid", claims.sid)
