"""A real SMTP server (aiosmtpd) and the handoff mails the worker tests send through it.

Shared by test_mail_worker.py, test_mail_worker_resilience.py and test_mail_api.py; the fixtures
(`mailbox`, `base_settings`, `redis`) are in conftest.py.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from api.mail.store import MailStatus, MailStore
from core.settings import ROOT, Settings
from graphs.supervision.outbox import MailHandoff
from tests.mcp_http import free_port

NATIONAL_ID = "A123456789"


class Mailbox:
    """A real SMTP server on 127.0.0.1 that keeps what it accepted. `replies` scripts the
    answers to DATA (then 250); `quit_delay` stalls the reply to QUIT, after the acceptance."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.accepted: list[tuple[list[str], EmailMessage]] = []
        self.replies: list[str] = []
        self.data_calls = 0
        self.data_delay = 0.0
        self.quit_delay = 0.0
        self.got_one = threading.Event()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        await asyncio.sleep(self.data_delay)
        reply = self.replies.pop(0) if self.replies else "250 2.0.0 Message accepted"
        if reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.accepted.append((list(envelope.rcpt_tos), parsed))
            self.got_one.set()
        return reply

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def start(self) -> Mailbox:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mail_ids(self) -> list[str]:
        return [str(m["X-Switchboard-Mail-Id"]) for _, m in self.accepted]


def mail_settings(base: Settings, port: int, **extra: Any) -> Settings:
    """Fast retries and a short lease, a Redis prefix of this test's own."""
    return base.model_copy(update={
        "redis_key_prefix": f"sbtest-mail-{uuid.uuid4().hex[:8]}", "smtp_host": "127.0.0.1",
        "smtp_port": port, "smtp_starttls": False, "smtp_from": "switchboard@shop.example",
        "smtp_timeout_seconds": 5.0, "mail_retry_attempts": 3, "mail_retry_base_seconds": 0.05,
        "mail_retry_max_seconds": 0.2, "mail_poll_seconds": 0.05, "mail_lease_seconds": 2.0,
        **extra,
    })  # fmt: skip


@asynccontextmanager
async def prefix_cleanup(redis: Redis, settings: Settings) -> AsyncIterator[None]:
    try:
        yield
    finally:
        # `P:...` and the hash-tagged `{P:...}:...`
        keys = [k async for k in redis.scan_iter(match=f"*{settings.redis_key_prefix}:*")]
        if keys:
            await redis.unlink(*keys)


def handoff(n: int = 0, created_at: int | None = None, tenant: str = "default") -> MailHandoff:
    state = {
        "session_name": f"chat_{uuid.uuid4().hex[:10]}",
        "tenant_id": tenant,
        "user_profile": {"nickname": "夜貓", "vip": True},
        "escalation": {"reason": "user_request", "severity": "high",
                       "details": f"客戶要求真人客服 #{n}", "summary": "客戶想退貨，已提供身分證"},
        "history": [
            {"timestamp": 1, "role": "user", "content": f"我的身分證是 {NATIONAL_ID}，我要退貨"},
            {"timestamp": 2, "role": "assistant", "content": "目前非服務時間，已通知客服。"},
        ],
    }  # fmt: skip
    now = created_at if created_at is not None else int(time.time())
    return MailHandoff.for_session(state, ("night-desk@example.com", "lead@example.com"), now)


async def wait_for(predicate: Any, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def final_status(store: MailStore, mail_id: str, within: float = 15.0) -> MailStatus:
    async def done() -> bool:
        status = await store.status(mail_id)
        return status is not None and status.state in ("sent", "failed")

    await wait_for(done, within)
    status = await store.status(mail_id)
    assert status is not None
    return status


async def start_worker(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`python -m api.mail`, its lines in `log`."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.mail", env=env, cwd=ROOT, stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip


async def is_true(value: bool) -> bool:
    return value
