"""The handoff mail worker against a real SMTP server (aiosmtpd, started here) and real Redis.

What staff and agents notice: the mail arrives with its recipients, subject and summary and no
national ID; a refusal is recorded with the server's reason; a busy or absent server is retried
until it takes the mail; two workers, a restart or a worker killed mid-send never lose a mail,
and only a kill between the server's acceptance and the record can send one twice, then with
the same Message-ID and the status saying so.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from api.mail.run import mail_health, running_mail_worker
from api.mail.store import MailStatus, MailStore
from api.mail.worker import MailWorker
from core.settings import ROOT, Settings
from graphs.supervision.outbox import MailHandoff, RedisOutbox
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


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


def mail_settings(base: Settings, port: int, **extra: Any) -> Settings:
    """Fast retries and a short lease, a Redis prefix of this test's own."""
    return base.model_copy(update={
        "redis_key_prefix": f"sbtest-mail-{uuid.uuid4().hex[:8]}", "smtp_host": "127.0.0.1",
        "smtp_port": port, "smtp_starttls": False, "smtp_from": "switchboard@shop.example",
        "smtp_timeout_seconds": 5.0, "mail_retry_attempts": 3, "mail_retry_base_seconds": 0.05,
        "mail_retry_max_seconds": 0.2, "mail_poll_seconds": 0.05, "mail_lease_seconds": 2.0,
        **extra,
    })  # fmt: skip


@pytest.fixture
def base_settings() -> Settings:
    """Only Redis and SMTP matter here (no back office, no search index)."""
    return Settings(_env_file=None, app_env="test")  # type: ignore[call-arg]


