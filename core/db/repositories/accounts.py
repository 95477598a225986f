"""Queries on stores, users and login logs (login, lockout, token revocation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

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

    async def list_agents(self, *, status: str | None = None) -> list[User]:
        """Agents and admins (the seed's customer-service side), optionally by presence."""
        stmt = sa.select(User).where(User.role.in_([UserRole.AGENT, UserRole.ADMIN]))
        if status is not None:
            stmt = stmt.where(User.status == status)
        stmt = stmt.order_by(User.username)
        return list((await self.session.scalars(stmt)).all())

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

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Store a new hash and revoke outstanding tokens (a changed password ends sessions)."""
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
