"""Off-hours e-mail handoff: the graph writes a `MailHandoff` to an outbox, a sender delivers it.

Why an outbox and not SMTP inside the graph: the graph must not block on (or fail because of) a
mail server, and a handoff written to Redis or a file survives restarts until it is delivered.
Backends:

* `RedisOutbox` (default): RPUSH of the JSON handoff onto its tenant's outbox
  `P:t:<tenant>:sup:outbox` (P = REDIS_KEY_PREFIX), the tenant named in `P:sup:outbox:tenants`
  first (docs/tenants.md says why one outbox per tenant); the mail worker (`api/mail/`,
  docs/mail.md) claims it from there, taking the tenants in turn, sends it over SMTP exactly as
  queued and records `sent` / `failed` (with the server's reason) in
  `{P:t:<tenant>:sup:outbox}:status`.
* `JsonlOutbox`: one JSON line per handoff under var/ (console/dev use).
* `build_outbox("smtp", ...)` raises: SMTP is never the graph's outbox, only the worker's way
  out, so a graph run never waits on a mail server.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.errors import SwitchboardError
from core.tenant_keys import tenant_prefix
from graphs.supervision.shift import NoUpcomingShift, ShiftConfig, next_on_duty


class MailHandoff(BaseModel):
    """One e-mail for the agents' mailbox: who, why, and the conversation so far."""

    model_config = ConfigDict(frozen=True)

    mail_id: str = Field(default_factory=lambda: f"mail_{uuid.uuid4().hex[:16]}")
    session_name: str
    email_to: tuple[str, ...]
    subject: str
    body: str
    escalation: dict[str, Any]
    created_at: int
    tenant_id: str = DEFAULT_TENANT  # handoffs queued before tenants: tenant `default`'s

    @classmethod
    def for_session(
        cls, state: Mapping[str, Any], email_to: tuple[str, ...], now: int
    ) -> MailHandoff:
        escalation = dict(state.get("escalation") or {})
        nickname = (state.get("user_profile") or {}).get("nickname", "訪客")
        return cls(
            session_name=str(state["session_name"]), email_to=email_to,
            subject=f"[Switchboard] 非服務時間轉接：{nickname}（{escalation.get('reason')}）",
            body=handoff_body(state), escalation=escalation, created_at=now,
            tenant_id=str(state.get("tenant_id") or DEFAULT_TENANT),
        )  # fmt: skip


def needs_mail(mail: Mapping[str, Any], shift: ShiftConfig, at: datetime) -> bool:
    """One handoff per off-duty stretch: not if one was sent since the last shift ended (both
    instants wait for the same next shift)."""
    if not mail.get("sent") or mail.get("sent_at") is None:
        return True
    try:
        sent = datetime.fromtimestamp(int(mail["sent_at"]), at.tzinfo)
        return next_on_duty(shift, sent) != next_on_duty(shift, at)
    except NoUpcomingShift:
        return False


MailVerdict = Literal["send", "not_configured", "already_sent"]
MAIL_NOT_CONFIGURED: Final = "MAIL_NOT_CONFIGURED"


def mail_verdict(
    previous: Mapping[str, Any], shift: ShiftConfig, at: datetime, *, force: bool = False
) -> MailVerdict:
    """Whether an off-hours handoff mail goes out now. The graph (off-duty escalation) and
    `POST /api/sessions/{s}/email` both ask this, so they never disagree: no recipients is
    `not_configured` everywhere (never a mail "sent" to nobody)."""
    if not shift.email_to:
        return "not_configured"
    if not force and not needs_mail(previous, shift, at):
        return "already_sent"
    return "send"


def unsent_mail(now: int) -> dict[str, Any]:
    """The session's `mail` when no handoff could go out: the same code the email route gives."""
    return {"sent": False, "email_to": [], "code": MAIL_NOT_CONFIGURED, "checked_at": now}


class Outbox(Protocol):
    async def send(self, mail: MailHandoff) -> str:
        """Queue `mail` for delivery and return its id."""
        ...


