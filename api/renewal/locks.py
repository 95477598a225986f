"""One run per renewal session at a time: a short Redis lease, shared by every API process.

Two clicks on one session (two tabs, a double submit) would otherwise resume the same interrupt
twice. The second caller gets 409 RUN_IN_PROGRESS at once instead of waiting.

The lock is a lease (`RENEWAL_LOCK_LEASE_SECONDS`, 2 s by default) carrying a random token: only
its holder can renew or release it. The live holder renews it every quarter of the lease, so a
run may last as long as it needs, while a holder that died (kill -9, a lost host) stops renewing
and its lock frees itself within one lease: the retry after a restart goes through in seconds,
not after a long fixed TTL.

A holder whose event loop stalls longer than three quarters of the lease may find the lease
lapsed. Renewal then takes it back if nobody else has (logged); if another request took it
meanwhile, the holder marks the lock `lost` and logs an error: the graph's nodes are idempotent
(progress is an UPDATE, the reservation carries an idempotency key, completion is
compare-and-set), so two runs that overlap this way still count the sale once.

A step takes the lock in the round trip of its session read (`take`, then
`RenewalFlow.read(ahead=)`, then `settle`): the `SET` goes first in that round trip, so the lock
is still taken before the session is read on the server, without a round trip of its own
(issue 24). The `SET` is `NX GET`: a request the saver's transport resends after a lost
connection finds its own token and holds the lock, instead of refusing itself for a lease.
Given the saver's transport (`trips`), the release goes through it too: the same EVALSHA at
about half redis-py's client CPU (`tests/benchmarks/bench_session_lock.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from redis.asyncio import Redis

from core.errors import RunInProgress
from core.logging import get_logger
from graphs.checkpoint.lua import LuaScript
from graphs.checkpoint.transport import RoundTrips
from graphs.renewal.reads import Ahead

log = get_logger(__name__)

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
RELEASE_LUA = LuaScript.of(_RELEASE)
# 1: renewed; 2: had lapsed and nobody took it, taken back; 0: another holder has it
_RENEW = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0
"""
RENEWED, RETAKEN, LOST = 1, 2, 0


class HeldLock:
    """A lock this request holds; `release()` is idempotent.

    The keepalive is a timer, not a task: most steps end long before the first renewal is due,
    and a timer costs nothing to cancel, where a task per request was created, cancelled and
    awaited on every click. When the timer fires it starts one renewal and re-arms."""

    def __init__(self, locks: SessionLocks, key: str, token: str) -> None:
        self.locks = locks
        self.key = key
        self.token = token
        self.lost = False
        self._released = False
        self._renewing: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._timer = self._loop.call_later(locks.renew_every, self._due)

    def _due(self) -> None:
        if self._released:
            return
        self._renewing = self._loop.create_task(self._renew_once(), name=f"lock:{self.key}")

    async def _renew_once(self) -> None:
        try:
            if not await self.renew():
                return
        except Exception as error:  # Redis blip: try again well before the lease ends
            log.warning("renewal lock renewal failed", key=self.key, error=str(error))
        if not self._released:
            self._timer = self._loop.call_later(self.locks.renew_every, self._due)

    async def renew(self) -> bool:
        """Renew the lease once; False (and `lost`) when another holder has taken it."""
        lease_ms = int(self.locks.lease_seconds * 1000)
        got = await self.locks.renew_script(keys=[self.key], args=[self.token, lease_ms])
        if int(got) == RETAKEN:
            log.warning("renewal lock lease lapsed and was taken back", key=self.key)
        elif int(got) == LOST:
            self.lost = True
            log.error("renewal lock lease lapsed and another request took it", key=self.key)
        return not self.lost

    async def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._timer.cancel()
        if self._renewing is not None and not self._renewing.done():
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a dead renewal is fine
                await self._renewing
        if self.locks.trips is not None:
            await self.locks.trips.eval(RELEASE_LUA, [self.key], [self.token])
        else:
            await self.locks.release_script(keys=[self.key], args=[self.token])


class Take(Ahead):
    """The session's lock, asked for in the round trip of another command (the session read)."""

    __slots__ = ("key", "session_id", "token")

    def __init__(self, key: str, token: str, session_id: str, lease_ms: int) -> None:
        super().__init__([("SET", key, token, "NX", "GET", "PX", lease_ms)])
        self.key, self.token, self.session_id = key, token, session_id


class SessionLocks:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        lease_seconds: float = 2.0,
        trips: RoundTrips | None = None,
    ) -> None:
        """`trips`: the checkpoint saver's transport on the same Redis, for the release."""
        self.redis = redis
        self.trips = trips
        self.prefix = f"{prefix}:renewal:lock"
        self.lease_seconds = lease_seconds
        # a quarter lease: three renewals may be missed (a busy loop, a slow Redis) before it lapses
        self.renew_every = lease_seconds / 4
        # EVALSHA (the script body is sent once per connection pool, not on every click)
        self.release_script = redis.register_script(_RELEASE)
        self.renew_script = redis.register_script(_RENEW)

    def key(self, session_id: str) -> str:
        return f"{self.prefix}:{session_id}"

    def take(self, session_id: str) -> Take:
        """The lock's `SET`, for another round trip to carry; `settle` reads its reply."""
        lease_ms = int(self.lease_seconds * 1000)
        return Take(self.key(session_id), uuid.uuid4().hex, session_id, lease_ms)

    def settle(self, take: Take) -> HeldLock:
        """The lock a sent `take` got, or RunInProgress (409) when another request holds it."""
        if not take.replies:
            raise RuntimeError(f"the lock request for {take.key} was never sent")
        holder = take.replies[0]
        if isinstance(holder, Exception):
            raise holder
        if isinstance(holder, bytes):
            holder = holder.decode()
        if holder is not None and holder != take.token:  # None: it was free, now ours
            raise RunInProgress(
                "another request is already working on this session; retry when it finishes",
                session_id=take.session_id,
                retry_after=1,
            )
        return HeldLock(self, take.key, take.token)

    async def acquire(self, session_id: str) -> HeldLock:
        """Take the session's lock in a round trip of its own, or raise RunInProgress (409)
        without waiting."""
        take = self.take(session_id)
        px = int(self.lease_seconds * 1000)
        take.replies = [await self.redis.set(take.key, take.token, nx=True, get=True, px=px)]
        return self.settle(take)
