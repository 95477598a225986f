"""Exactly one agent per chat, agent capacity, one graph run per session at a time, and the
agents' queue index — in Redis.

Why Redis and not the checkpoint: twenty agents clicking "take over" on twenty API instances all
read the same `pending_manual` checkpoint; only an atomic compare-and-set decides who won. The
claim is taken *before* the graph is resumed, so losers never touch the thread.

Keys (P = settings.redis_key_prefix, T = `P:t:<tenant>`, the session's tenant: the service
always names it; claims left unnamed are tenant `default`'s, like sessions from before
tenants; a lock without a tenant sits right under its prefix, for callers whose prefix is
already their namespace, e.g. api/tags), each operation's keys in one slot so the same code
runs on one Redis and on a Redis Cluster (docs/realtime.md "Redis Cluster"):

* `T:sup:claim:<session>` hash {agent, epoch, stamp} — who holds the session's manual episode
  `epoch`. Taken with a TTL (provisional); `confirm()` makes it permanent once the graph
  accepted the takeover, so a process that dies between claim and resume cannot strand it.
* `T:sup:load:<agent_id>` sorted set: the sessions the agent holds or is taking (member:
  session, score: the claim's `stamp`), counted against `max_sessions`. The claim and the
  load live in different slots (a session's, an agent's), so no script touches both: the
  claim is written first and the load entry after it, the entry is removed after the claim
  stops naming the agent, and an entry whose claim no longer names its agent is stale (a
  crash in between, an expired provisional claim, a newer episode) and is pruned before
  every count, only if its score is still the one read (a re-take writes a new stamp).
* `T:sup:lock:<session>` run lock (token, TTL, renewed while held): two resumes never run
  concurrently on one thread.
* the agents' queue (`queue_index.SessionIndex`, re-exported here): `T:sup:idx` and
  `{T:sup:idx}:<status>`, one slot, one MULTI.

An agent only ever holds chats of their own tenant, so a load and the claims it counts share
the tenant. Keys written before tenants (`P:sup:...`) are moved once on upgrade by
`core.migrate_tenant_keys` (docs/tenants.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.errors import Conflict, Forbidden, ManualInProgress
from core.tenant_keys import tenant_prefix
from graphs.supervision.queue_index import SessionIndex as SessionIndex  # re-exported

T = TypeVar("T")
PROVISIONAL_MS: Final = 120_000  # > lock wait + a takeover run

# KEYS: claim. ARGV: agent, epoch, ttl_ms, stamp.
CLAIM_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
if holder then
  local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
  if holder == ARGV[1] and epoch == tonumber(ARGV[2]) then
    return {1, 'again', redis.call('HGET', KEYS[1], 'stamp') or ARGV[4]}
  end
  if epoch >= tonumber(ARGV[2]) then return {0, 'taken', holder} end
end
redis.call('DEL', KEYS[1])  -- a stale claim of an old episode gives way
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'epoch', ARGV[2], 'stamp', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, 'claimed', ARGV[4]}
"""

# KEYS: the agent's load. ARGV: session, stamp, max_sessions, then stale (member, score) pairs.
# Pruning removes an entry only if its score is still the one read as stale.
LOAD_LUA: Final = """
for i = 4, #ARGV, 2 do
  if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]) or -1) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return {1, 'again'}
end
local live = redis.call('ZCARD', KEYS[1])
if ARGV[3] ~= '' and live >= tonumber(ARGV[3]) then return {0, 'capacity', tostring(live)} end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return {1, 'added'}
"""

# KEYS: claim. ARGV: agent, epoch, stamp.
# Runs after the graph accepted the takeover: the claim is made to match it, even if the
# provisional claim expired (or was re-taken) while we waited for the session lock.
CONFIRM_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'epoch', ARGV[2])
if holder ~= ARGV[1] then redis.call('HSET', KEYS[1], 'stamp', ARGV[3]) end
redis.call('PERSIST', KEYS[1])
if holder == ARGV[1] then return {1, redis.call('HGET', KEYS[1], 'stamp')} end
return {0, ARGV[3]}
"""

# KEYS: claim. ARGV: from, to, stamp. Moves the claim; answers the stamp it had (to undo).
HANDOVER_LUA: Final = """
if redis.call('HGET', KEYS[1], 'agent') ~= ARGV[1] then return {0, 'not_holder'} end
local before = redis.call('HGET', KEYS[1], 'stamp') or '0'
redis.call('HSET', KEYS[1], 'agent', ARGV[2], 'stamp', ARGV[3])
return {1, before}
"""

# KEYS: claim. ARGV: agent ('' = whoever holds it), epoch ('' = any). Answers the holder freed.
RELEASE_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
if not holder then return '' end
if ARGV[1] ~= '' and holder ~= ARGV[1] then return '-' end
if ARGV[2] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'epoch')) ~= tonumber(ARGV[2]) then
  return '-'
end
redis.call('DEL', KEYS[1])
return holder
"""