# the mail worker's records beside each tenant's queue (api/mail/store.py says what each holds)
DELIVERY_RECORDS: Final = ("held", "leases", "owner", "deferred", "status")


class RedisOutbox:
    """One queue of handoffs per tenant, and the registry of tenants that have one (the mail
    worker's list of queues to take turns on, like the due queue's `P:sup:due:tenants`)."""

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.tenants_key = f"{key_prefix}:sup:outbox:tenants"

    def key(self, tenant: str = DEFAULT_TENANT) -> str:
        """The tenant's queue of handoffs."""
        return f"{tenant_prefix(self.prefix, tenant)}:sup:outbox"

    def delivery_keys(self, tenant: str) -> dict[str, str]:
        """The tenant's queue (`queue`) and the mail worker's records of it (api/mail/store.py),
        `{<queue>}:<name>`: hash-tagged by the queue's key, so all share its slot."""
        queue = self.key(tenant)
        return {"queue": queue, **{name: f"{{{queue}}}:{name}" for name in DELIVERY_RECORDS}}

    def mail_record_key(self, session_name: str, tenant: str) -> str:
        """The last handoff `POST /api/sessions/{s}/email` queued for the session."""
        return f"{tenant_prefix(self.prefix, tenant)}:sup:mail:{session_name}"

    async def send(self, mail: MailHandoff) -> str:
        # the registry first: a worker that could see the mail also knows where to look
        await self.redis.sadd(self.tenants_key, mail.tenant_id)  # type: ignore[misc]
        await self.redis.rpush(self.key(mail.tenant_id), mail.model_dump_json())  # type: ignore[misc]
        return mail.mail_id

    async def tenants(self) -> list[str]:
        """Every tenant that has had a handoff queued (sorted)."""
        raw: Any = await self.redis.smembers(self.tenants_key)  # type: ignore[misc]
        return sorted(r.decode() if isinstance(r, bytes) else str(r) for r in raw)

    async def pending(self) -> list[MailHandoff]:
        """Every tenant's queued handoffs (tests, the console)."""
        mails: list[MailHandoff] = []
        for tenant in await self.tenants():
            raw = await self.redis.lrange(self.key(tenant), 0, -1)  # type: ignore[misc]
            mails += [MailHandoff.model_validate_json(r) for r in raw]
        return mails


class JsonlOutbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    async def send(self, mail: MailHandoff) -> str:
        async with self._lock:
            await asyncio.to_thread(self._append, mail.model_dump_json())
        return mail.mail_id


class OutboxNotConfigured(SwitchboardError):
    code = "OUTBOX_NOT_CONFIGURED"


def build_outbox(
    kind: str = "redis",
    *,
    redis: Redis | None = None,
    key_prefix: str = "sb",
    path: Path | None = None,
) -> Outbox:
    """The outbox for `kind` (redis | jsonl | smtp)."""
    if kind == "redis" and redis is not None:
        return RedisOutbox(redis, key_prefix)
    if kind == "jsonl" and path is not None:
        return JsonlOutbox(path)
    raise OutboxNotConfigured(f"mail outbox {kind!r} is not configured", kind=kind)


def handoff_body(state: Mapping[str, Any], lines: int = 20) -> str:
    """Plain-text mail body: the escalation and the last `lines` messages."""
    escalation = state.get("escalation") or {}
    profile = state.get("user_profile") or {}
    head = [
        f"Session: {state.get('session_name')}",
        f"Customer: {profile.get('nickname', '訪客')} (VIP: {bool(profile.get('vip'))})",
        f"Reason: {escalation.get('reason')} / {escalation.get('severity')}",
        f"Details: {escalation.get('details')}",
        *([f"Summary: {escalation['summary']}"] if escalation.get("summary") else []),
        "",
    ]
    history = (state.get("history") or [])[-lines:]
    return "\n".join(head + [f"[{m['timestamp']}] {m['role']}: {m['content']}" for m in history])


def load_jsonl(path: Path) -> list[MailHandoff]:
    """Every handoff written to a JSONL outbox (tests and the console)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [MailHandoff.model_validate(json.loads(line)) for line in text.splitlines() if line]
