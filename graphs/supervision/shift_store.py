"""Agents' working hours per tenant, editable at run time and shared by every API instance.

The supervision graph asks `ShiftStore.current(tenant)` at every escalation (and for the hours
line of the customer prompt) with the session's tenant, so `PUT /api/shift/config` by a tenant's
admin takes effect on that tenant's next turn everywhere, without a restart, and on no other
tenant's chats; Studio's supervision graph reads the same store. Key: `P:t:<tenant>:sup:shift`.
No stored config means the built-in default (09:00-18:00 Asia/Taipei, weekdays). Tenant
`default` still reads the config stored before tenants (`P:sup:shift`) until it saves its own.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from core.tenant_keys import tenant_prefix
from graphs.supervision.shift import ShiftConfig

log = get_logger(__name__)


class ShiftStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.legacy_key = f"{prefix}:sup:shift"  # before tenants: tenant `default`'s

    def key(self, tenant_id: str) -> str:
        return f"{tenant_prefix(self.prefix, tenant_id)}:sup:shift"

    async def current(self, tenant_id: str = DEFAULT_TENANT) -> ShiftConfig:
        """The tenant's stored config, or the default (also when it no longer parses)."""
        key = self.key(tenant_id)
        raw: Any = await self.redis.get(key)
        if not raw and tenant_id == DEFAULT_TENANT:  # two GETs, not MGET: other cluster slots
            raw = await self.redis.get(self.legacy_key)
        if not raw:
            return ShiftConfig()
        try:
            return ShiftConfig.model_validate_json(raw)
        except ValidationError:
            log.warning("shift_config_unreadable", key=key)
            return ShiftConfig()

    async def save(self, config: ShiftConfig, tenant_id: str = DEFAULT_TENANT) -> ShiftConfig:
        await self.redis.set(self.key(tenant_id), config.model_dump_json())
        return config

    async def reset(self, tenant_id: str = DEFAULT_TENANT) -> None:
        keys = [self.key(tenant_id)]
        if tenant_id == DEFAULT_TENANT:
            keys.append(self.legacy_key)
        for key in keys:  # one by one: the keys may sit in different cluster slots
            await self.redis.delete(key)