@pytest.fixture
async def redis(base_settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(base_settings.redis_url)
    yield client
    await client.aclose()


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


async def test_a_handoff_arrives_once_with_recipients_subject_summary_and_no_national_id(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    settings = mail_settings(base_settings, mailbox.port)
    mail = handoff()
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None
            status = await final_status(worker.store, mail.mail_id)
        assert (status.state, status.attempts, status.reason) == ("sent", 1, None)
        assert status.session_name == mail.session_name and status.sent_at is not None
        [(rcpt, message)] = mailbox.accepted
        assert rcpt == ["night-desk@example.com", "lead@example.com"]
        assert message["To"] == "night-desk@example.com, lead@example.com"
        assert message["From"] == "switchboard@shop.example"
        assert message["Subject"] == "[Switchboard] 非服務時間轉接：夜貓（user_request）"
        assert message["Message-ID"] == f"<{mail.mail_id}@shop.example>" == status.message_id
        body = message.get_content()
        assert "Summary: 客戶想退貨，已提供身分證" in body
        assert "客戶要求真人客服 #0" in body and mail.session_name in body
        assert NATIONAL_ID not in body and "A12****789" in body
        health = await mail_health(settings, redis)
        assert (health["delivery"], health["queued"], health["sent"]) == ("smtp", 0, 1)


async def test_a_5xx_refusal_fails_at_once_with_the_servers_reason(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.replies = ["550 5.1.1 mailbox unavailable"]
    mail = handoff()
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None
            status = await final_status(worker.store, mail.mail_id)
        assert status.state == "failed" and status.reason == "550 5.1.1 mailbox unavailable"
        assert (status.attempts, mailbox.data_calls, mailbox.accepted) == (1, 1, [])
        assert (await mail_health(settings, redis))["failed"] == 1


async def test_a_4xx_is_retried_with_backoff_until_the_server_takes_it(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.replies = ["451 4.3.0 try again later", "421 4.7.0 busy"]
    mail = handoff()
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None
            status = await final_status(worker.store, mail.mail_id)
        assert (status.state, status.attempts) == ("sent", 3)
        assert mailbox.mail_ids() == [mail.mail_id]


async def test_a_4xx_that_outlasts_the_give_up_age_fails_with_the_last_reason(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    settings = mail_settings(base_settings, mailbox.port, mail_give_up_after_seconds=60)
    mailbox.replies = ["452 4.2.2 mailbox full"] * 10
    young, old = handoff(1), handoff(2, created_at=int(time.time()) - 3600)
    async with prefix_cleanup(redis, settings):
        outbox = RedisOutbox(redis, settings.redis_key_prefix)
        await outbox.send(old)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None
            status = await final_status(worker.store, old.mail_id)
            assert (status.state, status.attempts) == ("failed", 3)
            assert status.reason == "452 4.2.2 mailbox full"
            await outbox.send(young)  # young enough: set aside and tried again, never failed

            async def deferred() -> bool:
                seen = await worker.store.status(young.mail_id)
                return seen is not None and seen.attempts >= 3 and seen.state == "retrying"

            await wait_for(deferred)
        seen = await worker.store.status(young.mail_id)
        assert seen is not None and seen.reason == "452 4.2.2 mailbox full"
        assert seen.next_attempt_at is not None and mailbox.accepted == []


async def test_a_server_that_is_down_then_up_gets_the_mail_once(
    base_settings: Settings, redis: Redis
) -> None:
    down = Mailbox()  # its port is free: nothing listens yet
    settings = mail_settings(base_settings, down.port)
    mail = handoff()
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None

            async def retrying() -> bool:
                seen = await worker.store.status(mail.mail_id)
                return seen is not None and seen.attempts >= 2 and seen.state == "retrying"

            await wait_for(retrying)
            seen = await worker.store.status(mail.mail_id)
            assert seen is not None and "Connect" in (seen.reason or ""), seen
            down.start()
            try:
                status = await final_status(worker.store, mail.mail_id)
                await asyncio.sleep(0.5)  # time for a second copy, if one were coming
            finally:
                down.stop()
        assert status.state == "sent" and status.attempts >= 3
        assert down.mail_ids() == [mail.mail_id]


async def test_two_workers_on_one_outbox_send_each_mail_once(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.data_delay = 0.02
    mails = [handoff(n) for n in range(30)]
    other = Redis.from_url(settings.redis_url)  # a second API instance's client
    async with prefix_cleanup(redis, settings):
        outbox = RedisOutbox(redis, settings.redis_key_prefix)
        for mail in mails:
            await outbox.send(mail)
        await outbox.send(mails[0])  # a duplicate queue entry: the record drops it
        first, second = MailWorker(settings, redis), MailWorker(settings, other)
        first.start()
        second.start()
        try:
            await wait_for(lambda: _async(len(mailbox.accepted) >= len(mails)), within=30)
            await asyncio.sleep(0.5)
        finally:
            await first.stop()
            await second.stop()
            await other.aclose()
        assert sorted(mailbox.mail_ids()) == sorted(m.mail_id for m in mails)
        counts = await first.store.counts()
        assert (counts["sent"], counts["queued"], counts["sending"]) == (30, 0, 0)


async def test_a_tenants_handoff_is_not_held_back_by_another_tenants_backlog(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    """Each tenant has an outbox of its own under its keys, and the worker takes the tenants
    in turn: harbor's customer, who asked after tenant default had queued ten mails, gets the
    desk's attention with the second mail sent, not the eleventh."""
    settings = mail_settings(base_settings, mailbox.port)
    prefix = settings.redis_key_prefix
    mailbox.data_delay = 0.05
    backlog = [handoff(n) for n in range(10)]
    harbor = handoff(99, tenant="harbor")
    async with prefix_cleanup(redis, settings):
        outbox = RedisOutbox(redis, prefix)
        for mail in [*backlog, harbor]:
            await outbox.send(mail)
        queued: Any = await redis.lrange(f"{prefix}:t:harbor:sup:outbox", 0, -1)
        assert [MailHandoff.model_validate_json(raw).mail_id for raw in queued] == [harbor.mail_id]
        assert await redis.llen(f"{prefix}:t:default:sup:outbox") == len(backlog)
        async with running_mail_worker(settings, redis) as worker:
            assert worker is not None
            status = await final_status(worker.store, harbor.mail_id)
            await wait_for(lambda: _async(len(mailbox.accepted) >= len(backlog) + 1), within=30)
        assert status.state == "sent" and status.tenant_id == "harbor"
        assert mailbox.mail_ids().index(harbor.mail_id) <= 1, mailbox.mail_ids()
        assert sorted(mailbox.mail_ids()) == sorted(m.mail_id for m in [*backlog, harbor])
        record: Any = await redis.hget(f"{{{prefix}:t:harbor:sup:outbox}}:status", harbor.mail_id)
        assert MailStatus.model_validate_json(record).state == "sent"
        keys = [k.decode() async for k in redis.scan_iter(match=f"*{prefix}:*")]
        # every key of the outbox is a tenant's but the list of tenants that have mail
        assert {k for k in keys if not k.startswith((f"{prefix}:t:", f"{{{prefix}:t:"))} == {
            f"{prefix}:sup:outbox:tenants"
        }, keys
        assert (await worker.store.counts())["sent"] == len(backlog) + 1


async def test_a_restart_mid_queue_sends_each_mail_exactly_once(
    base_settings: Settings, redis: Redis, mailbox: Mailbox
) -> None:
    """The API restart: the first worker stops (gracefully, as a lifespan does) while mails
    are still queued and one is on the wire; a new worker finishes the queue."""
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.data_delay = 0.15
    mails = [handoff(n) for n in range(8)]
    async with prefix_cleanup(redis, settings):
        outbox = RedisOutbox(redis, settings.redis_key_prefix)
        for mail in mails:
            await outbox.send(mail)
        async with running_mail_worker(settings, redis):
            await wait_for(lambda: _async(len(mailbox.accepted) >= 2))
        before = len(mailbox.accepted)
        assert 2 <= before < len(mails)  # stopped mid-queue
        async with running_mail_worker(settings, redis):
            await wait_for(lambda: _async(len(mailbox.accepted) >= len(mails)))
            await asyncio.sleep(0.5)
        assert sorted(mailbox.mail_ids()) == sorted(m.mail_id for m in mails)
        assert mailbox.data_calls == len(mails)


async def test_a_worker_killed_after_acceptance_is_replaced_and_the_copy_is_marked(
    base_settings: Settings, redis: Redis, mailbox: Mailbox, tmp_path: Path
) -> None:
    """At-least-once: `python -m api.mail` is killed after the server accepted the mail and
    before it could record it. Another worker takes over when the lease ends and sends it
    again, with the same Message-ID, and the status says a duplicate is possible."""
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.quit_delay = 30  # accepted; the client waits for the goodbye
    mail = handoff()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": settings.redis_url,
           "REDIS_KEY_PREFIX": settings.redis_key_prefix, "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(mailbox.port), "SMTP_STARTTLS": "false",
           "SMTP_FROM": settings.smtp_from, "MAIL_LEASE_SECONDS": "2", "LOG_JSON": "true",
           "MAIL_POLL_SECONDS": "0.05"}  # fmt: skip
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        process = await start_worker(env, tmp_path / "worker.log")
        try:
            assert await asyncio.to_thread(mailbox.got_one.wait, 30), "no mail reached the server"
            process.kill()  # SIGKILL: no lifespan, no record
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
        store = MailStore(redis, settings.redis_key_prefix)
        in_flight = await store.status(mail.mail_id)
        assert in_flight is not None and in_flight.state == "sending"
        mailbox.quit_delay = 0
        async with running_mail_worker(settings, redis):
            status = await final_status(store, mail.mail_id)
        assert (status.state, status.attempts, status.possible_duplicate) == ("sent", 2, True)
        ids = {str(m["Message-ID"]) for _, m in mailbox.accepted}
        assert len(mailbox.accepted) == 2 and ids == {f"<{mail.mail_id}@shop.example>"}


async def test_a_graceful_stop_of_the_separate_worker_finishes_the_mail_in_hand(
    base_settings: Settings, redis: Redis, mailbox: Mailbox, tmp_path: Path
) -> None:
    """SIGTERM while the server is still answering: the mail is recorded sent before exit."""
    settings = mail_settings(base_settings, mailbox.port)
    mailbox.quit_delay = 1.0
    mail = handoff()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": settings.redis_url,
           "REDIS_KEY_PREFIX": settings.redis_key_prefix, "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(mailbox.port), "SMTP_STARTTLS": "false", "LOG_JSON": "true",
           "MAIL_POLL_SECONDS": "0.05"}  # fmt: skip
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(mail)
        out = tmp_path / "worker.log"
        process = await start_worker(env, out)
        try:
            assert await asyncio.to_thread(mailbox.got_one.wait, 30)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 20) == 0, out.read_text()
        finally:
            if process.returncode is None:
                process.kill()
        status = await MailStore(redis, settings.redis_key_prefix).status(mail.mail_id)
        assert status is not None and (status.state, status.attempts) == ("sent", 1)
        assert mailbox.mail_ids() == [mail.mail_id]


async def test_without_smtp_no_worker_runs_and_health_says_queued_unsent(
    base_settings: Settings, redis: Redis
) -> None:
    settings = base_settings.model_copy(
        update={"redis_key_prefix": f"sbtest-mail-{uuid.uuid4().hex[:8]}", "smtp_host": None}
    )
    async with prefix_cleanup(redis, settings):
        await RedisOutbox(redis, settings.redis_key_prefix).send(handoff())
        async with running_mail_worker(settings, redis) as worker:
            assert worker is None
        health = await mail_health(settings, redis)
        assert health["delivery"] == "not_configured: queued, unsent"
        assert (health["queued"], health["sent"]) == (1, 0)
    env = {k: v for k, v in os.environ.items() if k != "SMTP_HOST"}
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.mail", env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 2 and "SMTP_HOST is not set" in err.decode()


async def start_worker(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`python -m api.mail`, its lines in `log`."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.mail", env=env, cwd=ROOT, stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip


async def _async(value: bool) -> bool:
    return value
