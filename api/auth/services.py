"""Login, token checks, logout, refresh, password change and profile edits: the auth rules.

Store staff and agents share one users table and this one service. bcrypt (cost 12, ~250 ms)
always runs in a thread and outside any database transaction (a SQLite read transaction held
across a hash would stall every writer); unknown names burn the same time against a dummy hash.
Failures are committed before the error is raised, so the counter and the login log survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.stamps import AccountStamp, AccountStamps
from api.auth.tokens import Claims, Denylist, Subject, TokenCodec, TokenPair
from api.tenants.gate import TenantGate
from core.db.models import LoginEvent, User, UserRole, UserStatus
from core.db.repositories.accounts import LoginLogRepository, UserRepository
from core.db.types import utc_now
from core.errors import AccountLocked, Forbidden, InvalidInput, NotFound, Unauthorized
from core.security.passwords import (
    burn_verify_time_async,
    hash_password_async,
    require_acceptable,
    verify_password_async,
)

INVALID_CREDENTIALS = "帳號或密碼錯誤 / invalid credentials"
SERVICE_ACCOUNTS = (UserRole.AGENT.value, UserRole.ADMIN.value)  # seed 003 "agents"


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the login log."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the users row's current role, store and tenant (None: a
    platform admin), and the token's claims."""

    user_id: int
    username: str
    role: str
    store_id: str | None
    claims: Claims
    tenant_id: str | None = None

    @property
    def tenant(self) -> str:
        """The caller's tenant, for queries on tenant-owned data. A platform admin has none
        and is refused there (403: the route is not theirs)."""
        if self.tenant_id is None:
            raise Forbidden("a platform admin belongs to no tenant", code="FORBIDDEN")
        return self.tenant_id


def _subject(user: User) -> Subject:
    return Subject(user.id, user.role, user.store_id, user.token_version, user.tenant_id)


def _locked(user: User, now: datetime) -> AccountLocked:
    until = user.locked_until or now
    return AccountLocked(
        "登入失敗次數過多，帳號已暫時鎖定 / too many failed logins, account locked",
        locked_until=until.isoformat(),
        retry_after=max(1, int((until - now).total_seconds())),
    )


