"""Renewal sessions over HTTP: who may touch a session, one run at a time, then `RenewalFlow`.

Rules, in order, for every answer on an existing session: another request running on it →
409 RUN_IN_PROGRESS; unknown session → 404; not yours → 403 (sales: own sessions; manager: any
session of their store; admin: any); waiting but idle past RENEWAL_SESSION_IDLE_SECONDS → 410
SESSION_EXPIRED (the record is marked abandoned, under the session's lock); answer for a step
that is not waiting → 409 WRONG_STEP. The graph itself decides everything else (refusals keep
the step waiting).

The lock is taken before the session is read, so the one state read a step costs is also the
one the answer is checked against: nothing can move the session in between.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.renewal.locks import HeldLock, SessionLocks, Take
from api.sse import SseEvent
from core.db.models import UserRole
from core.errors import Forbidden, InvalidInput, RunInProgress, SessionExpired, WrongStep
from core.metrics import counted_step, renewal_step_streamed
from graphs.renewal.flow import RenewalFlow, expect_step, idle_expired
from graphs.renewal.records import SqlRenewalRecords
from graphs.renewal.steps import Step


def may_touch(principal: Principal, view: dict[str, Any]) -> bool:
    if principal.role == UserRole.ADMIN:
        return True
    if principal.role == UserRole.MANAGER:
        return principal.store_id is not None and view.get("store_id") == principal.store_id
    if principal.role == UserRole.SALES:
        return view.get("staff_id") == str(principal.user_id)
    return False


class RenewalService:
    def __init__(
        self,
        flow: RenewalFlow,
        locks: SessionLocks,
        sessions: async_sessionmaker[AsyncSession],
        *,
        idle_seconds: float = 3600,
    ) -> None:
        self.flow = flow
        self.locks = locks
        self.sessions = sessions
        self.idle_seconds = idle_seconds

    async def start(self, principal: Principal, store_id: str | None) -> dict[str, Any]:
        """Staff start in their own store; an admin names the store."""
        if principal.role != UserRole.ADMIN:
            if store_id is not None and store_id != principal.store_id:
                raise Forbidden("staff start sessions in their own store only")
            store_id = principal.store_id
        if store_id is None:
            raise InvalidInput("store_id: an admin must name the store", field="store_id")
        # the store check and the record's INSERT on one connection (InvalidInput when the
        # store is not an active one), then the run: counted as the start step, as before
        session_id = await self.flow.open(principal.user_id, store_id, active_store=True)
        return await counted_step("start", self.flow.begin(session_id, principal.user_id, store_id))

    async def view(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """The session (404 when unknown), if the caller may see it (403 otherwise); 410 when
        it expired (checked under the session's lock: a session busy running is not idle)."""
        view, expired = await self._read(principal, session_id)
        if expired:
            try:
                held = await self.locks.acquire(session_id)
            except RunInProgress:
                return view
            try:
                view, expired = await self._read(principal, session_id)
                if expired:
                    await self._expire(session_id)
            finally:
                await held.release()
        return view

    async def _read(
        self, principal: Principal, session_id: str, ahead: Take | None = None
    ) -> tuple[dict[str, Any], bool]:
        view, last_moved = await self.flow.read(session_id, ahead=ahead)
        if not may_touch(principal, view):
            raise Forbidden("this renewal session belongs to another staff member")
        now = datetime.now(UTC)
        return view, idle_expired(view, last_moved, now, self.idle_seconds)

    async def _expire(self, session_id: str) -> None:
        """Record the idle session as abandoned (a no-op once it is), then answer 410."""
        reason = f"expired: idle for more than {self.idle_seconds:g} s"
        await SqlRenewalRecords(self.sessions).abandoned(session_id, reason)
        raise SessionExpired(
            f"the renewal session expired after {self.idle_seconds:g} s without activity; "
            "start a new one",
            session_id=session_id,
        )

    async def phones(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """Steps 2-3: the line cards shown while select_phone waits (nothing is resumed)."""
        view = await self.view(principal, session_id)
        expect_step(view, Step.SELECT_PHONE)
        show = view["waiting"]["show"]
        return {
            "session_id": session_id,
            "current_step": view["current_step"],
            "customer": show.get("customer"),
            "phones": show.get("phones", []),
        }

    async def _hold(self, principal: Principal, session_id: str) -> tuple[dict[str, Any], HeldLock]:
        """The session's lock, then the session as it stands (checked for ownership).

        With the Redis saver the lock's SET rides ahead of the session read in its round trip
        (`api.renewal.locks`): one round trip for both, the lock still taken first."""
        if self.flow.reads_carry:
            take = self.locks.take(session_id)
            try:
                view, expired = await self._read(principal, session_id, ahead=take)
            except BaseException:
                if take.replies is not None:  # sent: RUN_IN_PROGRESS before the read's refusal
                    await self.locks.settle(take).release()
                raise
            held = self.locks.settle(take)
        else:  # another saver: the lock's own round trip, then the read
            held = await self.locks.acquire(session_id)
            try:
                view, expired = await self._read(principal, session_id)
            except BaseException:
                await held.release()
                raise
        try:
            if expired:
                await self._expire(session_id)
        except BaseException:
            await held.release()
            raise
        return view, held

    async def answer(
        self, principal: Principal, session_id: str, step: Step, value: dict[str, Any]
    ) -> dict[str, Any]:
        """Resume the waiting `step` with `value`; returns the next view."""
        view, held = await self._hold(principal, session_id)
        try:
            run = self.flow.answer(session_id, step, value, current=view)
            return await counted_step(step.value, run)
        finally:
            await held.release()

    async def navigate(
        self, principal: Principal, session_id: str, action: dict[str, Any]
    ) -> dict[str, Any]:
        """Go back or abandon from whichever step is waiting."""
        view, held = await self._hold(principal, session_id)
        try:
            if view["current_step"] is None:
                raise WrongStep("the session has finished", current_step=None)
            step = Step(view["current_step"])
            run = self.flow.answer(session_id, step, action, current=view)
            return await counted_step(action["action"], run)
        finally:
            await held.release()

    async def stream(
        self, principal: Principal, session_id: str, step: Step, value: dict[str, Any]
    ) -> tuple[AsyncIterator[SseEvent], HeldLock]:
        """Checks first (so refusals are HTTP statuses), then the events of the run.

        The caller streams the iterator and releases the lock when the stream ends (the
        iterator itself releases it just before its `complete` event, so a client that
        answers the next step as soon as it reads `complete` never meets its own lock)."""
        view, held = await self._hold(principal, session_id)
        try:
            expect_step(view, step)
        except BaseException:
            await held.release()
            raise
        return self._events(session_id, step, value, view, held), held

    async def _events(
        self,
        session_id: str,
        step: Step,
        value: dict[str, Any],
        view: dict[str, Any],
        held: HeldLock,
    ) -> AsyncIterator[SseEvent]:
        comparing = "compare" in value
        if comparing:
            yield "progress", {"stage": "compare_plans", "status": "running"}
        async for kind, payload in self.flow.stream_answer(session_id, step, value, current=view):
            if kind == "progress":
                event = dict(payload)
                if event.pop("event", "progress") == "complete":  # the graph's own summary
                    event = {"stage": "summary", "status": "completed", **event}
                yield "progress", event
            elif kind == "token":
                yield "message", {"content": payload}
            elif kind == "result":
                renewal_step_streamed(step.value, payload)
                await held.release()
                if comparing:
                    yield "progress", {"stage": "compare_plans", "status": "completed"}
                yield "complete", {"success": True, "data": payload}
