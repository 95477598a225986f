"""Stores, users (store staff and customer-service agents in one table) and login logs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.models.base import Base, TimestampMixin, Vocabulary, enum_check
from core.db.models.tenants import DEFAULT_TENANT
from core.db.types import BigId, Flag, UtcDateTime, utc_now


class UserRole(Vocabulary):
    SALES = "sales"
    MANAGER = "manager"
    AGENT = "agent"
    ADMIN = "admin"
    PLATFORM_ADMIN = "platform_admin"  # manages tenants; belongs to none


STORE_ROLES = frozenset({UserRole.SALES, UserRole.MANAGER})


class UserStatus(Vocabulary):
    ONLINE = "online"
    OFFLINE = "offline"
    BUSY = "busy"


class LoginEvent(Vocabulary):
    LOGIN = "login"
    LOGOUT = "logout"
    FAILED = "failed"


class Store(TimestampMixin, Base):
    """A retail store; `store_id` is the operator's code (S001...), shared with the back office."""

    __tablename__ = "stores"

    store_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    city: Mapped[str] = mapped_column(sa.String(32))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    is_active: Mapped[bool] = mapped_column(Flag(), default=True, server_default="1")


class User(TimestampMixin, Base):
    """Anyone who logs in: sales/manager (store staff, need a store), agent/admin (of one
    tenant) and platform_admin (of none).

    `username` is the login name: the employee code (E1001) for store staff, `agent001` for
    agents. `token_version` is bumped to revoke every JWT issued before.
    """

    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", UserRole.values()),
        enum_check("status", UserStatus.values()),
        sa.CheckConstraint(
            "role IN ('agent', 'admin', 'platform_admin') OR store_id IS NOT NULL",
            name="store_staff_store",
        ),
        sa.CheckConstraint(
            "(role = 'platform_admin' AND tenant_id IS NULL)"
            " OR (role <> 'platform_admin' AND tenant_id IS NOT NULL)",
            name="tenant_of_role",
        ),
        sa.CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
        sa.CheckConstraint("max_sessions >= 0", name="max_sessions"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, sa.Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(32), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(100))
    failed_login_count: Mapped[int] = mapped_column(
        sa.Integer, default=0, server_default=sa.text("0")
    )
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(
        sa.String(16), default=UserStatus.OFFLINE.value, server_default=UserStatus.OFFLINE.value
    )
    max_sessions: Mapped[int] = mapped_column(sa.Integer, default=5, server_default=sa.text("5"))
    store_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stores.store_id"), index=True)
    # NULL only for platform admins (CHECK tenant_of_role; insert them with `sa.null()`: the
    # ORM leaves a plain None out and the default applies); store staff stay in `default`
    tenant_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("tenants.id"), index=True, default=DEFAULT_TENANT
    )
    avatar_url: Mapped[str | None] = mapped_column(sa.String(500))
    token_version: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    is_active: Mapped[bool] = mapped_column(Flag(), default=True, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    store: Mapped[Store | None] = relationship(lazy="raise")

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class LoginLog(Base):
    """One login, logout or failed attempt (seed 000's LoginLogs).

    `user_id` is empty when the login name matched nobody; `username` keeps what was typed.
    """

    __tablename__ = "login_logs"
    __table_args__ = (
        enum_check("event", LoginEvent.values()),
        sa.Index(None, "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(sa.String(64))
    event: Mapped[str] = mapped_column(sa.String(16))
    success: Mapped[bool] = mapped_column(Flag())
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
