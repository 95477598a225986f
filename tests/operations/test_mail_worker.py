"""The handoff mail worker against a real SMTP server (aiosmtpd, started here) and real Redis.

What staff and agents notice: the mail arrives with its recipients, subject and summary and no
national ID; a refusal is recorded with the server's reason; a busy or absent server is retried
until it takes the mail. Two workers, restarts and kills: test_mail_worker_resilience.py.
"""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from api.mail.run import mail_health, running_mail_worker
from core.settings import Settings
from graphs.supervision.outbox import RedisOutbox

from .mail_support import (
    NATIONAL_ID,
    Mailbox,
    final_status,
    handoff,
    mail_settings,
    prefix_cleanup,
    wait_for,
)


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
