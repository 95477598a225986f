"""The handoff mail worker when workers are many, restarted or killed (real SMTP and Redis).

Two workers, a restart or a worker killed mid-send never lose a mail, and only a kill between
the server's acceptance and the record can send one twice, then with the same Message-ID and
the status saying so; a tenant's backlog does not hold back another's; without SMTP nothing runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from api.mail.run import mail_health, running_mail_worker
from api.mail.store import MailStatus, MailStore
from api.mail.worker import MailWorker
from core.settings import ROOT, Settings
from graphs.supervision.outbox import MailHandoff, RedisOutbox

from .mail_support import (
    Mailbox,
    final_status,
    handoff,
    is_true,
    mail_settings,
    prefix_cleanup,
    start_worker,
    wait_for,
)


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
            await wait_for(lambda: is_true(len(mailbox.accepted) >= len(mails)), within=30)
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
            await wait_for(lambda: is_true(len(mailbox.accepted) >= len(backlog) + 1), within=30)
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
            await wait_for(lambda: is_true(len(mailbox.accepted) >= 2))
        before = len(mailbox.accepted)
        assert 2 <= before < len(mails)  # stopped mid-queue
        async with running_mail_worker(settings, redis):
            await wait_for(lambda: is_true(len(mailbox.accepted) >= len(mails)))
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
