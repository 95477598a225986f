"""Events for SSE streams, shared by every API instance through Redis.

Each channel (a chat session, an agent, the queue) has a capped Redis Stream: its entry ids are
the SSE event ids, so a client reconnecting with `Last-Event-ID` gets exactly what it missed
(XRANGE after that id), and a bounded history per channel. Live delivery goes through one pub/sub
subscription per process (not one Redis connection per client): a publish is one round trip
(XADD + PUBLISH in a transaction), and the process fans the event out to its local listeners.
Pub/sub notifications from concurrent publishers can arrive out of stream order, so a listener
treats them as wake-ups only and reads the stream itself after the last id it delivered: events
come in stream order, none lost or repeated, whatever the interleaving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from typing import Any

from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from graphs.supervision.service import CALLER_TENANT

log = get_logger(__name__)

Event = tuple[str, dict[str, Any]]  # (stream id, payload)
# A wake-up newer than any event: the listener re-reads its stream (after a resubscription,
# events published while the subscription was down were announced to nobody).
WAKE = f"{2**63 - 1}-0"


def _order(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


class EventHub:
    def __init__(self, redis: Redis, prefix: str, *, history: int = 1000) -> None:
        self.redis = redis
        self.prefix = prefix
        self.history = history
        self._listeners: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    # --- keys ---------------------------------------------------------------------------------
    def stream_key(self, channel: str) -> str:
        return f"{self.prefix}:events:{channel}"

    @property
    def live_pattern(self) -> str:
        return f"{self.prefix}:live:*"

    def live_key(self, channel: str) -> str:
        return f"{self.prefix}:live:{channel}"

    # --- publishing ---------------------------------------------------------------------------
    async def publish(self, channels: list[str], payload: dict[str, Any]) -> dict[str, str]:
        """Append `payload` to each channel's stream and announce it; returns the ids."""
        body = json.dumps(payload, ensure_ascii=False)
        async with self.redis.pipeline(transaction=True) as pipe:
            for channel in channels:
                pipe.xadd(self.stream_key(channel), {"d": body}, maxlen=self.history,
                          approximate=True)  # fmt: skip
            ids = [i.decode() if isinstance(i, bytes) else i for i in await pipe.execute()]
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel, event_id in zip(channels, ids, strict=True):
                pipe.publish(self.live_key(channel), json.dumps([event_id, body]))
            await pipe.execute()
        return dict(zip(channels, ids, strict=True))

    # --- reading ------------------------------------------------------------------------------
    async def replay(self, channel: str, after: str | None, limit: int = 1000) -> list[Event]:
        """What the channel holds after `after` (exclusive); everything kept when None."""
        start = f"({after}" if after else "-"
        rows: Any = await self.redis.xrange(
            self.stream_key(channel), min=start, max="+", count=limit
        )
        events: list[Event] = []
        for raw_id, fields in rows:
            data = fields.get(b"d") or fields.get("d")
            events.append((_decode(raw_id), json.loads(data)))
        return events

    async def start(self) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read_live(), name="event-hub")
            await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def _read_live(self) -> None:
        """The process's one subscription: fan each live event out to local listeners."""
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(self.live_pattern)
                if self._ready.is_set():  # resubscribed: catch up on what was announced meanwhile
                    log.info("event_hub_resubscribed", listeners=self.listener_count)
                    for queues in list(self._listeners.values()):
                        for queue in list(queues):
                            queue.put_nowait(WAKE)
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = _decode(message["channel"]).removeprefix(f"{self.prefix}:live:")
                    event_id, _body = json.loads(message["data"])
                    for queue in list(self._listeners.get(channel, ())):
                        queue.put_nowait(event_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis dropped: resubscribe; clients replay the gap
                log.warning("event_hub_reconnect", error=type(exc).__name__)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def listen(self, channel: str, after: str | None = None) -> AsyncIterator[Event]:
        """Events after `after` (replayed), then live ones, each exactly once, in order."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._listeners[channel].add(queue)
        try:
            last = after
            if after is None:  # live only: start after whatever the stream holds now
                tail: Any = await self.redis.xrevrange(self.stream_key(channel), count=1)
                last = _decode(tail[0][0]) if tail else "0"
            while True:
                for event in await self.replay(channel, last):
                    last = event[0]
                    yield event
                notified = await queue.get()
                while not queue.empty():  # coalesce a burst into one read
                    notified = max(notified, queue.get_nowait(), key=_order)
                if _order(notified) <= _order(last or "0"):
                    continue
        finally:
            self._listeners[channel].discard(queue)
            if not self._listeners[channel]:
                self._listeners.pop(channel, None)

    @property
    def listener_count(self) -> int:
        return sum(len(v) for v in self._listeners.values())


def _decode(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


WORKBENCH = "workbench"  # every chat session's events, for the agents' streams


def workbench_channel(tenant: str) -> str:
    """One tenant's workbench: its sessions' and tickets' events, for its agents only."""
    return f"t:{tenant}:{WORKBENCH}"


def session_channel(session_name: str) -> str:
    return f"session:{session_name}"


class SessionEvents:
    """The supervision service's `Publisher`: a session's events go to its own channel (the
    customer's stream) and to its tenant's workbench (agents), each with its SSE id. The
    tenant is the one the run is for (`CALLER_TENANT`: the request's token, or the due
    sweeper's session); runs outside both (Studio, tests) are tenant `default`'s."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    async def publish(self, session_name: str, event: Mapping[str, Any]) -> None:
        workbench = workbench_channel(CALLER_TENANT.get() or DEFAULT_TENANT)
        await self.hub.publish(
            [session_channel(session_name), workbench], {"session_name": session_name, **event}
        )
