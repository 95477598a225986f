"""Which chat model answers a tenant's chats: the tenant row's model settings, cached per
process and kept honest across instances by the tenant's version key
(`P:t:<tenant>:atools:ver:model_settings`, bumped by the tenants API after every write), so a
tenant admin's `PATCH /api/tenants/current` reaches the next turn of that tenant's chats on
every instance, and no other tenant's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Tenant
from core.tenant_keys import PerTenant, tenant_prefix
from graphs.supervision.tool_cache import MODEL_SETTINGS, VersionedCache

if TYPE_CHECKING:  # tools.llm imports the OpenAI SDK (slow): only when a model is built
    from tools.llm.tenant import TenantModel


class TenantModels:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], redis: Redis, prefix: str):
        self.sessions = sessions
        self.cache: PerTenant[VersionedCache[TenantModel]] = PerTenant(
            lambda t: VersionedCache(
                redis, tenant_prefix(prefix, t), MODEL_SETTINGS, self._loader(t)
            )
        )

    def _loader(self, tenant: str) -> Callable[[], Awaitable[TenantModel]]:
        async def load() -> TenantModel:
            from tools.llm.tenant import TenantModel

            async with self.sessions() as db:
                row = await db.scalar(sa.select(Tenant).where(Tenant.id == tenant))
            return TenantModel.of(row) if row is not None else TenantModel(tenant)

        return load

    async def of(self, tenant_id: str) -> TenantModel:
        return await self.cache(tenant_id).get()

    async def changed(self, tenant_id: str) -> None:
        """After a committed write of the tenant's settings: every instance reloads."""
        await self.cache(tenant_id).invalidate()
