"""Exactly one agent per chat, agent capacity, one graph run per session at a time, and the
agents' queue index — in Redis.

Why Redis and not the checkpoint: twenty agents clicking "take over" on twenty API instances all
read the same `pending_manual` checkpoint; only an atomic compare-and-set decides who won. The
claim is taken *before* the graph is resumed, so losers never touch the thread.

Keys (P = settings.redis_key_prefix):

* `P:sup:claim:<session>` hash {agent, epoch} — who holds the session's manual episode `epoch`.
  Taken with a TTL (provisional); `confirm()` makes it permanent once the graph accepted the
  takeover, so a process that dies between claim and resume cannot strand the session.
* `P:sup:agent:<agent_id>` set of session names the agent holds (capacity = `max_sessions`).
  Members whose claim has gone (expired provisional claim) are pruned by the claim script.
* `P:sup:lock:<session>` run lock (token, TTL, renewed while held): two resumes never run
  concurrently on one thread.
* `P:sup:idx:<status>` sorted sets and the `P:sup:idx` hash of summaries: the queue.

The scripts touch keys they compute from ARGV (the other sessions of an agent), so they assume a
single Redis primary (plain Redis / Valkey / managed non-cluster), like the checkpointer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.errors import Conflict, Forbidden, ManualInProgress

T = TypeVar("T")
PROVISIONAL_MS: Final = 120_000  # > lock wait + a takeover run

# KEYS: claim, agent set. ARGV: agent, epoch, max_sessions, ttl_ms, session, claim key root.
CLAIM_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
if holder then
  local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
  if holder == ARGV[1] and epoch == tonumber(ARGV[2]) then return {1, 'again'} end
  if epoch >= tonumber(ARGV[2]) then return {0, 'taken', holder} end
  redis.call('SREM', ARGV[6] .. 'agent:' .. holder, ARGV[5])  -- stale claim of an old episode
  redis.call('DEL', KEYS[1])
end
local live = 0
for _, s in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HGET', ARGV[6] .. 'claim:' .. s, 'agent') == ARGV[1] then
    live = live + 1
  else
    redis.call('SREM', KEYS[2], s)
  end
end
if live >= tonumber(ARGV[3]) then return {0, 'capacity', tostring(live)} end
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'epoch', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
return {1, 'claimed'}
"""

# KEYS: claim, agent set. ARGV: agent, epoch, session, claim key root.
# Runs after the graph accepted the takeover: the claim is made to match it, even if the
# provisional claim expired (or was re-taken) while we waited for the session lock.
CONFIRM_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
if holder and holder ~= ARGV[1] then redis.call('SREM', ARGV[4] .. 'agent:' .. holder, ARGV[3]) end
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'epoch', ARGV[2])
redis.call('PERSIST', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[3])
if holder == ARGV[1] then return 1 end
return 0
"""

# KEYS: claim, from set, to set. ARGV: from, to, max_sessions, session, claim key root.
TRANSFER_LUA: Final = """
if redis.call('HGET', KEYS[1], 'agent') ~= ARGV[1] then return {0, 'not_holder'} end
local live = 0
for _, s in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HGET', ARGV[5] .. 'claim:' .. s, 'agent') == ARGV[2] then
    live = live + 1
  else
    redis.call('SREM', KEYS[3], s)
  end
