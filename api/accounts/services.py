"""Admin user management: one service for both account families (agents and store staff).

`/api/agents` and `/api/users` differ only in which roles they manage and which fields belong to
those roles; `AccountFamily` says both, and `AccountAdminService` applies the same rules to
either. Every write is one transaction with its audit row, so a refused request changes
nothing. bcrypt runs in a thread before the transaction opens (as in `AuthService`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.accounts.rules import Standing, check_removal
from api.auth.services import Principal
from api.auth.stamps import AccountStamps
from core.db.models import User, UserRole, UserStatus
from core.db.repositories.accounts import StoreRepository, UserFilter, UserRepository
from core.db.repositories.audit import AuditRepository
from core.errors import Conflict, InvalidInput, NotFound
from core.logging import get_logger
from core.security.passwords import hash_password_async, require_acceptable

log = get_logger(__name__)

AUDIT_ENTITY = "user"
# Wire name -> users column, for the fields an admin may change (a family allows a subset).
COLUMNS = {
    "name": "display_name",
    "email": "email",
    "role": "role",
    "max_sessions": "max_sessions",
    "store_id": "store_id",
    "is_active": "is_active",
}


@dataclass(frozen=True)
class AccountFamily:
    """Which accounts a route family manages and which fields it may set."""

    label: str
    roles: frozenset[str]
    fields: frozenset[str]

    @property
    def needs_store(self) -> bool:
        return "store_id" in self.fields

    @property
    def has_admins(self) -> bool:
        return UserRole.ADMIN.value in self.roles


_COMMON = frozenset({"name", "email", "role", "is_active"})
AGENT_ACCOUNTS = AccountFamily(
    "agent", frozenset({UserRole.AGENT.value, UserRole.ADMIN.value}), _COMMON | {"max_sessions"}
)
STAFF_ACCOUNTS = AccountFamily(
    "store staff", frozenset({UserRole.SALES.value, UserRole.MANAGER.value}), _COMMON | {"store_id"}
)


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    name: str
    role: str
    email: str | None = None
    store_id: str | None = None
    max_sessions: int | None = None


@dataclass(frozen=True)
class AccountPage:
    users: list[User]
    total: int
    page: int
    page_size: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.page_size) if self.total else 0


class AccountAdminService:
    """List, create, edit, soft-delete and reset passwords of one family's accounts."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        family: AccountFamily,
        stamps: AccountStamps,
    ) -> None:
        self.sessions = sessions
        self.family = family
        self.stamps = stamps  # refreshed after every commit, so requests see the change at once

    async def search(
        self,
        actor: Principal,
        *,
        page: int,
        page_size: int,
        role: str | None = None,
        status: str | None = None,
        store_id: str | None = None,
        is_active: bool | None = None,
        text: str | None = None,
    ) -> AccountPage:
        where = UserFilter(
            self.family.roles,
            actor.tenant,
            role=role,
            status=status,
            store_id=store_id,
            is_active=is_active,
            text=text,
        )
        async with self.sessions() as db:
            users, total = await UserRepository(db).page(
                where, limit=page_size, offset=(page - 1) * page_size
            )
        return AccountPage(users, total, page, page_size)

    async def create(self, actor: Principal, new: NewAccount) -> User:
        """409 USERNAME_TAKEN (any letter case, deleted accounts included), 400 for a role
        outside the family, a missing or closed store, or a password breaking the rule."""
        require_acceptable(new.password, field="password")
        self._check_role(new.role)
        async with self.sessions() as db:  # cheap refusals before the 250 ms hash
            await self._check_new(db, new)
        password_hash = await hash_password_async(new.password)
        try:
            async with self.sessions.begin() as db:
                await self._check_new(db, new)
                user = await UserRepository(db).add(
                    User(
                        username=new.username,
                        display_name=new.name,
                        email=new.email,
                        role=new.role,
                        password_hash=password_hash,
                        store_id=new.store_id if self.family.needs_store else None,
                        tenant_id=actor.tenant,
                        max_sessions=new.max_sessions if new.max_sessions is not None else 5,
                        status=UserStatus.OFFLINE.value,
                        is_active=True,
                    )
                )
                fields = {"role": new.role, "store_id": user.store_id, "name": new.name}
                await self._audit(db, actor, user, "account_created", None, fields)
        except IntegrityError as exc:  # a concurrent create of the same name won the race
            raise _taken(new.username) from exc
        log.info("account_created", username=user.username, role=user.role, by=actor.username)
        return user

    async def update(self, actor: Principal, username: str, changes: Mapping[str, Any]) -> User:
        """Only the family's fields; 400 NO_FIELDS_TO_UPDATE for an empty change.

        Deactivating also bumps token_version, so reactivating later does not revive old tokens.
        """
        unknown = sorted(set(changes) - self.family.fields)
        if unknown:
            raise InvalidInput(f"{unknown[0]}: not editable here", field=unknown[0])
        if not changes:
            raise InvalidInput("至少需要提供一個要修改的欄位", code="NO_FIELDS_TO_UPDATE")
        if "role" in changes:
            self._check_role(changes["role"])
        async with self.sessions.begin() as db:
            target, admins = await self._locked_target(db, actor, username)
            if "store_id" in changes:
                await _check_store(db, changes["store_id"])
            before = Standing(target.role, target.is_active)
            after = Standing(
                changes.get("role", target.role), changes.get("is_active", target.is_active)
            )
            check_removal(actor.user_id, target.id, before, after, admins)
            values = {COLUMNS[k]: v for k, v in changes.items()}
            deactivating = before.is_active and not after.is_active
            if deactivating:
                values["status"] = UserStatus.OFFLINE.value
            user = await UserRepository(db).update_fields(target.id, values, revoke=deactivating)
            await self._audit(db, actor, user, "account_updated", before, dict(changes))
        await self.stamps.refresh(user)
        log.info("account_updated", username=username, fields=sorted(changes), by=actor.username)
        return user

    async def delete(self, actor: Principal, username: str) -> User:
        """Soft delete: inactive, offline, every token revoked; logs and records keep their
        foreign keys. Deleting an already deleted account answers it unchanged."""
        async with self.sessions.begin() as db:
            target, admins = await self._locked_target(db, actor, username)
            if not target.is_active:
                return target
            before = Standing(target.role, True)
            check_removal(actor.user_id, target.id, before, Standing(target.role, False), admins)
            values = {"is_active": False, "status": UserStatus.OFFLINE.value}
            user = await UserRepository(db).update_fields(target.id, values, revoke=True)
            await self._audit(db, actor, user, "account_deleted", before, {})
        await self.stamps.refresh(user)
        log.info("account_deleted", username=username, by=actor.username)
        return user

    async def reset_password(self, actor: Principal, username: str, new_password: str) -> User:
        """A new password chosen by the admin: lockout cleared, every older token revoked."""
        require_acceptable(new_password, field="new_password")
        async with self.sessions() as db:
            await self._target(db, actor, username)  # 404 before spending the hash
        password_hash = await hash_password_async(new_password)
        async with self.sessions.begin() as db:
            target = await self._target(db, actor, username)
            user = await UserRepository(db).set_password_hash(target.id, password_hash)
            await self._audit(db, actor, user, "password_reset", None, {})
        await self.stamps.refresh(user)
        log.info("password_reset", username=username, by=actor.username)
        return user

    # --- helpers ------------------------------------------------------------------------------
    def _check_role(self, role: Any) -> None:
        if role not in self.family.roles:
            allowed = ", ".join(sorted(self.family.roles))
            raise InvalidInput(f"role: must be one of {allowed}", field="role")

    async def _check_new(self, db: AsyncSession, new: NewAccount) -> None:
        if await UserRepository(db).login_taken(new.username):
            raise _taken(new.username)
        if self.family.needs_store:
            await _check_store(db, new.store_id)

    async def _target(self, db: AsyncSession, actor: Principal, username: str) -> User:
        user = await UserRepository(db).get_by_login(username)
        return self._in_family(user, actor, username)

    async def _locked_target(
        self, db: AsyncSession, actor: Principal, username: str
    ) -> tuple[User, list[int]]:
        """The target row locked, and the active admins' ids (locked first when this family has
        admins: every writer takes the locks in that order, so two admins never deadlock, and
        the second of two concurrent removals sees the first one's result)."""
        users = UserRepository(db)
        admins = await users.lock_active_admins(actor.tenant) if self.family.has_admins else []
        user = self._in_family(await users.get_for_update(username), actor, username)
        return user, admins

    def _in_family(self, user: User | None, actor: Principal, username: str) -> User:
        """404 for another family's account and for another tenant's (never 403: no leak)."""
        if user is None or user.role not in self.family.roles or user.tenant_id != actor.tenant:
            raise NotFound(f"{self.family.label} account {username} not found")
        return user

    async def _audit(
        self,
        db: AsyncSession,
        actor: Principal,
        user: User,
        reason: str,
        before: Standing | None,
        fields: dict[str, Any],
    ) -> None:
        """One audit_trail row; the status is the account's active/inactive standing."""
        await AuditRepository(db).append(
            AUDIT_ENTITY,
            user.username,
            operator=actor.username,
            status_from=_standing(before.is_active) if before else None,
            status_to=_standing(user.is_active),
            reason=reason,
            detail={"role": user.role, "fields": fields} if fields else {"role": user.role},
        )


def _standing(active: bool) -> str:
    return "active" if active else "inactive"


def _taken(username: str) -> Conflict:
    return Conflict(f"username: {username} 已被使用 / already taken", code="USERNAME_TAKEN")


async def _check_store(db: AsyncSession, store_id: Any) -> None:
    store = await StoreRepository(db).get(store_id) if isinstance(store_id, str) else None
    if store is None or not store.is_active:
        raise InvalidInput(
            f"store_id: {store_id} is not an open store", code="UNKNOWN_STORE", field="store_id"
        )
