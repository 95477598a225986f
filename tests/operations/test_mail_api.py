"""The off-hours handoff mail across an API restart: the real API (`python -m api`) queues it
from a customer's escalation, its lifespan's worker cannot reach the SMTP server yet, the API
restarts, and the new process delivers the mail to the local SMTP server exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from api.mail.store import MailStatus
from core.settings import Settings
from graphs.supervision.outbox import RedisOutbox
from tests.api.handoff_support import new_customer, set_shift
from tests.api_http import eventually, running_api, stop_api
from tests.operations import mail_support as support

pytestmark = pytest.mark.slow


def status_of(redis: Redis, prefix: str, mail_id: str) -> MailStatus | None:
    key = RedisOutbox(redis, prefix).delivery_keys("default")["status"]  # type: ignore[arg-type]
    raw = redis.hget(key, mail_id)
    return MailStatus.model_validate_json(raw) if raw else None  # type: ignore[arg-type]


def test_a_handoff_mail_arrives_exactly_once_across_an_api_restart(
    app_settings: Settings, tmp_path: Path
) -> None:
    from core.db.migrate import seed

    url = f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    asyncio.run(seed(url, app_settings))
    prefix = f"sbtest-mailapi-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})
    mailbox = support.Mailbox()  # its port is free: the server is down at first
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port), "SMTP_STARTTLS": "false",
            "SMTP_FROM": "switchboard@shop.example", "MAIL_RETRY_BASE_SECONDS": "0.1",
            "MAIL_RETRY_MAX_SECONDS": "0.5", "MAIL_POLL_SECONDS": "0.1",
            "MAIL_LEASE_SECONDS": "3"}  # fmt: skip
    redis = Redis.from_url(settings.redis_url)
    today = (datetime.now(UTC) + timedelta(hours=8)).date()  # Asia/Taipei
    off_duty = {"start": "09:00", "end": "18:00", "email_to": ["night-desk@example.com"],
                "holidays": [str(today + timedelta(days=d)) for d in (-1, 0, 1)]}  # fmt: skip
    try:
        with running_api(settings, tmp_path / "first.log", **smtp) as first:
            with first.client() as http:
                admin = {"employee_code": "admin", "password": "Demo1234"}
                login = http.post("/api/auth/login", json=admin)
                assert login.status_code == 200, login.text
                set_shift(http, login.json()["data"]["access_token"], off_duty)
                customer = new_customer(http, nickname="夜貓")
                asked = http.post("/api/manual/escalate", headers=customer.headers,
                                  json={"session_name": customer.session_name})  # fmt: skip
                assert asked.status_code == 200, asked.text
                mail = asked.json()["data"]["mail"]
                assert mail["sent"] is True, mail  # queued by the graph
            mail_id = mail["mail_id"]

            def tried_twice() -> bool:
                seen = status_of(redis, prefix, mail_id)
                return seen is not None and seen.attempts >= 2

            assert eventually(tried_twice, 60), "the mail was not tried twice"
            stop_api(first.process)  # the restart: SIGTERM, lifespan shutdown
        assert mailbox.accepted == []
        assert status_of(redis, prefix, mail_id).state == "retrying"  # type: ignore[union-attr]
        mailbox.start()
        with running_api(settings, tmp_path / "second.log", **smtp):
            assert mailbox.got_one.wait(60), "the restarted API did not deliver the mail"
            time.sleep(1.5)  # a second copy, if any, would come within a few polls
        status = status_of(redis, prefix, mail_id)
        assert status is not None and status.state == "sent" and not status.possible_duplicate
        assert mailbox.mail_ids() == [mail_id]
        [(rcpt, message)] = mailbox.accepted
        assert rcpt == ["night-desk@example.com"]
        assert "夜貓" in str(message["Subject"])
        assert customer.session_name in message.get_content()
    finally:
        mailbox.stop()
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            redis.unlink(*keys)
        redis.close()
