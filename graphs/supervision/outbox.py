"""Off-hours e-mail handoff: the graph writes a `MailHandoff` to an outbox, a sender delivers it.

Why an outbox and not SMTP inside the graph: the graph must not block on (or fail because of) a
mail server, and a handoff written to Redis or a file survives restarts until it is delivered.
Backends:

* `RedisOutbox` (default): RPUSH of the JSON handoff (it names its session's `tenant_id`) onto
  `<prefix>:sup:outbox`, one list for every tenant (docs/tenants.md says why); the mail worker
  (`api/mail/`, docs/mail.md) claims it from there, sends it over SMTP exactly as queued and
  records `sent` / `failed` (with the server's reason) in `{<prefix>:sup:outbox}:status`.
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


class RedisOutbox:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self.redis = redis
        self.key = f"{key_prefix}:sup:outbox"

    async def send(self, mail: MailHandoff) -> str:
        await self.redis.rpush(self.key, mail.model_dump_json())  # type: ignore[misc]
        return mail.mail_id

    async def pop(self) -> MailHandoff | None:
        """The oldest undelivered handoff (for the sender), or None."""
        raw: str | bytes | None = await self.redis.lpop(self.key)  # type: ignore[misc,assignment]
        return MailHandoff.model_validate_json(raw) if raw else None

    async def pending(self) -> list[MailHandoff]:
        raw = await self.redis.lrange(self.key, 0, -1)  # type: ignore[misc]
        return [MailHandoff.model_validate_json(r) for r in raw]


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
