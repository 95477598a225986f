"""Long-lived SSE streams over the event hub: one chat session, or an agent's workbench.

Every event's SSE `id` is its Redis stream id, the same on every instance, so a client that
reconnects (to any instance) with `Last-Event-ID` gets exactly the events it missed, in order,
none twice (`EventHub.listen`). Without one, the stream starts live; `GET /api/sessions/{name}`
returns `last_event_id` to start from without a gap. Each channel keeps `EVENT_HISTORY` events;
a client that was away for longer first gets a `resync` event (reload the session, then carry
on).

The agent stream reads the `workbench` channel (every session's events) and keeps what the agent
may see: `status_change` of every session (the queue moves), `manual_message` of the sessions
the agent holds or that wait for an agent (all sessions for an admin); AI tokens and `done` are
left out (seed 003 v2.4: the workbench ignores AI messages).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

from api.realtime.hub import EventHub, session_channel, workbench_channel
from api.sse import SseEvent
from core.errors import InvalidInput
from graphs.supervision.service import SupervisionService

EVENT_ID: Final = re.compile(r"^[0-9]{1,20}(-[0-9]{1,20})?$")
CUSTOMER_ONLY: Final = frozenset({"message", "done"})


def resume_point(*candidates: str | None) -> str | None:
    """The first given `Last-Event-ID` (header, then query); 400 when it is not a stream id."""
    for value in candidates:
        if value is None or not value.strip():
            continue
        value = value.strip()
        if not EVENT_ID.fullmatch(value):
            raise InvalidInput(
                "Last-Event-ID must be an event id like 1763970000000-0", field="Last-Event-ID"
            )
        return value
    return None


async def tail_id(hub: EventHub, channel: str) -> str:
    """The id of the channel's newest event ("0" when it has none)."""
    rows: Any = await hub.redis.xrevrange(hub.stream_key(channel), count=1)
    if not rows:
        return "0"
    raw = rows[0][0]
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def raise_if_cancelled() -> None:
    """After an await on a Redis client with a socket timeout: Python 3.11's wait_for inside
    redis-py can swallow a cancellation (the client hung up); honour it here instead of
    listening forever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _order(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


async def gap_since(hub: EventHub, channel: str, after: str | None) -> bool:
    """Whether events after `after` were already trimmed from the channel (lost to replay)."""
    if after is None or after == "0":
        return False
    try:
        info: Any = await hub.redis.xinfo_stream(hub.stream_key(channel))
    except Exception:  # no stream yet: nothing was ever trimmed
        return False
    deleted = info.get(b"max-deleted-entry-id", info.get("max-deleted-entry-id"))
    if deleted is None:
        return False
    deleted = deleted.decode() if isinstance(deleted, bytes) else str(deleted)
    return _order(deleted) > _order(after)


async def session_events(
    hub: EventHub, session_name: str, after: str | None, *, customer: bool, tenant: str
) -> AsyncIterator[SseEvent]:
    """One session's events (of the caller's `tenant`: another tenant's session has no stream
    there); ends after the session is closed."""
    channel = session_channel(session_name, tenant)
    if await gap_since(hub, channel, after):
        yield "resync", {"session_name": session_name, "reason": "history_trimmed"}, str(after)
    async for event_id, payload in hub.listen(channel, after):
        kind = str(payload.get("type") or "message")
        if not customer and kind in CUSTOMER_ONLY:
            continue
        yield kind, payload, event_id
        if kind == "status_change" and payload.get("status") == "closed":
            return


class WorkbenchFilter:
    """What one agent sees of the workbench channel. Follows the status changes as they come:
    chats the agent takes over or receives are theirs until released or transferred away;
    chats waiting for an agent (pending_manual) are everybody's, so a customer's messages while
    waiting reach every agent's queue view."""

    def __init__(self, agent_id: str, *, admin: bool, held: set[str], waiting: set[str]) -> None:
        self.agent_id, self.admin, self.held, self.waiting = agent_id, admin, held, waiting

    def admit(self, payload: Mapping[str, Any]) -> bool:
        kind, name = payload.get("type"), str(payload.get("session_name") or "")
        if kind == "status_change":
            status = payload.get("status")
            holder = (payload.get("agent_info") or {}).get("agent_id")
            if status == "manual_live" and holder == self.agent_id:
                self.held.add(name)
            elif status != "manual_live" or holder is not None:
                self.held.discard(name)
            if status == "pending_manual":
                self.waiting.add(name)
            else:
                self.waiting.discard(name)
            return True
        if kind == "manual_message":
            return self.admin or name in self.held or name in self.waiting
        return kind == "ticket"  # tickets are the whole team's (seed 003 v2.9 events)


async def agent_events(
    hub: EventHub,
    supervision: SupervisionService,
    agent_id: str,
    *,
    tenant: str,
    admin: bool,
    after: str | None,
) -> AsyncIterator[SseEvent]:
    """The agent's workbench stream (never ends by itself): their tenant's events only."""
    held = await supervision.sessions_of(agent_id)
    queue = await supervision.list_sessions("pending_manual", offset=0, limit=1_000_000)
    raise_if_cancelled()
    waiting = {item["session_name"] for item in queue["items"]}
    seen = WorkbenchFilter(agent_id, admin=admin, held=held, waiting=waiting)
    workbench = workbench_channel(tenant)
    if await gap_since(hub, workbench, after):
        yield "resync", {"reason": "history_trimmed"}, str(after)
    async for event_id, payload in hub.listen(workbench, after):
        if seen.admit(payload):
            yield str(payload["type"]), payload, event_id
