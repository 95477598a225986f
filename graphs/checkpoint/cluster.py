"""The async saver's Redis I/O on a Redis Cluster: the same packed round trips, routed by slot.

`RoundTrips` writes a batch on one connection; here a batch is split by the node owning each
command's slot: one round trip per node touched, so a hot-path call (all keys of one thread
share a hash tag) is still one round trip. Parts go to their nodes in order of first
appearance, except that a batch's scripts (many threads' checkpoint writes, batched by
SharedTrips) go to all their nodes at once after the commands before them (the run index), so
"run index first, checkpoint second" keeps its order across nodes. Commands
within a node keep their order. MOVED/ASK/TRYAGAIN/CLUSTERDOWN or a lost node refresh the slot
map from the cluster and retry the batch (every request is idempotent); still failing after
the retries, the saver's typed error (503) is raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import Connection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.crc import key_slot
from redis.exceptions import AskError, ClusterDownError, SlotNotCoveredError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graphs.checkpoint.base import Command, LuaScript
from graphs.checkpoint.transport import POOL_SIZE, RETRIES, RoundTrips, exchange

# Replies meaning "the slot map changed or is changing": refresh it and send again.
REDIRECTS = (AskError, TryAgainError, ClusterDownError)  # AskError includes MovedError
_LOST = (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError)
# Raised before sending: the slot map has no owner for a slot (a refresh failed mid-failover).
_UNROUTABLE = (SlotNotCoveredError,)


def command_key(command: Command) -> str | bytes:
    """The key that decides a command's slot (the saver's commands all name one)."""
    if command[0] in ("EVALSHA", "EVAL"):
        if int(command[2]) == 0:
            raise ValueError(f"a script call without keys cannot be routed: {command[:3]}")
        return command[3]  # type: ignore[no-any-return]
    return command[1]  # type: ignore[no-any-return]


def slot_of(key: str | bytes) -> int:
    return key_slot(key if isinstance(key, bytes) else key.encode())


def _scripts_from(commands: Sequence[Command]) -> int | None:
    """Where a batch's scripts start when it is other commands then only scripts (None for any
    other shape, e.g. a delete's UNLINK and ZREMs, whose cross-node order is kept)."""
    start = next((i for i, c in enumerate(commands) if c[0] in ("EVALSHA", "EVAL")), None)
    if start is None or any(c[0] not in ("EVALSHA", "EVAL") for c in commands[start:]):
        return None
    return start


