"""Events for SSE streams, shared by every API instance through Redis (one node or a cluster).

Each channel (a chat session, a tenant's workbench) has a capped Redis Stream: its entry ids
are the SSE event ids, so a client reconnecting with `Last-Event-ID` gets exactly what it missed
(XRANGE after that id), and a bounded history per channel. Each stream is one key, so on a
Redis Cluster it lives in its own slot and every read of it is a single-slot command. A
tenant's channels (`tenant_channel`: its sessions, its workbench) stream under the tenant's
keys, `P:t:<tenant>:events:<name>`; every reader knows the tenant (the customer's and the
agents' tokens carry it, the publisher runs as the session's tenant).

Live delivery is sharded pub/sub (SPUBLISH / SSUBSCRIBE, Redis 7; on one node it behaves like
plain pub/sub): a channel's wake-ups go to one of `LIVE_BUCKETS` notification channels
`{P:live:<n>}`, and each process subscribes to all of them once (not one connection per
client), on a cluster one connection per primary that owns a bucket. A publish is two round
trips (the XADDs, then the SPUBLISHes); the process fans each wake-up out to its local
listeners. Wake-ups from concurrent publishers can arrive out of stream order, so a listener
treats them as wake-ups only and reads the stream itself after the last id it delivered:
events come in stream order, none lost or repeated, whatever the interleaving. After any
subscription loss (a node restarted, a failover, a slot moved: Redis then sends SUNSUBSCRIBE)
the process refreshes the slot map, subscribes again and wakes every listener, which re-reads
its stream: nothing published meanwhile is lost, only late. (When redis-py reconnects a
subscription by itself, a second round of SSUBSCRIBE confirmations triggers the same wake-up.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.crc import key_slot

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from core.redis_clients import is_cluster, node_client
from core.tenant_keys import tenant_stream
from graphs.supervision.due import SESSION_TENANT
from graphs.supervision.service import CALLER_TENANT

log = get_logger(__name__)

Event = tuple[str, dict[str, Any]]  # (stream id, payload)
# A wake-up newer than any event: the listener re-reads its stream (after a resubscription,
# events published while the subscription was down were announced to nobody).
WAKE = f"{2**63 - 1}-0"
LIVE_BUCKETS = 16  # notification channels, spread over a cluster's shards by their slots


class SubscriptionLost(Exception):
    """A notification channel was unsubscribed by the server (its slot moved) or the
    connection ended: subscribe again."""


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
        """`P:t:<tenant>:events:<name>` for a tenant's channel, `P:events:<channel>` else."""
        owned = TENANT_CHANNEL.fullmatch(channel)
        if owned is None:
            return f"{self.prefix}:events:{channel}"
        return tenant_stream(self.prefix, owned["tenant"], owned["name"])

    def live_key(self, channel: str) -> str:
        """The sharded notification channel that announces `channel`'s new events."""
        bucket = key_slot(channel.encode()) % LIVE_BUCKETS
        return self._bucket(bucket)

    def _bucket(self, bucket: int) -> str:
        return f"{{{self.prefix}:live:{bucket}}}"

    # --- publishing ---------------------------------------------------------------------------
    async def publish(self, channels: list[str], payload: dict[str, Any]) -> dict[str, str]:
        """Append `payload` to each channel's stream and announce it; returns the ids."""
        body = json.dumps(payload, ensure_ascii=False)
        # One node: the streams in one MULTI (all or none). A cluster: each stream is its own
        # slot, so no MULTI across them; a failure in between leaves the event in the first
        # channels only and raises (the caller answers 503; docs/realtime.md).
        async with self.redis.pipeline(transaction=not is_cluster(self.redis)) as pipe:
            for channel in channels:
                pipe.xadd(self.stream_key(channel), {"d": body}, maxlen=self.history,
                          approximate=True)  # fmt: skip
            ids = [i.decode() if isinstance(i, bytes) else i for i in await pipe.execute()]
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel, event_id in zip(channels, ids, strict=True):
                pipe.spublish(self.live_key(channel), json.dumps([channel, event_id]))
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
        """The process's subscriptions: fan each wake-up out to local listeners."""
        while True:
            clients: list[Redis] = []
            subscriptions: list[PubSub] = []
            try:
                clients, subscriptions = await self._subscribe()
                if self._ready.is_set():  # resubscribed: catch up on what was announced meanwhile
                    self._wake_all()
                self._ready.set()
                async with asyncio.TaskGroup() as group:
                    for pubsub in subscriptions:
                        group.create_task(self._drain(pubsub, len(pubsub.shard_channels)))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis dropped: resubscribe; clients replay the gap
                log.warning("event_hub_reconnect", error=_first_error(exc))
                await asyncio.sleep(0.5)
            finally:
                await _close(clients, subscriptions)

    async def _subscribe(self) -> tuple[list[Redis], list[PubSub]]:
        """SSUBSCRIBE to every bucket: on one node one connection, on a cluster one per primary
        owning a bucket (from a freshly loaded slot map: after a failover, the new primary)."""
        buckets = [self._bucket(n) for n in range(LIVE_BUCKETS)]
        if not is_cluster(self.redis):
            pubsub = self.redis.pubsub()
            for bucket in buckets:  # one SSUBSCRIBE per channel, as on a cluster
                await pubsub.ssubscribe(bucket)
            return [], [pubsub]
        cluster: Any = self.redis
        await cluster.initialize()
        if self._ready.is_set():  # resubscribing: the current owners, not the cached map
            await cluster.nodes_manager.initialize()
        by_node: dict[str, list[str]] = defaultdict(list)
        nodes: dict[str, Any] = {}
        for bucket in buckets:
            node = cluster.get_node_from_key(bucket)
            nodes[node.name] = node
            by_node[node.name].append(bucket)
        clients: list[Redis] = []
        subscriptions: list[PubSub] = []
        try:
            for name, channels in by_node.items():
                client = node_client(nodes[name])
                clients.append(client)
                pubsub = client.pubsub()
                subscriptions.append(pubsub)
                for channel in channels:  # SSUBSCRIBE's channels must share a slot
                    await pubsub.ssubscribe(channel)
        except BaseException:
            await _close(clients, subscriptions)
            raise
        return clients, subscriptions

    def _wake_all(self) -> None:
        log.info("event_hub_resubscribed", listeners=self.listener_count)
        for queues in list(self._listeners.values()):
            for queue in list(queues):
                queue.put_nowait(WAKE)

    async def _drain(self, pubsub: PubSub, subscribed: int) -> None:
        """Wake-ups from one connection. redis-py reconnects a pub/sub connection by itself
        (the retry policy) and subscribes again: confirmations beyond the first `subscribed`
        mean that happened, and what was announced meanwhile reached nobody."""
        confirmed = 0
        async for message in pubsub.listen():
            kind = _decode(message.get("type") or "")
            if kind == "sunsubscribe":  # the server moved the channel's slot away
                raise SubscriptionLost(_decode(message["channel"]))
            if kind == "ssubscribe":
                confirmed += 1  # a whole new round confirmed: wake the listeners once
                if confirmed > subscribed and (confirmed - subscribed) % max(subscribed, 1) == 0:
                    self._wake_all()
                continue
            if kind != "smessage":
                continue
            channel, event_id = json.loads(message["data"])
            for queue in list(self._listeners.get(channel, ())):
                queue.put_nowait(event_id)
        raise SubscriptionLost("listen ended")

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


