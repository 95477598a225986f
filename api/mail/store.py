"""The outbox's delivery state in Redis: claims with a lease, and one status record per mail.

Keys: `<q>` = `<prefix>:sup:outbox` (the list the graph RPUSHes onto) and its companions
`{<q>}:<name>`, whose hash tag is `<q>` itself, so all six live in the slot of `<q>` on a Redis
Cluster and every script below touches one slot:

* `<q>`              list   queued handoffs (JSON), oldest first;
* `{<q>}:held`       hash   mail_id -> the handoff's JSON while claimed or deferred;
* `{<q>}:leases`     zset   mail_id -> when its claim expires (renewed while a worker sends);
* `{<q>}:owner`      hash   mail_id -> the claim's token (only that claim may record);
* `{<q>}:deferred`   zset   mail_id -> when to try again after a temporary failure;
* `{<q>}:status`     hash   mail_id -> JSON `MailStatus`: what staff see (queued is implicit).

(Before issue 23 the companions were `<q>:<name>`; a deployment upgrading with mail in flight
renames them once, e.g. `RENAME P:sup:outbox:status {P:sup:outbox}:status`, docs/realtime.md.)

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

from graphs.supervision.outbox import MailHandoff

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
    """A handoff mail's delivery, as staff see it (`<q>:status`)."""

    state: MailState
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


class MailStore:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.queue = f"{key_prefix}:sup:outbox"
        self.keys = {name: f"{{{self.queue}}}:{name}" for name in
                     ("held", "leases", "owner", "deferred", "status")}  # fmt: skip
        self._claim = redis.register_script(_CLAIM)
        self._record = redis.register_script(_RECORD)

    async def claim(self, lease_seconds: float) -> Claim | None:
        """The next mail to send (a dead worker's first, then due retries, then the queue), or
        None when there is none. Copies already sent or failed are dropped on the way."""
        k = self.keys
        token = uuid.uuid4().hex
        while True:
            found: Any = await self._claim(
                keys=[self.queue, k["deferred"], k["leases"], k["owner"], k["held"], k["status"]],
                args=[time.time(), lease_seconds, token],
            )
            if not found:
                return None
            _, raw, previous = (_text(x) for x in found)
            if previous == "dropped":
                continue
            return Claim(MailHandoff.model_validate_json(raw), token, bool(previous))

    async def status(self, mail_id: str) -> MailStatus | None:
        raw: Any = await self.redis.hget(self.keys["status"], mail_id)  # type: ignore[misc]
        return MailStatus.model_validate_json(raw) if raw else None

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
        k = self.keys
        written: Any = await self._record(
            keys=[k["leases"], k["owner"], k["held"], k["status"], k["deferred"]],
            args=[claim.token, status.model_dump_json(), mode, due,
                  time.time() + lease_seconds, claim.mail.mail_id],
        )  # fmt: skip
        return bool(written)

    async def renew(self, claim: Claim, lease_seconds: float) -> bool:
        """Extend the claim's lease; False when it is no longer this claim's."""
        k = self.keys
        written: Any = await self._record(
            keys=[k["leases"], k["owner"], k["held"], k["status"], k["deferred"]],
            args=[claim.token, "", "renew", 0, time.time() + lease_seconds, claim.mail.mail_id],
        )
        return bool(written)

    async def counts(self) -> dict[str, int]:
        """How many mails are queued, deferred, being sent, sent and failed."""
        k = self.keys
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.llen(self.queue)
            pipe.zcard(k["deferred"])
            pipe.zcard(k["leases"])
            pipe.hvals(k["status"])
            queued, deferred, sending, records = await pipe.execute()
        states = [json.loads(r).get("state") for r in records]
        return {"queued": queued, "deferred": deferred, "sending": sending,
                "sent": states.count("sent"), "failed": states.count("failed")}  # fmt: skip


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
