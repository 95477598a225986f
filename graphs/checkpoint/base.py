"""What the sync and async Redis savers share: key layout, Lua, (de)serialisation.

Everything here is I/O free. A hot-path call (put, put_writes, get_tuple) becomes exactly one
Lua call (atomic, one command, one reply); whole-thread operations become one MULTI/EXEC or a
pipeline. Replies are turned back into LangGraph types here, so `aio.py` and `sync.py` only
differ in how they talk to Redis.

Key layout (P = key prefix, T/N/C/R = escaped thread id, namespace, checkpoint id, run id):

    P:cp:{t:T}:idx   zset  "N:C" (score 0, lex order = namespace, then checkpoint id)
    P:cp:{t:T}:cp    hash  "N:C" -> msgpack [cp type, cp bytes, md type, md bytes, parent id]
    P:cp:{t:T}:cv    hash  "N:C" -> blob manifest, "channel:version" lines (read by Lua)
    P:cp:{t:T}:blob  hash  "N:channel:version" -> serde type + NUL + bytes
    P:cp:{t:T}:w     hash  "N:C:task:idx" -> msgpack [task_path, task_id, idx, channel, ...]
    P:cp:{t:T}:wi    zset  "N:C:task:idx" (index of `w`, so one checkpoint's writes are a range)
    P:cp:{t:T}:runs  zset  "R:N:C" (checkpoints written by each run of this thread)
    P:cp:r:R         zset  "T" (threads a run wrote to; the entry point of delete_for_runs)

A thread lives in seven keys whatever its length (plus one small key per run), so a TTL
refresh is seven PEXPIREs and no operation ever scans the keyspace. The `{t:T}` hash tag puts
a thread's seven keys in one Redis Cluster slot, so every script stays single-slot; the run
key lives elsewhere and is written in its own step, *before* the checkpoint (an index that
may name a thread too many, never too few; readers tolerate the extra entries).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit, urlunsplit

import ormsgpack
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from core.errors import Unavailable
from core.metrics import REDIS_ERRORS
from graphs.checkpoint.lua import (
    DROP_CHECKPOINTS_LUA,
    GET_TUPLE_LUA,
    PUT_CHECKPOINT_LUA,
    PUT_WRITES_LUA,
    LuaScript,
)

__all__ = [
    "DROP_CHECKPOINTS_LUA",
    "GET_TUPLE_LUA",
    "PUT_CHECKPOINT_LUA",
    "PUT_WRITES_LUA",
    "BaseRedisSaver",
    "CheckpointStoreUnavailable",
    "Command",
    "LuaScript",
    "PutCall",
    "ThreadKeys",
    "escape",
    "mask_url",
    "unescape",
]

Command = tuple[Any, ...]


class CheckpointStoreUnavailable(Unavailable):
    """Redis could not be reached or refused a checkpoint operation; nothing was half-written."""


def mask_url(url: str) -> str:
    """The URL with its password replaced by '***', safe for logs and error messages."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        netloc = f"{user}:***@{netloc.rsplit('@', 1)[1]}"
    query = "&".join(
        "password=***" if item.lower().startswith("password=") else item
        for item in parts.query.split("&")
        if item
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def escape(part: str) -> str:
    """Make a key part free of ':' and newlines, injectively, so ids can never collide."""
    if "%" in part or ":" in part or "\n" in part:
        return part.replace("%", "%25").replace(":", "%3A").replace("\n", "%0A")
    return part


def unescape(part: str) -> str:
    return unquote(part) if "%" in part else part


@dataclass(frozen=True, slots=True)
class ThreadKeys:
    """The seven keys of one thread; `all` is the KEYS order the Lua scripts expect."""

    etid: str
    idx: str
    cp: str
    cv: str
    blob: str
    w: str
    wi: str
    runs: str

    @classmethod
    def of(cls, root: str, etid: str) -> ThreadKeys:
        # "{t:T}" is the cluster hash tag; the "t:" keeps it non-empty for thread id "" (an
        # empty tag would hash each whole key, scattering the thread over slots).
        base = f"{root}:{{t:{etid}}}:"
        return cls(etid, *(base + s for s in ("idx", "cp", "cv", "blob", "w", "wi", "runs")))

    @property
    def all(self) -> tuple[str, str, str, str, str, str, str]:
        return (self.idx, self.cp, self.cv, self.blob, self.w, self.wi, self.runs)


@dataclass(frozen=True, slots=True)
class PutCall:
    """One checkpoint write: run-index commands to send first (maybe none), then the script."""

    keys: tuple[str, ...]
    args: list[Any]
    config: RunnableConfig
    index: list[Command]
    indexed: tuple[str, str] | None  # (run, thread) to remember once `index` was written


def _tagged(typed: tuple[str, bytes]) -> bytes:
    return typed[0].encode() + b"\0" + typed[1]


def _untagged(value: bytes) -> tuple[str, bytes]:
    type_, _, data = value.partition(b"\0")
    return type_.decode(), data


class BaseRedisSaver(BaseCheckpointSaver[str]):
    """Shared state and pure helpers; the subclasses add the Redis I/O."""

    def __init__(
        self,
        *,
        key_prefix: str = "sb",
        ttl_seconds: float | None = None,
        url_for_errors: str = "redis",
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.key_prefix = key_prefix
        self.root = f"{key_prefix}:cp"
        self.ttl_ms = int(ttl_seconds * 1000) if ttl_seconds else 0
        self.masked_url = mask_url(url_for_errors)
        # (run, thread) pairs whose run-index entry this process wrote, and when: the entry is
        # written once per pair (re-written every quarter TTL so the run key outlives the run).
        self._indexed: dict[tuple[str, str], float] = {}

    # --- keys and versions ---------------------------------------------------------------

    def thread_keys(self, thread_id: Any) -> ThreadKeys:
        return ThreadKeys.of(self.root, escape(str(thread_id)))

    def run_key(self, erun: str) -> str:
        return f"{self.root}:r:{erun}"

    def run_index_commands(self, erun: str, etid: str) -> list[Command]:
        """ZADD the thread to the run's index unless this process did so recently."""
        seen = self._indexed.get((erun, etid))
        if seen is not None and (not self.ttl_ms or time.monotonic() - seen < self.ttl_ms / 4000):
            return []
        key = self.run_key(erun)
        return [("ZADD", key, 0, etid), *self.expire_commands([key])]

    def remember_indexed(self, pair: tuple[str, str] | None) -> None:
        if pair is not None:
            if len(self._indexed) >= 4096:
                self._indexed.clear()
            self._indexed[pair] = time.monotonic()

    def forget_indexed(self, *, erun: str | None = None, etid: str | None = None) -> None:
        """After a delete the pair must be indexed again if its run writes once more."""
        self._indexed = {k: v for k, v in self._indexed.items() if k[0] != erun and k[1] != etid}

    def get_next_version(self, current: str | None, channel: None = None) -> str:
        """Unique per write ("{int:032}.{random:016}"), so a fork never overwrites a blob."""
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(current.split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"

    def _unavailable(self, error: BaseException) -> CheckpointStoreUnavailable:
        REDIS_ERRORS.labels("checkpoint").inc()
        return CheckpointStoreUnavailable(
            f"checkpoint store at {self.masked_url} failed: {type(error).__name__}: {error}",
            url=self.masked_url,
        )

    def expire_commands(self, keys: Iterable[str]) -> list[Command]:
        return [("PEXPIRE", k, self.ttl_ms) for k in keys] if self.ttl_ms else []

    # --- writes -------------------------------------------------------------------------

    def _put_call(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> PutCall:
        """PUT_CHECKPOINT_LUA keys and args storing a checkpoint, the config naming it, and the
        run-index write that must precede it."""
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf.get("checkpoint_ns", "")
        keys, ens = self.thread_keys(thread_id), escape(ns)
        member = f"{ens}:{escape(checkpoint['id'])}"
        saved = checkpoint.copy()
        values: dict[str, Any] = saved.pop("channel_values")  # type: ignore[misc]
        dumps = self.serde.dumps_typed
        md = get_serializable_checkpoint_metadata(config, metadata)
        manifest = "\n".join(
            f"{escape(ch)}:{escape(str(ver))}" for ch, ver in saved["channel_versions"].items()
        )
        record = ormsgpack.packb([*dumps(saved), *dumps(md), conf.get("checkpoint_id")])
        run_member, index, indexed = "", [], None
        if run_id := md.get("run_id"):
            erun = escape(str(run_id))
            run_member = f"{erun}:{member}"
            index = self.run_index_commands(erun, keys.etid)
            indexed = (erun, keys.etid) if index else None
        args: list[Any] = [self.ttl_ms, member, record, manifest, run_member]
        for ch, ver in new_versions.items():
            if ch in values:
                args += (f"{ens}:{escape(ch)}:{escape(str(ver))}", _tagged(dumps(values[ch])))
        next_config: RunnableConfig = {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint["id"],
            }
        }
        return PutCall(keys.all, args, next_config, index, indexed)

    def _put_writes_call(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> tuple[tuple[str, ...], list[Any]]:
        """PUT_WRITES_LUA keys and args: one field per (task_id, idx), never read-modify-write."""
        conf = config["configurable"]
        keys = self.thread_keys(conf["thread_id"])
        prefix = f"{escape(conf.get('checkpoint_ns', ''))}:{escape(conf['checkpoint_id'])}:"
        prefix += f"{escape(task_id)}:"
        # Like Postgres: special channels (error, interrupt, ...) overwrite, others insert once.
        upsert = all(ch in WRITES_IDX_MAP for ch, _ in writes)
        args: list[Any] = [self.ttl_ms, int(upsert)]
        for i, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, i)
            packed = [task_path, task_id, idx, channel, *self.serde.dumps_typed(value)]
            args += (f"{prefix}{idx}", ormsgpack.packb(packed))
        return keys.all, args

    # --- reads --------------------------------------------------------------------------

    def _get_call(
        self, thread_id: Any, ns: str, checkpoint_id: str | None
    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        keys = self.thread_keys(thread_id)
        return keys.all, (escape(ns), escape(checkpoint_id) if checkpoint_id else "", self.ttl_ms)

    def _tuple_from_reply(self, thread_id: Any, ns: str, reply: Any) -> CheckpointTuple | None:
        """Build a CheckpointTuple from GET_TUPLE_LUA's reply (None when not found)."""
        if not reply:
            return None
        _, record, manifest, blob_values, write_values = reply
        cp_type, cp_bytes, md_type, md_bytes, parent_id = ormsgpack.unpackb(record)
        loads = self.serde.loads_typed
        checkpoint = cast(Checkpoint, loads((cp_type, cp_bytes)))
        values: dict[str, Any] = {}
        entries = manifest.split(b"\n") if manifest else []
        for entry, blob in zip(entries, blob_values, strict=False):
            if blob is not None:
                values[unescape(entry.split(b":", 1)[0].decode())] = loads(_untagged(blob))
        checkpoint["channel_values"] = values
        decoded = sorted(ormsgpack.unpackb(w) for w in write_values if w is not None)
        pending: list[PendingWrite] = [
            (task_id, channel, loads((type_, data)))
            for _, task_id, _, channel, type_, data in decoded
        ]
        config: RunnableConfig = {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint["id"],
            }
        }
        parent: RunnableConfig | None = None
        if parent_id:
            parent = {
                "configurable": {
                    "thread_id": thread_id,
                    "checkpoint_ns": ns,
                    "checkpoint_id": parent_id,
                }
            }
        metadata = cast(CheckpointMetadata, loads((md_type, md_bytes)))
        return CheckpointTuple(config, checkpoint, metadata, parent, pending)