end
if live >= tonumber(ARGV[3]) then return {0, 'capacity', tostring(live)} end
redis.call('HSET', KEYS[1], 'agent', ARGV[2])
redis.call('SREM', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[4])
return {1, 'transferred'}
"""

# KEYS: claim. ARGV: agent ('' = whoever holds it), session, claim key root.
RELEASE_LUA: Final = """
local holder = redis.call('HGET', KEYS[1], 'agent')
if not holder then return 0 end
if ARGV[1] ~= '' and holder ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[3] .. 'agent:' .. holder, ARGV[2])
return 1
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
    """Atomic claims of (session, epoch) by one agent, with per-agent capacity."""

    def __init__(
        self, redis: Redis, key_prefix: str, *, provisional_ms: int = PROVISIONAL_MS
    ) -> None:
        self.redis = redis
        self.root = f"{key_prefix}:sup:"
        self.provisional_ms = provisional_ms
        self._claim = redis.register_script(CLAIM_LUA)
        self._confirm = redis.register_script(CONFIRM_LUA)
        self._transfer = redis.register_script(TRANSFER_LUA)
        self._release = redis.register_script(RELEASE_LUA)

    def claim_key(self, session_name: str) -> str:
        return f"{self.root}claim:{session_name}"

    def agent_key(self, agent_id: str) -> str:
        return f"{self.root}agent:{agent_id}"

    async def claim(self, session_name: str, agent_id: str, epoch: int, max_sessions: int) -> bool:
        """Take (session, epoch) for `agent_id`. True: newly claimed, False: this agent already
        held it (a retry). Raises ManualInProgress (someone else) or AgentAtCapacity."""
        keys = [self.claim_key(session_name), self.agent_key(agent_id)]
        args: list[str | int] = [agent_id, epoch, max_sessions, self.provisional_ms,
                                 session_name, self.root]  # fmt: skip
        ok, outcome, *extra = _decode(await self._claim(keys=keys, args=args))
        if ok:
            return outcome == "claimed"
        if outcome == "capacity":
            raise AgentAtCapacity(
                f"agent {agent_id} already holds {extra[0]} of {max_sessions} chats",
                agent_id=agent_id, max_sessions=max_sessions,
            )  # fmt: skip
        raise ManualInProgress(
            f"session {session_name} is already taken by {extra[0]}",
            session_name=session_name, agent_id=extra[0],
        )  # fmt: skip

    async def confirm(self, session_name: str, agent_id: str, epoch: int) -> bool:
        """The graph accepted the takeover: the claim lives until release. False when it had
        to be repaired (the provisional claim had expired)."""
        keys = [self.claim_key(session_name), self.agent_key(agent_id)]
        return bool(await self._confirm(keys=keys, args=[agent_id, epoch, session_name, self.root]))

    async def transfer(
        self, session_name: str, from_agent: str, to_agent: str, max_sessions: int
    ) -> None:
        keys = [self.claim_key(session_name), self.agent_key(from_agent), self.agent_key(to_agent)]
        args: list[str | int] = [from_agent, to_agent, max_sessions, session_name, self.root]
        ok, outcome, *extra = _decode(await self._transfer(keys=keys, args=args))
        if ok:
            return
        if outcome == "capacity":
            raise AgentAtCapacity(
                f"agent {to_agent} already holds {extra[0]} of {max_sessions} chats",
                agent_id=to_agent, max_sessions=max_sessions,
            )  # fmt: skip
        raise ManualInProgress(f"{from_agent} does not hold session {session_name}")

    async def release(self, session_name: str, agent_id: str | None = None) -> bool:
        """Free the claim (only if `agent_id` holds it; None = whoever does)."""
        keys = [self.claim_key(session_name)]
        args = [agent_id or "", session_name, self.root]
        return int(await self._release(keys=keys, args=args)) == 1

    async def holder(self, session_name: str) -> Claim | None:
        raw = await self.redis.hgetall(self.claim_key(session_name))  # type: ignore[misc]
        data: dict[str, str] = {_text(k): _text(v) for k, v in raw.items()}
        agent = data.get("agent")
        return Claim(agent, int(data["epoch"])) if agent else None

    async def sessions_of(self, agent_id: str) -> set[str]:
        """Sessions the agent holds (confirmed or in flight)."""
        members = await self.redis.smembers(self.agent_key(agent_id))  # type: ignore[misc]
        held = set()
        for session in map(_text, members):
            claim = await self.holder(session)
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
        self.root = f"{key_prefix}:sup:lock:"
        self.ttl_ms = ttl_ms
        self.wait_seconds = wait_seconds
        self._script = redis.register_script(LOCK_LUA)

    @contextlib.asynccontextmanager
    async def hold(self, session_name: str) -> AsyncIterator[None]:
        key, token = self.root + session_name, secrets.token_hex(8)
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


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _tenant_of(blob: Any) -> str:
    return str(json.loads(_text(blob)).get("tenant_id") or DEFAULT_TENANT)


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


class SessionIndex:
    """The agents' queue: a sorted set per status (score: when the session entered that status,
    in ms, so two escalations in one second stay first-come first-served) and one hash of JSON
    summaries. Written after every run, under the session lock, so listing the queue never
    opens a checkpoint."""

    STATUSES: Final = ("bot_active", "pending_manual", "manual_live", "closed")

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.root = f"{key_prefix}:sup:idx"

    def key(self, status: str) -> str:
        return f"{self.root}:{status}"

    async def sync(self, state: Mapping[str, Any]) -> None:
        name, status = str(state["session_name"]), str(state["status"])
        escalation = state.get("escalation") or {}
        spoken = [m for m in state.get("history") or [] if m.get("role") != "system"]
        profile = state.get("user_profile") or {}
        summary = {
            "session_name": name,
            "status": status,
            "escalation": escalation or None,
            "assigned_agent": state.get("assigned_agent"),
            "last_message_preview": spoken[-1]["content"][:80] if spoken else "",
            "updated_at": state.get("updated_at"),
            "user_profile": {"nickname": profile.get("nickname"), "vip": profile.get("vip")},
            "tenant_id": str(state.get("tenant_id") or DEFAULT_TENANT),
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            for other in self.STATUSES:
                if other != status:
                    pipe.zrem(self.key(other), name)
            pipe.zadd(self.key(status), {name: time.time() * 1000}, nx=True)
            pipe.hset(self.root, name, json.dumps(summary, ensure_ascii=False))
            await pipe.execute()

    async def summaries(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The stored summaries of these sessions (unknown names are left out)."""
        raw = await self.redis.hmget(self.root, names) if names else []  # type: ignore[misc]
        return {n: json.loads(_text(b)) for n, b in zip(names, raw, strict=True) if b is not None}

    async def list(
        self,
        status: str | None,
        *,
        now: int,
        offset: int = 0,
        limit: int = 50,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        """`{items: [SessionSummary], total}`, oldest first within a status; with `tenant`,
        only that tenant's sessions (summaries before 0006 are tenant `default`'s)."""
        statuses = [status] if status else list(self.STATUSES)
        names: list[str] = []
        for item in statuses:
            names += [_text(n) for n in await self.redis.zrange(self.key(item), 0, -1)]
        if tenant is not None and names:
            every = await self.redis.hmget(self.root, names)  # type: ignore[misc]
            names = [n for n, b in zip(names, every, strict=True)
                     if b is not None and _tenant_of(b) == tenant]  # fmt: skip
        page = names[offset : offset + limit]
        raw = await self.redis.hmget(self.root, page) if page else []  # type: ignore[misc]
        items = []
        for blob in raw:
            if blob is None:
                continue
            summary = json.loads(_text(blob))
            trigger = (summary.get("escalation") or {}).get("trigger_at")
            pending = summary["status"] == "pending_manual" and trigger is not None
            summary["waiting_seconds"] = max(0, now - int(trigger or now)) if pending else 0
            items.append(summary)
        return {"items": items, "total": len(names)}