class AuthService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        codec: TokenCodec,
        denylist: Denylist,
        stamps: AccountStamps,
        tenants: TenantGate,
    ) -> None:
        self.sessions = sessions
        self.codec = codec
        self.denylist = denylist
        self.stamps = stamps
        self.tenants = tenants

    # --- login -------------------------------------------------------------------------------
    async def login(
        self, username: str, password: str, client: ClientInfo
    ) -> tuple[User, TokenPair]:
        """Check the password; lock after 5 failures for 15 min; log every outcome."""
        async with self.sessions() as db:
            user = await UserRepository(db).get_by_login(username)
        now = utc_now()
        if user is None or not user.is_active:
            await burn_verify_time_async(password)
            await self._fail(None, username, client)
            raise Unauthorized(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")
        if user.is_locked(now):
            await burn_verify_time_async(password)
            await self._fail(user.id, username, client)
            raise _locked(user, now)
        if not await verify_password_async(password, user.password_hash):
            refused = await self._fail(user.id, username, client, count=True, now=now)
            if refused is not None and refused.is_locked(now):
                raise _locked(refused, now)
            raise Unauthorized(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")
        await self.tenants.require_active(user.tenant_id)  # 403 TENANT_SUSPENDED
        async with self.sessions.begin() as db:
            user = await UserRepository(db).record_successful_login(user.id, now=now)
            await _log(db, LoginEvent.LOGIN, True, user.id, username, client)
        return user, self.codec.pair(_subject(user))

    async def _fail(
        self,
        user_id: int | None,
        username: str,
        client: ClientInfo,
        *,
        count: bool = False,
        now: datetime | None = None,
    ) -> User | None:
        """Log a failed login; `count` it against the account. The lock starts at `now`, the
        instant the refusal's Retry-After is measured from: a lock stamped after a slow
        password check made it 901 s, "16 minutes" for a 15-minute lock."""
        async with self.sessions.begin() as db:
            user = None
            if count and user_id is not None:
                user = await UserRepository(db).record_failed_login(user_id, now=now)
            await _log(db, LoginEvent.FAILED, False, user_id, username, client)
        return user

    # --- tokens ------------------------------------------------------------------------------
    async def authenticate(self, token: str) -> Principal:
        """An access token that is valid, not revoked and of the user's current version."""
        claims = self.codec.decode(token, "access")
        user = await self._current(claims)
        return Principal(user.user_id, user.username, user.role, user.store_id, claims,
                         user.tenant_id)  # fmt: skip

    async def _current(self, claims: Claims) -> AccountStamp:
        """The token's user as it stands: one Redis round trip (denylist, stamp and the
        tenant's status), plus a database read only when a cached answer is missing."""
        async with self.denylist.redis.pipeline(transaction=False) as pipe:
            for key in self.denylist.keys(claims):  # one EXISTS per key: one slot each
                pipe.exists(key)
            pipe.get(self.stamps.key(claims.sub))
            pipe.get(self.tenants.key(claims.tid or "-"))
            revoked_token, revoked_login, raw, tenant_status = await pipe.execute()
        if revoked_token or revoked_login:
            raise Unauthorized("token revoked (logged out)", code="TOKEN_REVOKED")
        user = AccountStamp.decode(raw) if raw is not None else None
        if user is None:
            async with self.sessions() as db:
                row = await UserRepository(db).get(claims.sub)
            if row is None:
                raise Unauthorized("account not active", code="INVALID_TOKEN")
            user = AccountStamp.of(row)
            await self.stamps.fill(user)
        if not user.is_active:
            raise Unauthorized("account not active", code="INVALID_TOKEN")
        if user.token_version != claims.ver:
            raise Unauthorized("token revoked (password changed)", code="TOKEN_REVOKED")
        if user.tenant_id != claims.tid:  # moved to another tenant: log in again
            raise Unauthorized("token of another tenant", code="INVALID_TOKEN")
        await self.tenants.check(claims.tid, tenant_status)
        return user

    async def refresh(self, refresh_token: str) -> tuple[str, int]:
        """A new access token for the same login; the refresh token itself is unchanged."""
        claims = self.codec.decode(refresh_token, "refresh")
        user = await self._current(claims)
        subject = Subject(user.user_id, user.role, user.store_id, user.token_version,
                          user.tenant_id)  # fmt: skip
        return self.codec.access(subject, claims.sid), self.codec.access_ttl

    async def logout(self, principal: Principal, client: ClientInfo) -> None:
        """Revoke this access token and every token of its login (refresh included)."""
        await self.denylist.revoke(principal.claims, login_ttl=self.codec.refresh_ttl)
        async with self.sessions.begin() as db:
            await UserRepository(db).set_status(principal.user_id, UserStatus.OFFLINE.value)
            await _log(db, LoginEvent.LOGOUT, True, principal.user_id, principal.username, client)

    # --- the caller's own account ---------------------------------------------------------------
    async def me(self, principal: Principal) -> User:
        async with self.sessions() as db:
            user = await UserRepository(db).get(principal.user_id)
        if user is None:
            raise Unauthorized("account not found", code="INVALID_TOKEN")
        return user

    async def agent_profile(self, principal: Principal, username: str | None) -> User:
        """Seed 003 `GET /api/agent/profile?username=`: any agent's public profile of the
        caller's tenant (404 AGENT_NOT_FOUND for an unknown, inactive, non-service or other
        tenant's account); none: the caller's."""
        if username is None or username == principal.username:
            return await self.me(principal)
        async with self.sessions() as db:
            user = await UserRepository(db).get_by_login(username)
        if (
            user is None
            or not user.is_active
            or user.role not in SERVICE_ACCOUNTS
            or user.tenant_id != principal.tenant_id  # another tenant's agent: unknown here
        ):
            raise NotFound(f"agent {username} not found", code="AGENT_NOT_FOUND")
        return user

    async def change_password(self, principal: Principal, old: str, new: str) -> TokenPair:
        """Seed 003 v2.7 rules; success bumps token_version (every older token dies)."""
        user = await self.me(principal)
        if not await verify_password_async(old, user.password_hash):
            raise InvalidInput(
                "舊密碼不正確 / old password incorrect", code="OLD_PASSWORD_INCORRECT"
            )
        require_acceptable(new, field="new_password")
        if new == old:
            raise InvalidInput("新密碼不能與舊密碼相同 / same as the old one", code="PASSWORD_SAME")
        password_hash = await hash_password_async(new)
        async with self.sessions.begin() as db:
            changed = await UserRepository(db).set_password_hash(user.id, password_hash)
        await self.stamps.refresh(changed)
        return self.codec.pair(_subject(changed))

    async def set_status(self, principal: Principal, status: str) -> User:
        """The calling agent's availability (online / busy / offline), shown in the workbench
        and read by the escalation and auto-reply rules that count free agents."""
        async with self.sessions.begin() as db:
            await UserRepository(db).set_status(principal.user_id, status)
            user = await UserRepository(db).get(principal.user_id)
        if user is None:
            raise Unauthorized("account not found", code="INVALID_TOKEN")
        return user

    async def update_profile(
        self, principal: Principal, *, name: str | None, avatar_url: str | None
    ) -> User:
        """Seed 003 v2.8: only the display name and the avatar URL, at least one of them."""
        if name is None and avatar_url is None:
            raise InvalidInput("至少需要提供一個要修改的欄位", code="NO_FIELDS_TO_UPDATE")
        changes: dict[str, object] = {"updated_at": utc_now()}
        changes.update((k, v) for k, v in (("display_name", name), ("avatar_url", avatar_url)) if v)
        async with self.sessions.begin() as db:
            # Write first, then read: on SQLite a read-then-write transaction can fail at once
            # with "database is locked" when another writer commits in between.
            await db.execute(sa.update(User).where(User.id == principal.user_id).values(**changes))
            user = await UserRepository(db).get(principal.user_id)
        if user is None:
            raise Unauthorized("account not found", code="INVALID_TOKEN")
        return user


async def _log(
    db: AsyncSession,
    event: LoginEvent,
    success: bool,
    user_id: int | None,
    username: str,
    client: ClientInfo,
) -> None:
    """One login_logs row (login, logout or failed)."""
    await LoginLogRepository(db).add(
        event,
        success=success,
        user_id=user_id,
        username=username,
        ip=client.ip,
        user_agent=client.user_agent,
    )
