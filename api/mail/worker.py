"""The mail worker: claims handoffs from the Redis outbox and delivers them through SMTP.

One mail at a time per worker; any number of workers (one per API process, or `python -m
api.mail`) share the tenants' outboxes, taking the tenants in turn, since a claim is an atomic
Redis move with a lease within one tenant's outbox (api/mail/store).

Delivery is at-least-once, with the duplicate window made as small and as visible as it can be:
the claim is recorded (`sending`) before the SMTP transaction and `sent` right after the server
accepts the message. A worker stopped gracefully (API shutdown) finishes the mail in hand first,
so a restart never sends twice. Only a process that dies (kill -9, power loss) after the server's
"250 accepted" and before the `sent` record leaves the mail `sending`; its lease expires, another
worker sends it again with the same Message-ID and records `possible_duplicate: true`. At-most-
once would instead lose that mail whenever the death came *before* the acceptance, and a lost
off-hours escalation is worse for a customer than a second copy an agent can recognise.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiosmtplib
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from api.mail.message import build_message, message_id
from api.mail.store import Claim, MailState, MailStatus, MailStore
from core.logging import get_logger
from core.settings import Settings

log = get_logger(__name__)


class _Stopping(Exception):
    """The worker was asked to stop while waiting to retry: the mail goes back for others."""


def is_temporary(exc: BaseException) -> bool:
    """Worth another try: no connection, a timeout, a 4xx reply. A 5xx reply is permanent
    (RFC 5321 §4.2.1): the same message to the same server would be refused again."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return any(r.code < 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code < 500
    return isinstance(exc, OSError | TimeoutError | aiosmtplib.SMTPServerDisconnected)


def reason_of(exc: BaseException) -> str:
    """What staff read in the status record: the server's code and words, never a traceback."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)[:500]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


Sender = Callable[..., Awaitable[Any]]


class MailWorker:
    def __init__(self, settings: Settings, redis: Redis, *, send: Sender = aiosmtplib.send) -> None:
        self.settings = settings
        self.store = MailStore(redis, settings.redis_key_prefix)
        self._send = send  # aiosmtplib.send: one connection per mail (handoffs are rare)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="mail-worker")

    async def stop(self) -> None:
        """Finish the mail in hand (bounded by the SMTP timeout), then return."""
        self._stop.set()
        if self._task is None:
            return
        grace = self.settings.smtp_timeout_seconds * 2 + 5
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()  # the lease expires; another worker takes the mail over
            log.warning("mail_worker_stop_timed_out", grace_seconds=grace)

    async def run(self) -> None:
        s = self.settings
        tenants = self.store.outbox.tenants_key
        log.info("mail_worker_started", smtp=f"{s.smtp_host}:{s.smtp_port}", tenants=tenants)
        while not self._stop.is_set():
            try:
                claim = await self.store.claim(s.mail_lease_seconds)
                if claim is None:
                    await self._pause(s.mail_poll_seconds)
                    continue
                await self.deliver(claim)
            except RedisError as exc:  # Redis away: the outbox waits, so does the worker
                log.warning("mail_worker_redis_error", error=type(exc).__name__)
                await self._pause(s.mail_poll_seconds)
            except Exception:  # never let one surprise end delivery for the process
                log.exception("mail_worker_error")
                await self._pause(s.mail_poll_seconds)
        log.info("mail_worker_stopped")

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _sleep_unless_stopped(self, seconds: float) -> None:
        await self._pause(seconds)
        if self._stop.is_set():
            raise _Stopping

    # --- one mail -------------------------------------------------------------------------------
    async def deliver(self, claim: Claim) -> MailStatus:
        """Send one claimed mail with retries; record and return its status."""
        s, mail = self.settings, claim.mail
        before = await self.store.status(mail.mail_id, claim.tenant)
        status = MailStatus(
            state="sending", tenant_id=claim.tenant, attempts=before.attempts if before else 0,
            message_id=message_id(mail, s.smtp_from), email_to=list(mail.email_to),
            session_name=mail.session_name, queued_at=mail.created_at, updated_at=time.time(),
            possible_duplicate=bool(before and before.possible_duplicate)
            or (claim.taken_over and before is not None and before.state == "sending"),
        )  # fmt: skip
        renewing = asyncio.create_task(self._renew(claim))
        try:
            return await self._attempts(claim, status)
        finally:
            renewing.cancel()

    async def _attempts(self, claim: Claim, status: MailStatus) -> MailStatus:
        s, mail = self.settings, claim.mail

        async def note_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            status.state, status.reason = "retrying", reason_of(exc) if exc else None
            status.updated_at = time.time()
            await self.store.record(claim, status, mode="keep", lease_seconds=s.mail_lease_seconds)
            log.info("mail_retrying", mail_id=mail.mail_id, attempt=status.attempts,
                     reason=status.reason)  # fmt: skip

        retrying = AsyncRetrying(
            stop=stop_after_attempt(s.mail_retry_attempts),
            wait=wait_exponential(multiplier=s.mail_retry_base_seconds,
                                  max=s.mail_retry_max_seconds),
            retry=retry_if_exception(is_temporary),
            sleep=self._sleep_unless_stopped,
            before_sleep=note_retry,
            reraise=True,
        )  # fmt: skip
        try:
            message = build_message(mail, s.smtp_from)  # a bad address fails this mail only
            async for attempt in retrying:
                with attempt:
                    status.state, status.attempts = "sending", status.attempts + 1
                    status.updated_at = time.time()
                    if not await self.store.record(
                        claim, status, mode="keep", lease_seconds=s.mail_lease_seconds
                    ):
                        log.warning("mail_claim_lost", mail_id=mail.mail_id)
                        return status  # another worker holds it now: never send beside it
                    await self._smtp(message, mail.email_to)
        except _Stopping:
            return await self._finish(claim, status, "retrying", status.reason, due=time.time())
        except Exception as exc:
            if is_temporary(exc) and time.time() - mail.created_at < s.mail_give_up_after_seconds:
                due = time.time() + s.mail_retry_max_seconds
                return await self._finish(claim, status, "retrying", reason_of(exc), due=due)
            return await self._finish(claim, status, "failed", reason_of(exc))
        return await self._finish(claim, status, "sent", None)

    async def _smtp(self, message: Any, recipients: tuple[str, ...]) -> None:
        s = self.settings
        await self._send(
            message, recipients=list(recipients), hostname=s.smtp_host, port=s.smtp_port,
            username=s.smtp_username, password=s.smtp_password, start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )  # fmt: skip

    async def _finish(
        self,
        claim: Claim,
        status: MailStatus,
        state: MailState,
        reason: str | None,
        due: float = 0.0,
    ) -> MailStatus:
        now = time.time()
        status.state, status.reason, status.updated_at = state, reason, now
        if state == "sent":
            status.sent_at = now
        status.next_attempt_at = due if state == "retrying" else None
        mode: Literal["defer", "done"] = "defer" if state == "retrying" else "done"
        recorded = await self.store.record(claim, status, mode=mode, due=due)
        log.info(f"mail_{state}", mail_id=claim.mail.mail_id, attempts=status.attempts,
                 reason=reason, recorded=recorded, message_id=status.message_id)  # fmt: skip
        return status

    async def _renew(self, claim: Claim) -> None:
        """Keep the lease while sending and waiting to retry (a slow server, long backoff)."""
        lease = self.settings.mail_lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            try:
                if not await self.store.renew(claim, lease):
                    return
            except RedisError:
                log.warning("mail_lease_renewal_failed", mail_id=claim.mail.mail_id)
