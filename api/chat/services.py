"""Customer turns: limits, one turn at a time per session, then the supervision service.

Double texting (a message while the session's previous turn still runs) is **rejected**:
409 `RUN_IN_PROGRESS` with `Retry-After: 1`, nothing stored; the client resends once the
previous answer is done (its `done` event). Why reject rather than queue: the answer to message
1 was computed without message 2, a queue across instances cannot keep arrival order without a
FIFO of its own, and a chat UI disables "send" while the AI answers anyway. The turn marker is
a Redis lock (`P:t:<tenant>:chat:turn:<session>`, token-owned, TTL renewed while held), so the
rule holds across instances; the supervision service's own lock still serialises every graph run
(agent actions wait for it instead of failing).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from redis.asyncio import Redis

from api.chat.access import Caller, CustomerTokens
from api.chat.timings import ResponseTimes
from api.realtime.hub import EventHub, session_channel
from api.realtime.limits import RateLimiter
from api.renewal.locks import HeldLock, SessionLocks
from api.sse import SseEvent
from core.errors import Conflict, NotFound, RunInProgress
from core.logging import get_logger
from core.settings import Settings
from core.tenant_keys import PerTenant, tenant_prefix
from graphs.supervision import events as ev
from graphs.supervision.service import SupervisionService, visible
from graphs.supervision.state import message_text
from graphs.supervision.transitions import SessionEvent, SessionStatus, transition

log = get_logger(__name__)
MINUTE = 60


class ManualNotLive(Conflict):
    """Seed 003: `POST /api/manual/messages` role=user needs a live agent chat."""

    code = "MANUAL_NOT_LIVE"


class Archive(Protocol):
    """Where finished steps of a conversation are kept for history (`api.history.archive`);
    `record` never raises."""

    async def record(
        self, session_name: str, *, answer_ms: float | None = None, wait: bool = True
    ) -> None: ...


class TurnLocks(SessionLocks):
    """The renewal lock, keyed per chat session of one tenant (`tenant_root` = `P:t:<tenant>`):
    one customer turn at a time."""

    def __init__(self, redis: Redis, tenant_root: str, *, ttl_seconds: float = 120.0) -> None:
        super().__init__(redis, tenant_root, lease_seconds=ttl_seconds)
        self.prefix = f"{tenant_root}:chat:turn"


class Turn:
    """One accepted customer message: its events, then `finish()` (exactly once): release the
    turn lock, publish `done` on the session channel, record the AI response time. `tenant`:
    the customer token's."""

    def __init__(
        self, chat: ChatService, session_name: str, text: str, held: HeldLock, tenant: str
    ) -> None:
        self.chat, self.session_name, self.text, self.held = chat, session_name, text, held
        self.tenant = tenant
        self.started = time.monotonic()
        self.answered_at: float | None = None
        self.completed = False
        self._finished = False

    async def events(self) -> AsyncIterator[ev.Event]:
        service = self.chat.supervision
        async for event in service.send_user_message(self.session_name, self.text, done=False):
            if event.get("type") == "message":
                self.answered_at = time.monotonic()
            yield event
        self.completed = True

    async def sse(self) -> AsyncIterator[SseEvent]:
        async for event in self.events():
            yield str(event["type"]), event

    async def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            await self.held.release()
            done = {"session_name": self.session_name, **ev.done()}
            channel = session_channel(self.session_name, self.tenant)
            await self.chat.hub.publish([channel], done)
            # the session's replay history lives as long as its customer token could resume it
            await self.chat.hub.redis.expire(
                self.chat.hub.stream_key(channel), self.chat.tokens.ttl
            )
            answer_ms = None
            if self.completed and self.answered_at is not None:
                answer_ms = (self.answered_at - self.started) * 1000
                await self.chat.timings.record(answer_ms, tenant=self.tenant)
        except Exception as exc:  # bookkeeping must not turn a delivered answer into an error
            log.warning(
                "chat_turn_finish_failed", session=self.session_name, error=type(exc).__name__
            )
            answer_ms = None
        if self.chat.archive is not None:  # in the background: the customer does not wait
            await self.chat.archive.record(self.session_name, answer_ms=answer_ms, wait=False)


