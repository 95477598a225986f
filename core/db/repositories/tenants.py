"""Tenant rows: the platform admin's list and the lookups auth and the widget need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Tenant
from core.db.types import utc_now


class TenantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: str) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def page(self, *, limit: int, offset: int) -> tuple[list[Tenant], int]:
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) or 0
        rows = await self.session.scalars(
            sa.select(Tenant).order_by(Tenant.created_at, Tenant.id).limit(limit).offset(offset)
        )
        return list(rows.all()), int(total)

    async def add(self, tenant: Tenant) -> Tenant:
        self.session.add(tenant)
        await self.session.flush()
        return tenant

    async def update(self, tenant_id: str, changes: Mapping[str, Any]) -> Tenant | None:
        """Write first, then read (see AuthService.update_profile: SQLite read-then-write)."""
        await self.session.execute(
            sa.update(Tenant).where(Tenant.id == tenant_id).values(**changes, updated_at=utc_now())
        )
        tenant = await self.session.get(Tenant, tenant_id, populate_existing=True)
        return tenant