class ClusterRoundTrips(RoundTrips):
    """RoundTrips on a cluster: per-node connections, batches split by slot owner."""

    # The connection class for new node connections (None: the cluster client's). The cluster
    # client has no `connection_class` option, so tests and benchmarks counting at the socket
    # set this instead.
    connection_class: type[Connection] | None = None

    def __init__(
        self,
        client: RedisCluster,
        timeout: float,
        unavailable: Callable[[BaseException], Exception],
        *,
        pool_size: int = POOL_SIZE,
    ) -> None:
        super().__init__(client, timeout, unavailable, pool_size=pool_size)
        self.cluster = client
        self._idle_by_node: dict[str, list[Connection]] = {}

    async def aclose(self) -> None:
        idle, self._idle_by_node = self._idle_by_node, {}
        for conns in idle.values():
            for conn in conns:
                await conn.disconnect()

    async def send(self, commands: Sequence[Command], transaction: bool) -> list[Any]:
        """Replies in command order (errors as values). A transaction must be one slot."""
        last: BaseException | None = None
        for attempt in range(RETRIES + 1):
            if attempt:
                await asyncio.sleep(0.02 * 2 ** (attempt - 1))
                await self._refresh()
            try:
                replies = await self._send_once(commands, transaction)
            except (*_LOST, *_UNROUTABLE) as error:
                last = error
                continue
            redirect = next((r for r in replies if isinstance(r, REDIRECTS)), None)
            if redirect is None:
                return replies
            last = redirect
        assert last is not None
        raise self.unavailable(last) from last

    def _owner(self, command: Command) -> ClusterNode:
        """The primary serving the command's slot (redis-py's slot map, read directly)."""
        slot = slot_of(command_key(command))
        try:
            return self.cluster.nodes_manager.slots_cache[slot][0]
        except (KeyError, IndexError) as error:
            raise SlotNotCoveredError(f"slot {slot} is not covered") from error

    async def _send_once(self, commands: Sequence[Command], transaction: bool) -> list[Any]:
        if len(commands) == 1:  # the hot path: one script call, one node
            return await self._exchange(self._owner(commands[0]), commands, transaction)
        groups: dict[str, tuple[ClusterNode, list[int]]] = {}
        for i, command in enumerate(commands):
            node = self._owner(command)
            groups.setdefault(node.name, (node, []))[1].append(i)
        if transaction and len(groups) > 1:
            raise ValueError("a MULTI on a cluster must stay in one node (one hash tag)")
        if transaction or len(groups) == 1:  # one node: one exchange keeps every order
            ((node, _),) = groups.values()
            return await self._exchange(node, commands, transaction)
        replies: list[Any] = [None] * len(commands)
        scripts_from = _scripts_from(commands)
        if scripts_from is None:  # any other shape: node by node, in order of first appearance
            for node, indexes in groups.values():
                await self._put(replies, node, indexes, commands)
            return replies
        # [commands before scripts...][scripts...] (eval_each, eval_many): the commands before
        # (run-index writes) go first, node by node; then every node's scripts at once. Scripts
        # of one batch are independent threads' writes, and a node's own keep their order on
        # its connection, so only the waiting is shared: a batch touching three masters costs
        # one round trip's time, not three (superstep at 32 runs, docs/checkpoint.md).
        first = {name: [i for i in ix if i < scripts_from] for name, (_, ix) in groups.items()}
        for name, (node, _) in groups.items():
            if first[name]:
                await self._put(replies, node, first[name], commands)
        parts = [(node, [i for i in ix if i >= scripts_from]) for node, ix in groups.values()]
        outcomes = await asyncio.gather(
            *(self._put(replies, node, ix, commands) for node, ix in parts if ix),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome  # the batch is sent again whole (every saver write is idempotent)
        return replies

    async def _put(
        self, replies: list[Any], node: ClusterNode, indexes: list[int], commands: Sequence[Command]
    ) -> None:
        got = await self._exchange(node, [commands[i] for i in indexes], False)
        for i, reply in zip(indexes, got, strict=True):
            replies[i] = reply

    async def _exchange(
        self, node: ClusterNode, commands: Sequence[Command], transaction: bool
    ) -> list[Any]:
        idle = self._idle_by_node.setdefault(node.name, [])
        async with self._slots:
            conn = idle.pop() if idle else self._connection(node)
            try:
                async with asyncio.timeout(self.timeout):
                    await conn.connect()
                    replies = await exchange(conn, commands, transaction)
            except _LOST:
                await conn.disconnect()
                await self._drop_node(node.name)  # its other sockets are likely dead too
                raise
            except BaseException:
                await conn.disconnect()  # cancelled mid-reply: never reuse a dirty connection
                raise
            idle.append(conn)
            return replies

    def _connection(self, node: ClusterNode) -> Connection:
        # No retry inside the connection: a dead node is handled here (refresh, then retry).
        kwargs = {**node.connection_kwargs, "retry": Retry(NoBackoff(), 0)}
        return (self.connection_class or node.connection_class)(**kwargs)

    async def _drop_node(self, name: str) -> None:
        for conn in self._idle_by_node.pop(name, []):
            await conn.disconnect()

    async def _refresh(self) -> None:
        """Re-read the slot map (a failover moved a slot, or a node died); forget old nodes."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.cluster.nodes_manager.initialize()
        except Exception:  # unreachable now: the retry that follows says so
            return
        alive = {node.name for node in self.cluster.get_primaries()}
        for name in [n for n in self._idle_by_node if n not in alive]:
            await self._drop_node(name)

    async def load_script(self, script: LuaScript) -> None:
        """SCRIPT LOAD on every primary (a promoted replica may not have it cached)."""
        for node in self.cluster.get_primaries():
            await self._exchange(node, [("SCRIPT", "LOAD", script.text)], False)