class ChatService:
    def __init__(
        self,
        supervision: SupervisionService,
        hub: EventHub,
        limiter: RateLimiter,
        redis: Redis,
        settings: Settings,
        tokens: CustomerTokens,
    ) -> None:
        self.supervision, self.hub, self.limiter = supervision, hub, limiter
        self.settings, self.tokens = settings, tokens
        prefix = settings.redis_key_prefix
        self.turns = PerTenant(lambda t: TurnLocks(redis, tenant_prefix(prefix, t)))
        self.timings = ResponseTimes(redis, settings.redis_key_prefix)
        self.archive: Archive | None = None  # set by api.history.dependencies.install_history

    async def open(
        self, profile: Mapping[str, Any] | None, ip: str, tenant_id: str
    ) -> dict[str, Any]:
        """A new session of `tenant_id` (from the widget's site key) and the customer's token."""
        limit = self.settings.conversation_rate_per_ip
        await self.limiter.hit("conversation-ip", ip, limit=limit, per_seconds=MINUTE)
        name = await self.supervision.new_conversation(profile, tenant_id=tenant_id)
        state = await self.state(name)
        if self.archive is not None:
            await self.archive.record(name, wait=False)
        token = self.tokens.issue(name, tenant_id)
        return {
            "session_name": name,
            "conversation_id": state.get("conversation_id"),
            "status": state.get("status"),
            "user_profile": state.get("user_profile") or {},
            "token": token.token,
            "token_type": "customer",
            "expires_in": token.expires_in,
        }

    async def state(self, session_name: str) -> dict[str, Any]:
        """The session's checkpointed values; 404 SESSION_NOT_FOUND."""
        graph, config = self.supervision.graph, self.supervision.config(session_name)
        values = (await graph.aget_state(config)).values
        if not values or not values.get("status") or not visible(values):
            raise NotFound(f"chat session {session_name} not found", code="SESSION_NOT_FOUND")
        return dict(values)

    async def begin(
        self, caller: Caller, session_name: str, text: str, ip: str, *, live_only: bool = False
    ) -> Turn:
        """Every refusal as an HTTP status before anything runs: 403 not your session, 400
        empty, 429 rate, 404 unknown, 409 closed / not live / previous turn still running."""
        caller.require_customer(session_name)
        text = message_text(text)
        await self._limit(session_name, ip)
        status = (await self.state(session_name))["status"]
        if live_only and status != SessionStatus.MANUAL_LIVE.value:
            raise ManualNotLive(
                f"no agent is talking in this chat ({status}); use /api/chat", status=status
            )
        transition(status, SessionEvent.USER_MESSAGE)
        try:
            held = await self.turns(caller.tenant).acquire(session_name)
        except RunInProgress:
            raise RunInProgress(
                "the previous message is still being answered; resend after its `done`",
                session_name=session_name,
                retry_after=1,
            ) from None
        return Turn(self, session_name, text, held, caller.tenant)

    async def _limit(self, session_name: str, ip: str) -> None:
        per_session, per_ip = self.settings.chat_rate_per_session, self.settings.chat_rate_per_ip
        await self.limiter.hit("chat-session", session_name, limit=per_session, per_seconds=MINUTE)
        await self.limiter.hit("chat-ip", ip, limit=per_ip, per_seconds=MINUTE)

    async def run(self, turn: Turn) -> list[ev.Event]:
        """The turn to its end (JSON routes): its events, AI tokens merged; `error` raised."""
        try:
            events = [event async for event in turn.events()]
        finally:
            await turn.finish()
        failed = next((e for e in events if e.get("type") == "error"), None)
        if failed is not None:
            raise ev.as_error(failed)
        return merge_tokens(events)


def merge_tokens(events: list[ev.Event]) -> list[ev.Event]:
    """Consecutive `message` tokens as one `message` event (what a JSON client wants)."""
    merged: list[ev.Event] = []
    for event in events:
        if event.get("type") == "message" and merged and merged[-1].get("type") == "message":
            merged[-1] = {**merged[-1], "content": merged[-1]["content"] + event["content"]}
        else:
            merged.append(dict(event))
    return merged


def answer_of(events: list[ev.Event]) -> str:
    return "".join(str(e.get("content", "")) for e in events if e.get("type") == "message")