# KEYS: lock. ARGV: token, ttl_ms (ttl 0 = delete).
LOCK_LUA: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""


class AgentAtCapacity(Conflict):
    """The agent already holds `max_sessions` live chats."""

    code = "AGENT_AT_CAPACITY"


class NotAssignedAgent(Forbidden):
    """Only the agent holding the chat may talk in it, transfer or release it."""

    code = "NOT_ASSIGNED_AGENT"


def require_holder(assigned: Mapping[str, Any] | None, agent_id: str) -> None:
    """Only the assigned agent may talk in, transfer or release a live chat."""
    holder = (assigned or {}).get("id")
    if holder != agent_id:
        raise NotAssignedAgent(f"agent {agent_id} is not assigned to this chat", assigned=holder)


class SessionBusy(Conflict):
    """Another run holds the session's lock for longer than we may wait."""

    code = "SESSION_BUSY"


@dataclass(frozen=True)
class Claim:
    agent_id: str
    epoch: int


class ClaimStore:
    """Atomic claims of (session, epoch) by one agent, with per-agent capacity; no operation
    needs a script across the session's and the agent's slots (see the module doc)."""

    def __init__(
        self, redis: Redis, key_prefix: str, *, provisional_ms: int = PROVISIONAL_MS
    ) -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.provisional_ms = provisional_ms
        self._claim = redis.register_script(CLAIM_LUA)
        self._load = redis.register_script(LOAD_LUA)
        self._confirm = redis.register_script(CONFIRM_LUA)
        self._handover = redis.register_script(HANDOVER_LUA)
        self._release = redis.register_script(RELEASE_LUA)

    def claim_key(self, session_name: str, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:sup:claim:{session_name}"

    def load_key(self, agent_id: str, tenant: str = DEFAULT_TENANT) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:sup:load:{agent_id}"

    async def claim(
        self,
        session_name: str,
        agent_id: str,
        epoch: int,
        max_sessions: int,
        *,
        tenant: str = DEFAULT_TENANT,
    ) -> bool:
        """Take (session, epoch) for `agent_id`. True: newly claimed, False: this agent already
        held it (a retry). Raises ManualInProgress (someone else) or AgentAtCapacity.

        The claim first (the session's slot: exactly one winner), then the winner's load (the
        agent's slot); at capacity the claim is given back, so a concurrent taker of the same
        chat may have seen ManualInProgress for that moment."""
        args: list[str | int] = [agent_id, epoch, self.provisional_ms, _stamp()]
        claim_key = self.claim_key(session_name, tenant)
        ok, outcome, *extra = _decode(await self._claim(keys=[claim_key], args=args))
        if not ok:
            raise ManualInProgress(
                f"session {session_name} is already taken by {extra[0]}",
                session_name=session_name, agent_id=extra[0],
            )  # fmt: skip
        try:
            await self._add_load(agent_id, session_name, int(extra[0]), max_sessions, tenant)
        except AgentAtCapacity:
            if outcome == "claimed":
                await self._release(keys=[claim_key], args=[agent_id, epoch])
            raise
        return outcome == "claimed"

    async def _add_load(
        self,
        agent_id: str,
        session_name: str,
        stamp: int,
        max_sessions: int | None,
        tenant: str,
    ) -> None:
        """Count `session_name` against the agent's capacity (None: no limit), pruning stale
        entries first; raises AgentAtCapacity."""
        stale = await self._stale(agent_id, tenant, keep=session_name)
        args: list[str | int] = [session_name, stamp, "" if max_sessions is None else max_sessions]
        for member, score in stale:
            args += [member, score]
        load_key = self.load_key(agent_id, tenant)
        ok, _, *extra = _decode(await self._load(keys=[load_key], args=args))
        if not ok:
            raise AgentAtCapacity(
                f"agent {agent_id} already holds {extra[0]} of {max_sessions} chats",
                agent_id=agent_id, max_sessions=max_sessions,
            )  # fmt: skip

    async def _stale(self, agent_id: str, tenant: str, keep: str = "") -> list[tuple[str, int]]:
        """The agent's load entries whose claim no longer names the agent, with their scores."""
        raw: Any = await self.redis.zrange(self.load_key(agent_id, tenant), 0, -1, withscores=True)
        entries = [(_text(m), int(score)) for m, score in raw if _text(m) != keep]
        if not entries:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for member, _ in entries:
                pipe.hget(self.claim_key(member, tenant), "agent")
            holders = await pipe.execute()
        return [entry for entry, holder in zip(entries, holders, strict=True)
                if holder is None or _text(holder) != agent_id]  # fmt: skip

    async def confirm(
        self, session_name: str, agent_id: str, epoch: int, *, tenant: str = DEFAULT_TENANT
    ) -> bool:
        """The graph accepted the takeover: the claim lives until release. False when it had
        to be repaired (the provisional claim had expired or was re-taken)."""
        kept, stamp = _decode(await self._confirm(keys=[self.claim_key(session_name, tenant)],
                                                  args=[agent_id, epoch, _stamp()]))  # fmt: skip
        await self._add_load(agent_id, session_name, int(stamp), None, tenant)
        return bool(kept)

    async def transfer(
        self,
        session_name: str,
        from_agent: str,
        to_agent: str,
        max_sessions: int,
        *,
        tenant: str = DEFAULT_TENANT,
    ) -> None:
        """Move the claim to `to_agent` (capacity checked); the claim first, then the taker's
        load; at capacity the claim is moved back."""
        stamp, claim_key = _stamp(), self.claim_key(session_name, tenant)
        ok, before = _decode(await self._handover(keys=[claim_key],
                                                  args=[from_agent, to_agent, stamp]))  # fmt: skip
        if not ok:
            raise ManualInProgress(f"{from_agent} does not hold session {session_name}")
        try:
            await self._add_load(to_agent, session_name, stamp, max_sessions, tenant)
        except AgentAtCapacity:
            await self._handover(keys=[claim_key], args=[to_agent, from_agent, before])
            raise
        await self.redis.zrem(self.load_key(from_agent, tenant), session_name)

    async def release(
        self, session_name: str, agent_id: str | None = None, *, tenant: str = DEFAULT_TENANT
    ) -> bool:
        """Free the claim (only if `agent_id` holds it; None = whoever does), then the holder's
        load entry (a crash in between leaves a stale entry, pruned at the next count)."""
        holder = _text(await self._release(keys=[self.claim_key(session_name, tenant)],
                                           args=[agent_id or "", ""]))  # fmt: skip
        if holder in ("", "-"):
            return False
        await self.redis.zrem(self.load_key(holder, tenant), session_name)
        return True

    async def holder(self, session_name: str, *, tenant: str = DEFAULT_TENANT) -> Claim | None:
        raw = await self.redis.hgetall(self.claim_key(session_name, tenant))  # type: ignore[misc]
        data: dict[str, str] = {_text(k): _text(v) for k, v in raw.items()}
        agent = data.get("agent")
        return Claim(agent, int(data["epoch"])) if agent else None

    async def sessions_of(self, agent_id: str, *, tenant: str = DEFAULT_TENANT) -> set[str]:
        """Sessions the agent holds (confirmed or in flight)."""
        members = await self.redis.zrange(self.load_key(agent_id, tenant), 0, -1)
        held = set()
        for session in map(_text, members):
            claim = await self.holder(session, tenant=tenant)
            if claim is not None and claim.agent_id == agent_id:
                held.add(session)
        return held


class SessionLocks:
    """A per-session mutex across processes: SET NX PX with a token, renewed while held."""

    def __init__(
        self,
        redis: Redis,
        key_prefix: str,
        *,
        ttl_ms: int = 60_000,
        wait_seconds: float = 30.0,
    ) -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.ttl_ms = ttl_ms
        self.wait_seconds = wait_seconds
        self._script = redis.register_script(LOCK_LUA)

    def key(self, session_name: str, tenant: str | None = None) -> str:
        return f"{_root(self.prefix, tenant)}:sup:lock:{session_name}"

    @contextlib.asynccontextmanager
    async def hold(self, session_name: str, tenant: str | None = None) -> AsyncIterator[None]:
        key, token = self.key(session_name, tenant), secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + self.wait_seconds, 0.005
        while not await self.redis.set(key, token, nx=True, px=self.ttl_ms):
            if loop.time() >= deadline:
                raise SessionBusy(f"session {session_name} is busy", session_name=session_name)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)
        renew = asyncio.create_task(self._renew(key, token))
        try:
            yield
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await self._script(keys=[key], args=[token, 0])

    async def _renew(self, key: str, token: str) -> None:
        """Keep a long run (a slow model) from losing the lock; stops if the lock was lost."""
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            if not await self._script(keys=[key], args=[token, self.ttl_ms]):
                return


def _root(prefix: str, tenant: str | None) -> str:
    return prefix if tenant is None else tenant_prefix(prefix, tenant)


def _stamp() -> int:
    """A claim's identity in an agent's load (microseconds: exact as a sorted-set score)."""
    return time.time_ns() // 1000


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(result: list[Any]) -> list[Any]:
    return [int(result[0]), *(_text(v) for v in result[1:])]


async def complete(work: Awaitable[T]) -> T:
    """Await `work` to its end even if the caller is cancelled meanwhile (the cancellation is
    re-raised afterwards): the session lock is released only once the graph run is over."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.done():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result
