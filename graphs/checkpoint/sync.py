"""`RedisSaver`: the synchronous twin of `AsyncRedisSaver` (scripts, CLIs, sync graphs).

Same key layout, Lua and round-trip budget as the async saver; only the client differs. Its
async methods run the sync ones in a worker thread, so one instance serves both worlds.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
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
from redis import Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisClusterException, RedisError
from redis.retry import Retry

from core.redis_clients import SyncClient, sync_client_for
from graphs.checkpoint.base import (
    DROP_CHECKPOINTS_LUA,
    GET_TUPLE_LUA,
    PUT_CHECKPOINT_LUA,
    PUT_WRITES_LUA,
    BaseRedisSaver,
    Command,
    LuaScript,
    ThreadKeys,
    escape,
    mask_url,
    unescape,
)
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


def make_sync_client(url: str, *, cluster: bool = False, **kwargs: Any) -> SyncClient:
    """A client tuned for checkpoints (one node or a cluster): binary replies, short bounded
    retries, timeouts."""
    kwargs.setdefault("retry", Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.2), 3))
    kwargs.setdefault("socket_connect_timeout", 5)
    kwargs.setdefault("socket_timeout", 10)
    if not cluster:
        kwargs.setdefault("retry_on_error", [])
    return sync_client_for(url, cluster=cluster, decode_responses=False, **kwargs)


class RedisSaver(BaseRedisSaver):
    """Synchronous checkpoint saver on plain Redis or a Redis Cluster (redis-py routes)."""

    def __init__(
        self,
        client: Redis | RedisCluster,
        *,
        key_prefix: str = "sb",
        ttl_seconds: float | None = None,
        serde: SerializerProtocol | None = None,
    ) -> None:
        if isinstance(client, RedisCluster):
            node = client.get_default_node()
            kwargs = {"host": node.host, "port": node.port}
            kwargs["decode_responses"] = client.get_encoder().decode_responses
        else:
            kwargs = client.connection_pool.connection_kwargs
        if kwargs.get("decode_responses"):
            raise ValueError("RedisSaver needs a client with decode_responses=False")
        url = "redis://{}:{}/{}".format(
            kwargs.get("host", "localhost"), kwargs.get("port", 6379), kwargs.get("db", 0)
        )
        super().__init__(
            key_prefix=key_prefix, ttl_seconds=ttl_seconds, url_for_errors=url, serde=serde
        )
        self.client = client

    @classmethod
    @contextmanager
    def from_url(
        cls,
        url: str,
        *,
        key_prefix: str = "sb",
        ttl_seconds: float | None = None,
        serde: SerializerProtocol | None = None,
        cluster: bool = False,
        **client_kwargs: Any,
    ) -> Iterator[RedisSaver]:
        """Open a client (a cluster one with `cluster`), check Redis answers (else
        CheckpointStoreUnavailable), close on exit."""
        try:
            client = make_sync_client(url, cluster=cluster, **client_kwargs)
        except (RedisError, RedisClusterException, OSError) as error:  # a cluster one connects
            raise BaseRedisSaver(url_for_errors=url)._unavailable(error) from error
        try:
            saver = cls(client, key_prefix=key_prefix, ttl_seconds=ttl_seconds, serde=serde)
            saver.masked_url = mask_url(url)
            saver.setup()
            yield saver
        finally:
            client.close()

    def setup(self) -> None:
        """Fail fast when Redis is unreachable and preload the Lua scripts."""
        try:
            self.client.ping()
            for script in (GET_TUPLE_LUA, PUT_CHECKPOINT_LUA, PUT_WRITES_LUA, DROP_CHECKPOINTS_LUA):
                self.client.script_load(script.text)
        except (RedisError, RedisClusterException, OSError) as error:
            raise self._unavailable(error) from error

    # --- Redis I/O -----------------------------------------------------------------------

    def _multi(
        self, commands: Sequence[Command], *, transaction: bool = True
    ) -> builtins.list[Any]:
        """Send all commands in one round trip (per node on a cluster); MULTI/EXEC makes writes
        all-or-nothing (one slot on a cluster)."""
        if not commands:
            return []
        try:
            with self.client.pipeline(transaction=transaction) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                return pipe.execute()
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    def _call(self, *command: Any) -> Any:
        try:
            return self.client.execute_command(*command)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    def _eval(
        self,
        script: LuaScript,
        keys: Sequence[str],
        args: Sequence[Any],
        before: Sequence[Command] = (),
    ) -> Any:
        """EVALSHA after `before` (the run-index write, once per run and thread), which goes
        first on its own: on a cluster it is another slot, and the order must hold."""
        self._multi(before, transaction=False)
        try:
            try:
                return self.client.execute_command("EVALSHA", script.sha, len(keys), *keys, *args)
            except NoScriptError:
                return self.client.execute_command("EVAL", script.text, len(keys), *keys, *args)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error

    def _eval_many(
        self, script: LuaScript, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]
    ) -> builtins.list[Any]:
        """Many EVALSHAs in one pipelined round trip (reloading the script if it was lost)."""
        commands = [("EVALSHA", script.sha, len(k), *k, *a) for k, a in calls]
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                replies = pipe.execute(raise_on_error=False)
            if any(isinstance(r, NoScriptError) for r in replies):
                self.client.script_load(script.text)
                return self._multi(commands, transaction=False)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from error
        for reply in replies:
            if isinstance(reply, Exception):
                raise self._unavailable(reply)
        return list(replies)

    # --- hot path ------------------------------------------------------------------------

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        call = self._put_call(config, checkpoint, metadata, new_versions)
        self._eval(PUT_CHECKPOINT_LUA, call.keys, call.args, call.index)
        self.remember_indexed(call.indexed)
        return call.config

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if writes:
            self._eval(PUT_WRITES_LUA, *self._put_writes_call(config, writes, task_id, task_path))

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf.get("checkpoint_ns", "")
        keys, args = self._get_call(thread_id, ns, get_checkpoint_id(config))
        return self._tuple_from_reply(thread_id, ns, self._eval(GET_TUPLE_LUA, keys, args))

    # --- history -------------------------------------------------------------------------

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Newest first. With a thread and namespace this reads only that range of `idx`."""
        thread_id, ns, checkpoint_id = list_target(config)
        before_id = get_checkpoint_id(before) if before else None
        remaining = limit if limit is not None else -1
        if remaining == 0:
            return
        # Without a thread id (admin only) this walks every thread of the prefix.
        threads = [thread_id] if thread_id is not None else list(self._all_threads())
        for tid in threads:
            size = LIST_PAGE_SIZE if filter or limit is None else min(LIST_PAGE_SIZE, limit)
            for page in self._candidate_pages(tid, ns, checkpoint_id, before_id, size):
                for tup in self._fetch_page(tid, page, filter, remaining):
                    yield tup
                    remaining -= 1
                if remaining == 0:
                    return

    def _all_threads(self) -> Iterator[str]:
        for key in self.client.scan_iter(match=f"{self.root}:{{t:*}}:idx", count=1000):
            yield unescape(key.decode()[len(self.root) + 4 : -5])

    def _candidate_pages(
        self,
        thread_id: str,
        ns: str | None,
        checkpoint_id: str | None,
        before_id: str | None,
        size: int,
    ) -> Iterator[builtins.list[tuple[str, str]]]:
        keys = self.thread_keys(thread_id)
        if ns is not None and checkpoint_id is not None:
            if before_id is None or checkpoint_id < before_id:
                yield [(ns, checkpoint_id)]
            return
        if ns is None:
            selected = select_members(self._call("ZRANGE", keys.idx, 0, -1), before_id)
            if checkpoint_id is not None:
                selected = [m for m in selected if m[1] == checkpoint_id]
            for i in range(0, len(selected), size):
                yield selected[i : i + size]
            return
        upper, lower = list_bounds(ns, before_id)
        while True:
            page = self._call("ZREVRANGEBYLEX", keys.idx, upper, lower, "LIMIT", 0, size)
            if not page:
                return
            yield select_members(page, None)
            upper = "(" + page[-1].decode()

    def _fetch_page(
        self,
        thread_id: str,
        page: builtins.list[tuple[str, str]],
        filter: dict[str, Any] | None,
        remaining: int,
    ) -> builtins.list[CheckpointTuple]:
        if filter:
            members = [member_of(ns, cid) for ns, cid in page]
            records = self._call("HMGET", self.thread_keys(thread_id).cp, *members)
            page = [
                p
                for p, r in zip(page, records, strict=True)
                if metadata_matches(self.serde, r, filter)
            ]
        if remaining >= 0:
            page = page[:remaining]
        calls = [self._get_call(thread_id, ns, cid) for ns, cid in page]
        replies = self._eval_many(GET_TUPLE_LUA, calls) if calls else []
        tuples = [
            self._tuple_from_reply(thread_id, ns, r)
            for (ns, _), r in zip(page, replies, strict=True)
        ]
        return [t for t in tuples if t is not None]

    # --- whole-thread operations -----------------------------------------------------------

    def delete_thread(self, thread_id: str) -> None:
        keys = self.thread_keys(thread_id)
        runs = self._call("ZRANGE", keys.runs, 0, -1)
        self.forget_indexed(etid=keys.etid)
        self._multi(delete_thread_commands(self, keys, runs), transaction=False)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        for run_id in run_ids:
            erun = escape(str(run_id))
            run_key = self.run_key(erun)
            threads = self._call("ZRANGE", run_key, 0, -1)
            calls = [(ThreadKeys.of(self.root, t.decode()).all, ("run", erun)) for t in threads]
            if calls:
                self._eval_many(DROP_CHECKPOINTS_LUA, calls)
            self.forget_indexed(erun=erun)
            self._call("UNLINK", run_key)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        if str(source_thread_id) == str(target_thread_id):
            return
        snapshot = self._multi(snapshot_commands(self.thread_keys(source_thread_id)))
        if snapshot[0]:
            target = str(target_thread_id)
            self._multi(copy_index_commands(self, target, snapshot), transaction=False)
            self._multi(copy_commands(self, str(source_thread_id), target, snapshot))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """ "keep_latest": newest checkpoint per namespace; "delete"/"delete_all": everything."""
        if strategy in ("delete", "delete_all"):
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"unknown prune strategy {strategy!r}")
        calls = [(self.thread_keys(t).all, ("keep_latest",)) for t in thread_ids]
        if calls:
            self._eval_many(DROP_CHECKPOINTS_LUA, calls)

    # --- async facade: the sync client in a worker thread ---------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        tuples = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for tup in tuples:
            yield tup

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)