async def _close(clients: list[Redis], subscriptions: list[PubSub]) -> None:
    for pubsub in subscriptions:
        with contextlib.suppress(Exception):
            await pubsub.aclose()
    for client in clients:
        with contextlib.suppress(Exception):
            await client.aclose()


def _first_error(exc: BaseException) -> str:
    """The name of the error behind a task group's failure (for the log)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return type(exc).__name__


WORKBENCH = "workbench"  # every chat session's events, for the agents' streams
# A tenant's channel; tenant ids are slugs (no ":"), so the first field after `t:` is the tenant.
TENANT_CHANNEL = re.compile(r"t:(?P<tenant>[^:]+):(?P<name>.+)")


def tenant_channel(tenant: str, name: str) -> str:
    """The channel `name` of `tenant`: its stream is `P:t:<tenant>:events:<name>`."""
    return f"t:{tenant}:{name}"


def workbench_channel(tenant: str) -> str:
    """One tenant's workbench: its sessions' and tickets' events, for its agents only."""
    return tenant_channel(tenant, WORKBENCH)


def session_channel(session_name: str, tenant: str) -> str:
    """One chat session's events (the customer's stream), under its tenant's keys."""
    return tenant_channel(tenant, f"session:{session_name}")


class SessionEvents:
    """The supervision service's `Publisher`: a session's events go to its own channel (the
    customer's stream) and to its tenant's workbench (agents), each with its SSE id. The
    tenant is the session's, as the service resolved it for the run (`SESSION_TENANT`: the
    caller's, else the session state's), else the request's (`CALLER_TENANT`); a run outside
    both is tenant `default`'s."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    async def publish(self, session_name: str, event: Mapping[str, Any]) -> None:
        tenant = SESSION_TENANT.get() or CALLER_TENANT.get() or DEFAULT_TENANT
        await self.hub.publish(
            [session_channel(session_name, tenant), workbench_channel(tenant)],
            {"session_name": session_name, **event},
        )
