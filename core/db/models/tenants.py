"""Tenants (seed 002): the businesses one Switchboard serves, whose data never meet.

`id` is a readable slug (`default`, `harbor-telecom`) that also names the tenant inside Redis
keys, thread ids and the knowledge index, so it is short and limited to `[a-z0-9-]`.
`site_key` is public (it sits in the customer's web page, like a publishable key): it only picks
the tenant of a widget's customer and can be rotated when a page is abused. The model API key is
never stored: `model_api_key_env` names an environment variable of the API process (the key stays
in the operator's secret store, so the database and its backups hold no credential and rotating a
key needs no database write).
"""

from __future__ import annotations

import re
import secrets
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, TimestampMixin, Vocabulary, enum_check
from core.db.types import utc_now

DEFAULT_TENANT: Final = "default"
TENANT_ID_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{1,62}$"
TENANT_ID = re.compile(TENANT_ID_PATTERN)


class TenantStatus(Vocabulary):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ModelProvider(Vocabulary):
    OFFLINE = "offline"
    OPENAI = "openai"
    AZURE_OPENAI = "azure_openai"
    ANTHROPIC = "anthropic"


def tenant_fk(*, nullable: bool = False) -> Mapped[str]:
    """The `tenant_id` column of a tenant-owned table. The server default only backfilled the
    rows that existed before tenants (migration 0006); every writer names the tenant."""
    return mapped_column(
        sa.String(64),
        sa.ForeignKey("tenants.id"),
        nullable=nullable,
        server_default=None if nullable else DEFAULT_TENANT,
    )


class Tenant(TimestampMixin, Base):
    __tablename__ = "tenants"
    __table_args__ = (
        enum_check("status", TenantStatus.values()),
        enum_check("model_provider", ModelProvider.values()),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    plan: Mapped[str | None] = mapped_column(sa.String(32))  # seed 002's plan (專業版 ...)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=TenantStatus.ACTIVE.value, server_default=TenantStatus.ACTIVE.value
    )
    site_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    model_provider: Mapped[str] = mapped_column(
        sa.String(16),
        default=ModelProvider.OFFLINE.value,
        server_default=ModelProvider.OFFLINE.value,
    )
    model_name: Mapped[str | None] = mapped_column(sa.String(100))
    model_endpoint: Mapped[str | None] = mapped_column(sa.String(300))
    model_deployment: Mapped[str | None] = mapped_column(sa.String(100))
    model_temperature: Mapped[float | None] = mapped_column(sa.Float)
    model_api_key_env: Mapped[str | None] = mapped_column(sa.String(64))


def new_site_key() -> str:
    """A fresh public site key (`sk_` + 32 url-safe characters)."""
    return "sk_" + secrets.token_urlsafe(24)


@sa.event.listens_for(Tenant.__table__, "after_create", propagate=True)  # copies too
def _create_default_tenant(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    """`metadata.create_all` (tests, scratch databases) gets tenant `default` like migration
    0006 does, so rows written before any tenant exists have their tenant."""
    now = utc_now()
    connection.execute(
        target.insert().values(
            id=DEFAULT_TENANT, name="Default", status=TenantStatus.ACTIVE.value,
            site_key=new_site_key(), model_provider=ModelProvider.OFFLINE.value,
            created_at=now, updated_at=now,
        )
    )  # fmt: skip
