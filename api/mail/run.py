"""Where the mail worker runs: inside an API process's lifespan, or as a process of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

from api.mail.store import MailStore
from api.mail.worker import MailWorker
from core.logging import get_logger
from core.settings import Settings

log = get_logger(__name__)


@asynccontextmanager
async def running_mail_worker(
    settings: Settings, redis: Redis, *, in_api: bool = True
) -> AsyncIterator[MailWorker | None]:
    """A started worker (stopped gracefully on exit: the mail in hand is finished first), or
    None when SMTP is not configured or the worker runs elsewhere (MAIL_WORKER_IN_API=false)."""
    if not settings.mail_configured:
        log.info("mail_not_configured", note="handoff mails stay queued, unsent (SMTP_HOST)")
        yield None
        return
    if in_api and not settings.mail_worker_in_api:
        yield None
        return
    worker = MailWorker(settings, redis)
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


async def mail_health(settings: Settings, redis: Redis) -> dict[str, Any]:
    """For /ready or the statistics: whether mail goes out, and the outbox's counts. With no
    SMTP configured, `delivery` says the queued handoffs are not being sent."""
    counts = await MailStore(redis, settings.redis_key_prefix).counts()
    delivery = "smtp" if settings.mail_configured else "not_configured: queued, unsent"
    return {"delivery": delivery, **counts}
