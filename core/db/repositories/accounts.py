"""Queries on stores, users and login logs (login, lockout, token revocation, admin lists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import LoginEvent, LoginLog, Store, User, UserRole, UserStatus
from core.db.types import utc_now

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class StoreRepository:
    """Stores by code. Repositories flush, never commit: the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, store_id: str) -> Store | None:
        return await self.session.get(Store, store_id)

    async def list_active(self) -> list[Store]:
        stmt = sa.select(Store).where(Store.is_active == True).order_by(Store.store_id)  # noqa: E712
        return list((await self.session.scalars(stmt)).all())


@dataclass(frozen=True)
class UserFilter:
    """What an account list keeps: always `roles`, then each filter that is given.

    `text` matches a part of the login name or the display name, case-insensitively, with
    `%` and `_` taken literally.
    """

    roles: Collection[str]
    tenant_id: str
    role: str | None = None
    status: str | None = None
    store_id: str | None = None
    is_active: bool | None = None
    text: str | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = [
            User.role.in_(list(self.roles)),
            User.tenant_id == self.tenant_id,
        ]
        exact = {"role": self.role, "status": self.status, "store_id": self.store_id}
        clauses += [getattr(User, k) == v for k, v in exact.items() if v is not None]
        if self.is_active is not None:
            clauses.append(User.is_active == self.is_active)
        if self.text:
            needle = self.text.lower()
            clauses.append(
                sa.or_(
                    sa.func.lower(User.username).contains(needle, autoescape=True),
                    sa.func.lower(User.display_name).contains(needle, autoescape=True),
                )
            )
        return clauses


