"""The outbox's delivery state in Redis: claims with a lease, and one status record per mail.

One outbox per tenant (docs/tenants.md): `P:sup:outbox:tenants` names the tenants that have one
(P = REDIS_KEY_PREFIX), and each tenant's keys are `<q>` = `P:t:<tenant>:sup:outbox` (the list
the graph RPUSHes onto, `RedisOutbox`) and its companions `{<q>}:<name>`, whose hash tag is
`<q>` itself, so a tenant's six keys live in the slot of `<q>` on a Redis Cluster and every
script below touches one slot (one tenant's):

* `<q>`              list   queued handoffs (JSON), oldest first;
* `{<q>}:held`       hash   mail_id -> the handoff's JSON while claimed or deferred;
* `{<q>}:leases`     zset   mail_id -> when its claim expires (renewed while a worker sends);
* `{<q>}:owner`      hash   mail_id -> the claim's token (only that claim may record);
* `{<q>}:deferred`   zset   mail_id -> when to try again after a temporary failure;
* `{<q>}:status`     hash   mail_id -> JSON `MailStatus`: what staff see (queued is implicit).

A worker takes the tenants in turn (`claim`): after a mail of one tenant it asks the next
tenant first, so one tenant's backlog never holds another's handoff back. Before tenants the
outbox was one list, `P:sup:outbox` + `{P:sup:outbox}:<name>`: `core.migrate_tenant_keys`
moves it to the tenants' outboxes once on upgrade (docs/tenants.md). (Before issue 23 the
companions were `<q>:<name>`; `RENAME P:sup:outbox:status {P:sup:outbox}:status` first,
docs/realtime.md.)

The status record is also the idempotency record: a claim of a mail whose record says `sent` or
`failed` drops that copy instead of sending it (a duplicate RPUSH, a retried queue write). Every
state change is one Lua script, so two workers (two API instances) never hold one mail at once.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from graphs.supervision.outbox import MailHandoff, RedisOutbox

MailState = Literal["sending", "retrying", "sent", "failed"]
FINAL: frozenset[str] = frozenset({"sent", "failed"})

_CLAIM = """
local now = tonumber(ARGV[1])
local id, raw
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1)
if #expired > 0 then
  id = expired[1]
else
  local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1)
  if #due > 0 then
    id = due[1]
    redis.call('ZREM', KEYS[2], id)
  else
    raw = redis.call('LPOP', KEYS[1])
    if not raw then return false end
    local ok, doc = pcall(cjson.decode, raw)
    if not ok or type(doc) ~= 'table' or type(doc['mail_id']) ~= 'string' then
      id = 'unreadable_' .. redis.sha1hex(raw)
      redis.call('HSET', KEYS[6], id, cjson.encode({state='failed', updated_at=now,
        reason='unreadable outbox entry', attempts=0}))
      return {id, '', 'dropped'}
    end
    id = doc['mail_id']
    redis.call('HSET', KEYS[5], id, raw)
  end
end
raw = redis.call('HGET', KEYS[5], id)
local st = redis.call('HGET', KEYS[6], id)
local done = false
if st then
  local state = cjson.decode(st)['state']
  done = state == 'sent' or state == 'failed'
end
if done or not raw then
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  if done then redis.call('HDEL', KEYS[5], id) end
  return {id, '', 'dropped'}
end
local previous = redis.call('HGET', KEYS[4], id) or ''
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), id)
redis.call('HSET', KEYS[4], id, ARGV[3])
return {id, raw, previous}
"""

# ARGV: token, status JSON, mode (renew | keep | done | defer), due, lease expiry, mail id
_RECORD = """
if redis.call('HGET', KEYS[2], ARGV[6]) ~= ARGV[1] then return 0 end
if ARGV[3] == 'renew' then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[6])
  return 1
end
redis.call('HSET', KEYS[4], ARGV[6], ARGV[2])
if ARGV[3] == 'keep' then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[6])
  return 1
end
redis.call('ZREM', KEYS[1], ARGV[6])
redis.call('HDEL', KEYS[2], ARGV[6])
if ARGV[3] == 'done' then
  redis.call('HDEL', KEYS[3], ARGV[6])
else
  redis.call('ZADD', KEYS[5], ARGV[4], ARGV[6])
