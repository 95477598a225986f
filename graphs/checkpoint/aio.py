"""`AsyncRedisSaver`: the asyncio checkpoint saver the graphs and the API run on.

Hot path (aput, aput_writes, aget_tuple) is at most one Redis round trip per call: one EVALSHA
of a Lua script from base.py (EVAL once more when the server lost the script). A write script
runs atomically, so a failed or cut write leaves no partial checkpoint behind. Writes asked for
in the same turn of the event loop share one round trip: a run that stops (durability "exit")
saves its checkpoint and its pending writes from two tasks started together, so a renewal step
makes one write round trip instead of two (issue 24). Each write is still its own script, so
each stays atomic and idempotent as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from core.metrics import timed_checkpoint
from graphs.checkpoint.base import (
    DROP_CHECKPOINTS_LUA,
    GET_TUPLE_LUA,
    PUT_CHECKPOINT_LUA,
    PUT_WRITES_LUA,
    BaseRedisSaver,
    Command,
    ThreadKeys,
    escape,
    mask_url,
    unescape,
)
from graphs.checkpoint.cluster import ClusterRoundTrips
from graphs.checkpoint.threads import (
    LIST_PAGE_SIZE,
    copy_commands,
    copy_index_commands,
    delete_thread_commands,
    list_bounds,
    list_target,
    member_of,
    metadata_matches,
    select_members,
    snapshot_commands,
)
from graphs.checkpoint.transport import POOL_SIZE, RoundTrips, SharedTrips, make_async_client


class AsyncRedisSaver(BaseRedisSaver):
    """Checkpoint saver on plain Redis or a Redis Cluster (hashes, sorted sets, MULTI, Lua)."""

    def __init__(
        self,
        client: Redis | RedisCluster,
        *,
        key_prefix: str = "sb",
        ttl_seconds: float | None = None,
        timeout_seconds: float = 10.0,
        serde: SerializerProtocol | None = None,
        pool_size: int = POOL_SIZE,
    ) -> None:
        if isinstance(client, RedisCluster):
            node = client.nodes_manager.startup_nodes
            kwargs = {**next(iter(node.values())).connection_kwargs} if node else {}
            kwargs.setdefault("decode_responses", client.get_encoder().decode_responses)
        else:
            kwargs = client.connection_pool.connection_kwargs
        if kwargs.get("decode_responses"):
            raise ValueError("AsyncRedisSaver needs a client with decode_responses=False")
        url = "redis://{}:{}/{}".format(
            kwargs.get("host", "localhost"), kwargs.get("port", 6379), kwargs.get("db", 0)
        )
        super().__init__(
            key_prefix=key_prefix, ttl_seconds=ttl_seconds, url_for_errors=url, serde=serde
        )
        self.client = client
        transport = ClusterRoundTrips if isinstance(client, RedisCluster) else RoundTrips
        self.redis = transport(client, timeout_seconds, self._unavailable, pool_size=pool_size)  # type: ignore[arg-type]
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        self.writes = SharedTrips(self.redis)  # writes asked for together go together

    @classmethod
    @asynccontextmanager
    async def from_url(
        cls,
        url: str,
        *,
        key_prefix: str = "sb",
        ttl_seconds: float | None = None,
        timeout_seconds: float = 10.0,
        serde: SerializerProtocol | None = None,
        pool_size: int = POOL_SIZE,
        cluster: bool = False,
        **client_kwargs: Any,
    ) -> AsyncIterator[AsyncRedisSaver]:
        """Open a client (a cluster one with `cluster`), check Redis answers (else
        CheckpointStoreUnavailable), close on exit."""
        client = make_async_client(url, cluster=cluster, **client_kwargs)
        saver = cls(
            client,
            key_prefix=key_prefix,
            ttl_seconds=ttl_seconds,
            timeout_seconds=timeout_seconds,
            serde=serde,
            pool_size=pool_size,
        )
        saver.masked_url = mask_url(url)
        try:
            await saver.setup()
            yield saver
        finally:
            await saver.aclose()
            await client.aclose()

    async def aclose(self) -> None:
        """Close the connections this saver keeps (the client itself belongs to the caller),
        once the writes on their way have gone."""
        await self.writes.drain()
        await self.redis.aclose()

    async def setup(self) -> None:
        """Fail fast when Redis is unreachable and preload the Lua scripts."""
        try:
            async with asyncio.timeout(self.redis.timeout):
                await self.client.ping()
                for script in (
                    GET_TUPLE_LUA,
                    PUT_CHECKPOINT_LUA,
                    PUT_WRITES_LUA,
                    DROP_CHECKPOINTS_LUA,
                ):
                    await self.client.script_load(script.text)
        except (RedisError, RedisClusterException, OSError, TimeoutError) as error:
            raise self._unavailable(error) from error

    # --- hot path ------------------------------------------------------------------------

    @timed_checkpoint("put")
    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        call = self._put_call(config, checkpoint, metadata, new_versions)
        await self.writes.eval(PUT_CHECKPOINT_LUA, call.keys, call.args, call.index)
        self.remember_indexed(call.indexed)
        return call.config

    @timed_checkpoint("put_writes")
    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if writes:
            keys, args = self._put_writes_call(config, writes, task_id, task_path)
            await self.writes.eval(PUT_WRITES_LUA, keys, args)

    @timed_checkpoint("get_tuple")
    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf.get("checkpoint_ns", "")
        keys, args = self._get_call(thread_id, ns, get_checkpoint_id(config))
        reply = await self.redis.eval(GET_TUPLE_LUA, keys, args)
        return self._tuple_from_reply(thread_id, ns, reply)

    @timed_checkpoint("get_tuple")
    async def aget_tuple_after(
        self, config: RunnableConfig, before: Sequence[Command]
    ) -> tuple[list[Any], CheckpointTuple | None]:
        """`aget_tuple` with `before` sent ahead of it in the same round trip, and their
        replies (errors as values): the renewal session lock's SET rides on the step's one
        checkpoint read instead of costing a round trip of its own (issue 24)."""
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf.get("checkpoint_ns", "")
        keys, args = self._get_call(thread_id, ns, get_checkpoint_id(config))
        ahead, reply = await self.redis.eval_after(GET_TUPLE_LUA, keys, args, before)
        return ahead, self._tuple_from_reply(thread_id, ns, reply)

    # --- history -------------------------------------------------------------------------

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Newest first. With a thread and namespace this reads only that range of `idx`."""
        thread_id, ns, checkpoint_id = list_target(config)
        before_id = get_checkpoint_id(before) if before else None
        remaining = limit if limit is not None else -1
        if remaining == 0:
            return
        # Without a thread id (admin only) this walks every thread of the prefix.
        threads = [thread_id] if thread_id is not None else [t async for t in self._all_threads()]
        for tid in threads:
            size = LIST_PAGE_SIZE if filter or limit is None else min(LIST_PAGE_SIZE, limit)
            async for page in self._candidate_pages(tid, ns, checkpoint_id, before_id, size):
                for tup in await self._fetch_page(tid, page, filter, remaining):
                    yield tup
                    remaining -= 1
                if remaining == 0:
                    return

    async def _all_threads(self) -> AsyncIterator[str]:
        pattern = f"{self.root}:{{t:*}}:idx"
        async for key in self.client.scan_iter(match=pattern, count=1000):
            yield unescape(key.decode()[len(self.root) + 4 : -5])

    async def _candidate_pages(
        self,
        thread_id: str,
        ns: str | None,
        checkpoint_id: str | None,
        before_id: str | None,
        size: int,
    ) -> AsyncIterator[list[tuple[str, str]]]:
        keys = self.thread_keys(thread_id)
        if ns is not None and checkpoint_id is not None:
            if before_id is None or checkpoint_id < before_id:
                yield [(ns, checkpoint_id)]
            return
        if ns is None:
            members = await self.redis.call("ZRANGE", keys.idx, 0, -1)
            selected = select_members(members, before_id)
            if checkpoint_id is not None:
                selected = [m for m in selected if m[1] == checkpoint_id]
            for i in range(0, len(selected), size):
                yield selected[i : i + size]
            return
        upper, lower = list_bounds(ns, before_id)
        while True:
            page = await self.redis.call("ZREVRANGEBYLEX", keys.idx, upper, lower, "LIMIT", 0, size)
            if not page:
                return
            yield select_members(page, None)
            upper = "(" + page[-1].decode()

    async def _fetch_page(
        self,
        thread_id: str,
        page: list[tuple[str, str]],
        filter: dict[str, Any] | None,
        remaining: int,
    ) -> list[CheckpointTuple]:
        if filter:
            members = [member_of(ns, cid) for ns, cid in page]
            records = await self.redis.call("HMGET", self.thread_keys(thread_id).cp, *members)
            page = [
                p
                for p, r in zip(page, records, strict=True)
                if metadata_matches(self.serde, r, filter)
            ]
        if remaining >= 0:
            page = page[:remaining]
        calls = [self._get_call(thread_id, ns, cid) for ns, cid in page]
        replies = await self.redis.eval_many(GET_TUPLE_LUA, calls) if calls else []
        tuples = [
            self._tuple_from_reply(thread_id, ns, r)
            for (ns, _), r in zip(page, replies, strict=True)
        ]
        return [t for t in tuples if t is not None]

    # --- whole-thread operations -----------------------------------------------------------

    @timed_checkpoint("delete_thread")
    async def adelete_thread(self, thread_id: str) -> None:
        keys = self.thread_keys(thread_id)
        runs = await self.redis.call("ZRANGE", keys.runs, 0, -1)
        self.forget_indexed(etid=keys.etid)
        await self.redis.multi(delete_thread_commands(self, keys, runs), transaction=False)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        for run_id in run_ids:
            erun = escape(str(run_id))
            run_key = self.run_key(erun)
            threads = await self.redis.call("ZRANGE", run_key, 0, -1)
            calls = [(ThreadKeys.of(self.root, t.decode()).all, ("run", erun)) for t in threads]
            if calls:
                await self.redis.eval_many(DROP_CHECKPOINTS_LUA, calls)
            self.forget_indexed(erun=erun)
            await self.redis.call("UNLINK", run_key)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        if str(source_thread_id) == str(target_thread_id):
            return
        snapshot = await self.redis.multi(snapshot_commands(self.thread_keys(source_thread_id)))
        if not snapshot[0]:
            return
        target = str(target_thread_id)
        await self.redis.multi(copy_index_commands(self, target, snapshot), transaction=False)
        await self.redis.multi(copy_commands(self, str(source_thread_id), target, snapshot))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """ "keep_latest": newest checkpoint per namespace; "delete"/"delete_all": everything."""
        if strategy in ("delete", "delete_all"):
            for thread_id in thread_ids:
                await self.adelete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"unknown prune strategy {strategy!r}")
        calls = [(self.thread_keys(t).all, ("keep_latest",)) for t in thread_ids]
        if calls:
            await self.redis.eval_many(DROP_CHECKPOINTS_LUA, calls)

    # --- sync bridge (for graph.invoke from a worker thread, like AsyncPostgresSaver) ------

    def _run(self, coro: Any) -> Any:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is None or running is self.loop:
            coro.close()
            raise asyncio.InvalidStateError(
                "Synchronous calls to AsyncRedisSaver need its event loop running in another "
                "thread; from that loop use the async methods (or RedisSaver)."
            )
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._run(self.aget_tuple(config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        async def collect() -> list[CheckpointTuple]:
            return [t async for t in self.alist(config, filter=filter, before=before, limit=limit)]

        yield from self._run(collect())

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._run(self.aput(config, checkpoint, metadata, new_versions))  # type: ignore[no-any-return]

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._run(self.aput_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._run(self.adelete_thread(thread_id))
