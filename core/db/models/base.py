"""Declarative base, naming convention and shared column helpers.

Every constraint and index gets a deterministic name that fits Oracle's 30-character limit
(12.1 and earlier; 12.2+ allows 128): names are built from a short table abbreviation, so
`fk_rnr_staff_id` rather than `fk_renewal_records_staff_id_users`. A new table must register
its abbreviation in `TABLE_ABBREVIATIONS` (the Oracle test fails on a name that is too long).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db.types import UtcDateTime, utc_now

TABLE_ABBREVIATIONS: dict[str, str] = {
    "stores": "sto",
    "users": "usr",
    "login_logs": "lgl",
    "renewal_records": "rnr",
    "customer_service_logs": "csl",
    "ai_usage_logs": "aiu",
    "audit_trail": "aud",
    "conversations": "cnv",
    "conversation_messages": "cvm",
    "tickets": "tkt",
    "ticket_activities": "tka",
    "ticket_comments": "tkc",
    "ticket_counters": "tkn",
    "quick_replies": "qrp",
    "tags": "tag",
    "session_tags": "stg",
    "auto_reply_rules": "arr",
    "tenants": "tnt",
}


def _table_abbr(constraint: Any, table: sa.Table) -> str:
    return TABLE_ABBREVIATIONS.get(table.name, table.name)


NAMING_CONVENTION: dict[str, Any] = {
    "tab": _table_abbr,
    "pk": "pk_%(tab)s",
    "fk": "fk_%(tab)s_%(column_0_name)s",
    "uq": "uq_%(tab)s_%(column_0_N_name)s",
    "ix": "ix_%(tab)s_%(column_0_N_name)s",
    "ck": "ck_%(tab)s_%(constraint_name)s",
}


class Base(DeclarativeBase):
    """Base of all service tables; one MetaData so Alembic sees everything."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def enum_check(column: str, values: Iterable[str], name: str | None = None) -> sa.CheckConstraint:
    """A named `CHECK (col IN (...))`: portable, unlike native ENUM types (absent in Oracle)."""
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name or column)


class TimestampMixin:
    """created_at / updated_at, set in Python (UTC) so every backend stores the same value."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)


class Vocabulary(StrEnum):
    """Base for value lists kept in a CHECK constraint."""

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]
