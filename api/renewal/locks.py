"""One run per renewal session at a time: a Redis lock with a TTL, shared by every API process.

Two clicks on one session (two tabs, a double submit) would otherwise resume the same interrupt
twice. The second caller gets 409 RUN_IN_PROGRESS at once instead of waiting. The lock carries
a random token so only its holder can release or extend it; while held it is extended every
third of its TTL, and a crashed process leaves a lock that expires by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from redis.asyncio import Redis

from core.errors import RunInProgress

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class HeldLock:
    """A lock this request holds; `release()` is idempotent."""

    def __init__(self, locks: SessionLocks, key: str, token: str) -> None:
        self.locks = locks
        self.key = key
        self.token = token
        self._keepalive = asyncio.create_task(self._extend_forever(), name=f"lock:{key}")
        self._released = False

    async def _extend_forever(self) -> None:
        ttl_ms = int(self.locks.ttl_seconds * 1000)
        while True:
            await asyncio.sleep(self.locks.ttl_seconds / 3)
            await self.locks.redis.eval(_EXTEND, 1, self.key, self.token, ttl_ms)  # type: ignore[misc]

    async def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._keepalive.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):  # a dead keepalive is fine
            await self._keepalive
        await self.locks.redis.eval(_RELEASE, 1, self.key, self.token)  # type: ignore[misc]


class SessionLocks:
    def __init__(self, redis: Redis, prefix: str, *, ttl_seconds: float = 60.0) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:renewal:lock"
        self.ttl_seconds = ttl_seconds

    def key(self, session_id: str) -> str:
        return f"{self.prefix}:{session_id}"

    async def acquire(self, session_id: str) -> HeldLock:
        """Take the session's lock or raise RunInProgress (409) without waiting."""
        key, token = self.key(session_id), uuid.uuid4().hex
        took = await self.redis.set(key, token, nx=True, px=int(self.ttl_seconds * 1000))
        if not took:
            raise RunInProgress(
                "another request is already working on this session; retry when it finishes",
                session_id=session_id,
                retry_after=1,
            )
        return HeldLock(self, key, token)