end
return 1
"""


class MailStatus(BaseModel):
    """A handoff mail's delivery, as staff see it (`{<q>}:status`)."""

    state: MailState
    tenant_id: str | None = None  # whose outbox holds it (records before tenants: none)
    attempts: int = 0
    reason: str | None = None  # the last failure, e.g. "550 5.1.1 mailbox unavailable"
    message_id: str | None = None
    email_to: list[str] = []
    session_name: str | None = None
    queued_at: int | None = None
    updated_at: float
    sent_at: float | None = None
    next_attempt_at: float | None = None
    # a claim took over from one that died mid-send: that one may have been delivered
    possible_duplicate: bool = False


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one mail until it records the outcome or its lease expires."""

    mail: MailHandoff
    token: str
    taken_over: bool  # the previous claim's worker died (or stalled) holding it
    tenant: str = DEFAULT_TENANT  # whose outbox it was claimed from (where it is recorded)


class MailStore:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.outbox = RedisOutbox(redis, key_prefix)
        self._claim = redis.register_script(_CLAIM)
        self._record = redis.register_script(_RECORD)
        self._turn = 0  # the position in the tenants' round where the next claim starts

    def keys(self, tenant: str) -> dict[str, str]:
        """The tenant's queue (`queue`) and its companions, all in the queue's slot."""
        return self.outbox.delivery_keys(tenant)

    async def claim(self, lease_seconds: float) -> Claim | None:
        """The next mail to send, or None when no tenant has one. The tenants take turns,
        starting after the one served last; within a tenant a dead worker's mail comes first,
        then due retries, then the queue. Copies already sent or failed are dropped."""
        tenants = await self.outbox.tenants()
        for step in range(len(tenants)):
            turn = (self._turn + step) % len(tenants)
            claim = await self._claim_from(tenants[turn], lease_seconds)
            if claim is not None:
                self._turn = turn + 1
                return claim
        return None

    async def _claim_from(self, tenant: str, lease_seconds: float) -> Claim | None:
        k = self.keys(tenant)
        token = uuid.uuid4().hex
        while True:
            found: Any = await self._claim(
                keys=[k["queue"], k["deferred"], k["leases"], k["owner"], k["held"], k["status"]],
                args=[time.time(), lease_seconds, token],
            )
            if not found:
                return None
            _, raw, previous = (_text(x) for x in found)
            if previous == "dropped":
                continue
            mail = MailHandoff.model_validate_json(raw)
            return Claim(mail, token, bool(previous), tenant)

    async def status(self, mail_id: str, tenant: str | None = None) -> MailStatus | None:
        """The mail's delivery record, in `tenant`'s outbox, or in any (a mail id alone)."""
        tenants = [tenant] if tenant is not None else await self.outbox.tenants()
        for owner in tenants:
            raw: Any = await self.redis.hget(self.keys(owner)["status"], mail_id)  # type: ignore[misc]
            if raw:
                return MailStatus.model_validate_json(raw)
        return None

    async def record(
        self,
        claim: Claim,
        status: MailStatus,
        *,
        mode: Literal["keep", "done", "defer"],
        due: float = 0.0,
        lease_seconds: float = 0.0,
    ) -> bool:
        """Write the status if `claim` still holds the mail: `keep` renews the lease, `done`
        ends the claim (sent / failed), `defer` puts the mail aside until `due`. False: the
        lease was lost (another worker took the mail over)."""
        k = self.keys(claim.tenant)
        written: Any = await self._record(
            keys=[k["leases"], k["owner"], k["held"], k["status"], k["deferred"]],
            args=[claim.token, status.model_dump_json(), mode, due,
                  time.time() + lease_seconds, claim.mail.mail_id],
        )  # fmt: skip
        return bool(written)

    async def renew(self, claim: Claim, lease_seconds: float) -> bool:
        """Extend the claim's lease; False when it is no longer this claim's."""
        k = self.keys(claim.tenant)
        written: Any = await self._record(
            keys=[k["leases"], k["owner"], k["held"], k["status"], k["deferred"]],
            args=[claim.token, "", "renew", 0, time.time() + lease_seconds, claim.mail.mail_id],
        )
        return bool(written)

    async def counts(self) -> dict[str, int]:
        """How many mails are queued, deferred, being sent, sent and failed (every tenant's)."""
        tenants = await self.outbox.tenants()
        async with self.redis.pipeline(transaction=False) as pipe:
            for tenant in tenants:
                k = self.keys(tenant)
                pipe.llen(k["queue"])
                pipe.zcard(k["deferred"])
                pipe.zcard(k["leases"])
                pipe.hvals(k["status"])
            replies = await pipe.execute()
        counts = dict.fromkeys(("queued", "deferred", "sending", "sent", "failed"), 0)
        for at in range(0, len(replies), 4):
            queued, deferred, sending, records = replies[at : at + 4]
            states = [json.loads(r).get("state") for r in records]
            counts["queued"] += queued
            counts["deferred"] += deferred
            counts["sending"] += sending
            counts["sent"] += states.count("sent")
            counts["failed"] += states.count("failed")
        return counts


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
