"""Is a tenant open for business, and whose widget is this: answered from Redis on every request.

Every authenticated request (staff token or customer token) must stop working the moment its
tenant is suspended, on every instance. The tenant's status is cached in Redis under a key that
names the database (like the account stamps) and comes back in the same round trip as the
token's denylist check; writers replace it after their commit, readers fill it with SET NX.

Customers have no account: the widget's public site key (`X-Site-Key`) picks their tenant when a
conversation is opened, and their token carries that tenant from then on. Codes: missing key
401 `SITE_KEY_REQUIRED`, unknown key 401 `SITE_KEY_INVALID` (a site key is a credential of the
page, like a publishable key), suspended tenant 403 `TENANT_SUSPENDED`.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Final

import sqlalchemy as sa
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Tenant, TenantStatus
from core.errors import Forbidden, Unauthorized

SITE_KEY_HEADER: Final = "X-Site-Key"
TTL_SECONDS: Final = 60
UNKNOWN: Final = "unknown"  # cached answer for a tenant id that has no row


def suspended(tenant_id: str) -> Forbidden:
    return Forbidden(f"tenant {tenant_id} is suspended", code="TENANT_SUSPENDED")


class TenantGate:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        prefix: str,
        database_url: str,
    ) -> None:
        self.sessions = sessions
        self.redis = redis
        database = hashlib.sha256(database_url.encode()).hexdigest()[:12]
        self.prefix = f"{prefix}:tenant:status:{database}"

    def key(self, tenant_id: str) -> str:
        return f"{self.prefix}:{tenant_id}"

    async def check(self, tenant_id: str | None, cached: bytes | str | None) -> None:
        """Raise unless `tenant_id` is active (None: a platform admin, always let through).
        `cached` is what the caller already read from `key(tenant_id)`, if anything."""
        if tenant_id is None:
            return
        status = cached.decode() if isinstance(cached, bytes) else cached
        if status is None:
            status = await self._load(tenant_id)
        if status == UNKNOWN:
            raise Unauthorized("tenant does not exist", code="INVALID_TOKEN")
        if status != TenantStatus.ACTIVE.value:
            raise suspended(tenant_id)

    async def require_active(self, tenant_id: str | None) -> None:
        if tenant_id is None:
            return
        try:
            cached = await self.redis.get(self.key(tenant_id))
        except RedisError:  # the status is the database's: a Redis outage must not decide it
            cached = None
        await self.check(tenant_id, cached)

    async def _load(self, tenant_id: str) -> str:
        async with self.sessions() as db:
            status = await db.scalar(sa.select(Tenant.status).where(Tenant.id == tenant_id))
        value = status or UNKNOWN
        with contextlib.suppress(RedisError):  # a copy only: the next read loads it again
            await self.redis.set(self.key(tenant_id), value, ex=TTL_SECONDS, nx=True)
        return value

    async def refresh(self, tenant: Tenant) -> None:
        """A writer's copy after its commit (status changed, tenant created)."""
        await self.redis.set(self.key(tenant.id), tenant.status, ex=TTL_SECONDS)

    async def tenant_of_site_key(self, site_key: str | None) -> str:
        """The tenant whose widget sent `site_key` (one indexed read: conversations are opened
        once per chat and rate limited)."""
        if not site_key:
            raise Unauthorized(
                f"the widget's site key is missing ({SITE_KEY_HEADER} header)",
                code="SITE_KEY_REQUIRED",
            )
        async with self.sessions() as db:
            row = (
                await db.execute(
                    sa.select(Tenant.id, Tenant.status).where(Tenant.site_key == site_key)
                )
            ).first()
        if row is None:
            raise Unauthorized("unknown site key", code="SITE_KEY_INVALID")
        if row.status != TenantStatus.ACTIVE.value:
            raise suspended(row.id)
        return str(row.id)
