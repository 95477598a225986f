"""Agents' working hours, editable at run time and shared by every API instance (Redis).

The supervision graph asks `ShiftStore.current` at every escalation (and for the hours line of
the customer prompt), so `PUT /api/shift/config` takes effect on the next turn everywhere,
without a restart; Studio's supervision graph reads the same store. No stored config means the
built-in default (09:00-18:00 Asia/Taipei, weekdays).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis

from core.logging import get_logger
from graphs.supervision.shift import ShiftConfig

log = get_logger(__name__)


class ShiftStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.key = f"{prefix}:sup:shift"

    async def current(self) -> ShiftConfig:
        """The stored config, or the default (also when the stored one no longer parses)."""
        raw: Any = await self.redis.get(self.key)
        if not raw:
            return ShiftConfig()
        try:
            return ShiftConfig.model_validate_json(raw)
        except ValidationError:
            log.warning("shift_config_unreadable", key=self.key)
            return ShiftConfig()

    async def save(self, config: ShiftConfig) -> ShiftConfig:
        await self.redis.set(self.key, config.model_dump_json())
        return config

    async def reset(self) -> None:
        await self.redis.delete(self.key)