class UserRepository:
    """Users (staff and agents): lookup by login name, lockout bookkeeping, revocation."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_login(self, username: str) -> User | None:
        """The user whose login name is `username` (exact match; inactive users included)."""
        stmt = sa.select(User).where(User.username == username.strip())
        return (await self.session.scalars(stmt)).one_or_none()

    async def list_by_store(
        self, store_id: str, *, roles: Iterable[str] | None = None
    ) -> list[User]:
        stmt = sa.select(User).where(User.store_id == store_id)
        if roles is not None:
            stmt = stmt.where(User.role.in_(list(roles)))
        stmt = stmt.order_by(User.username)
        return list((await self.session.scalars(stmt)).all())

    async def list_agents(self, *, tenant_id: str | None, status: str | None = None) -> list[User]:
        """Agents and admins (the seed's customer-service side) of a tenant (None: of every
        tenant, for process-wide counts), optionally by presence."""
        stmt = sa.select(User).where(User.role.in_([UserRole.AGENT, UserRole.ADMIN]))
        if tenant_id is not None:
            stmt = stmt.where(User.tenant_id == tenant_id)
        if status is not None:
            stmt = stmt.where(User.status == status)
        stmt = stmt.order_by(User.username)
        return list((await self.session.scalars(stmt)).all())

    async def page(self, where: UserFilter, *, limit: int, offset: int) -> tuple[list[User], int]:
        """One page of matching users by login name, and how many match in all."""
        clauses = where.where()
        total = await self.session.scalar(sa.select(sa.func.count(User.id)).where(*clauses))
        stmt = sa.select(User).where(*clauses).order_by(User.username).limit(limit).offset(offset)
        return list((await self.session.scalars(stmt)).all()), int(total or 0)

    async def login_taken(self, username: str) -> bool:
        """True when a user (active or not) has this login name in any letter case."""
        stmt = sa.select(User.id).where(sa.func.lower(User.username) == username.strip().lower())
        return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def get_for_update(self, username: str) -> User | None:
        """`get_by_login`, row-locked until the transaction ends (PostgreSQL, Oracle).

        SQLite ignores FOR UPDATE; its `BEGIN IMMEDIATE` already serialises writers.
        """
        stmt = (
            sa.select(User)
            .where(User.username == username.strip())
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def lock_active_admins(self, tenant_id: str) -> list[int]:
        """Ids of the tenant's active admins, row-locked: two admins removing each other
        concurrently are serialised here, so the second one sees the first one's change."""
        stmt = (
            sa.select(User.id)
            .where(User.role == UserRole.ADMIN.value, User.is_active == True)  # noqa: E712
            .where(User.tenant_id == tenant_id)
            .order_by(User.id)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())

    async def update_fields(
        self, user_id: int, changes: Mapping[str, Any], *, revoke: bool = False
    ) -> User:
        """Write `changes` (column -> value); `revoke` also bumps token_version."""
        values: dict[str, Any] = {**changes, "updated_at": utc_now()}
        if revoke:
            values["token_version"] = User.token_version + 1
        await self.session.execute(sa.update(User).where(User.id == user_id).values(**values))
        return await self._reload(user_id)

    async def _reload(self, user_id: int) -> User:
        stmt = sa.select(User).where(User.id == user_id).execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one()

    async def record_failed_login(
        self,
        user_id: int,
        *,
        now: datetime | None = None,
        max_attempts: int = MAX_FAILED_LOGINS,
        lock_for: timedelta = LOCKOUT,
    ) -> User:
        """Count a wrong password (atomically); the `max_attempts`-th locks for `lock_for`.

        The counter restarts after a lock, so an expired lock grants a fresh set of attempts.
        """
        now = now or utc_now()
        await self.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(failed_login_count=User.failed_login_count + 1, updated_at=now)
        )
        user = await self._reload(user_id)
        if user.failed_login_count >= max_attempts:
            await self.session.execute(
                sa.update(User)
                .where(User.id == user_id)
                .values(failed_login_count=0, locked_until=now + lock_for, updated_at=now)
            )
            user = await self._reload(user_id)
        return user

    async def record_successful_login(self, user_id: int, *, now: datetime | None = None) -> User:
        """Reset the failure counter and lock, stamp last_login_at, mark online."""
        now = now or utc_now()
        await self.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(
                failed_login_count=0,
                locked_until=None,
                last_login_at=now,
                status=UserStatus.ONLINE.value,
                updated_at=now,
            )
        )
        return await self._reload(user_id)

    async def set_status(self, user_id: int, status: str) -> None:
        await self.session.execute(
            sa.update(User).where(User.id == user_id).values(status=status, updated_at=utc_now())
        )

    async def revoke_tokens(self, user_id: int) -> int:
        """Bump token_version so every token carrying an older version is refused."""
        await self.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(token_version=User.token_version + 1, updated_at=utc_now())
        )
        return (await self._reload(user_id)).token_version

    async def set_password_hash(self, user_id: int, password_hash: str) -> User:
        """Store a new hash, clear the lockout and revoke outstanding tokens (a changed password
        ends sessions); answers the updated row."""
        await self.session.execute(
            sa.update(User)
            .where(User.id == user_id)
            .values(
                password_hash=password_hash,
                failed_login_count=0,
                locked_until=None,
                token_version=User.token_version + 1,
                updated_at=utc_now(),
            )
        )
        return await self._reload(user_id)


class LoginLogRepository:
    """Append-only login/logout/failed events."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        event: LoginEvent | str,
        *,
        success: bool,
        user_id: int | None = None,
        username: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        now: datetime | None = None,
    ) -> LoginLog:
        log = LoginLog(
            event=str(event),
            success=success,
            user_id=user_id,
            username=username[:64] if username else None,
            ip=ip,
            user_agent=user_agent[:400] if user_agent else None,
            created_at=now or utc_now(),
        )
        self.session.add(log)
        await self.session.flush()
        return log

    async def recent_for_user(self, user_id: int, *, limit: int = 20) -> list[LoginLog]:
        stmt = (
            sa.select(LoginLog)
            .where(LoginLog.user_id == user_id)
            .order_by(LoginLog.created_at.desc(), LoginLog.id.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())
