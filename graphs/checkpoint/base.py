"""What the sync and async Redis savers share: key layout, Lua, (de)serialisation.

Everything here is I/O free. A hot-path call (put, put_writes, get_tuple) becomes exactly one
Lua call (atomic, one command, one reply); whole-thread operations become one MULTI/EXEC or a
pipeline. Replies are turned back into LangGraph types here, so `aio.py` and `sync.py` only
differ in how they talk to Redis.

Key layout (P = key prefix, T/N/C/R = escaped thread id, namespace, checkpoint id, run id):

    P:cp:t:T:idx   zset  "N:C" (score 0, lex order = namespace, then checkpoint id)
    P:cp:t:T:cp    hash  "N:C" -> msgpack [cp type, cp bytes, md type, md bytes, parent id]
    P:cp:t:T:cv    hash  "N:C" -> blob manifest, "channel:version" lines (read by Lua)
    P:cp:t:T:blob  hash  "N:channel:version" -> serde type + NUL + bytes
    P:cp:t:T:w     hash  "N:C:task:idx" -> msgpack [task_path, task_id, idx, channel, type, bytes]
    P:cp:t:T:wi    zset  "N:C:task:idx" (index of `w`, so one checkpoint's writes are a range)
    P:cp:t:T:runs  zset  "R:N:C" (checkpoints written by each run of this thread)
    P:cp:r:R       zset  "T" (threads a run wrote to; the entry point of delete_for_runs)

A thread lives in seven keys whatever its length (plus one small key per run), so a TTL
refresh is seven PEXPIREs and no operation ever scans the keyspace.
"""

from __future__ import annotations

import hashlib
import random
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
class LuaScript:
    """A script and its SHA1, so callers can EVALSHA and fall back to EVAL on NOSCRIPT."""

    text: str
    sha: str

    @classmethod
    def of(cls, text: str) -> LuaScript:
        return cls(text, hashlib.sha1(text.encode()).hexdigest())


# KEYS: the seven thread keys (ThreadKeys.all). ARGV: namespace, checkpoint id or "" for the
# latest, TTL in ms (0 = none). One round trip: find, read blobs and writes, refresh TTL.
# No "#!lua" line: its PEXPIREs must not make reads fail while Redis is out of memory.
GET_TUPLE_LUA = LuaScript.of("""
local ns, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function hmget(key, fields)  -- in chunks: unpack() has a limit of ~8000 values
  local out = {}
  for i = 1, #fields, 1000 do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + 999, #fields)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end
if id == '' then
  local last = redis.call('ZREVRANGEBYLEX', KEYS[1], '(' .. ns .. ';', '[' .. ns .. ':',
                          'LIMIT', 0, 1)
  if #last == 0 then return false end
  id = string.sub(last[1], #ns + 2)
end
local member = ns .. ':' .. id
local rec = redis.call('HGET', KEYS[2], member)
if not rec then return false end
local manifest = redis.call('HGET', KEYS[3], member) or ''
local fields = {}
for entry in string.gmatch(manifest, '[^\\n]+') do fields[#fields + 1] = ns .. ':' .. entry end
local blobs = hmget(KEYS[4], fields)
local writes = hmget(KEYS[5], redis.call('ZRANGEBYLEX', KEYS[6], '[' .. member .. ':',
                                         '(' .. member .. ';'))
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {id, rec, manifest, blobs, writes}
""")

# The write scripts start with "#!lua" so that Redis 7 refuses them *before* they run when it
# is out of memory (scripts without it are checked per write, which could leave half a write).
# KEYS: the seven thread keys, plus the run key when the checkpoint has a run id. ARGV: TTL ms,
# member "N:C", record, manifest, run member "R:N:C", escaped thread id, then blob field/values.
PUT_CHECKPOINT_LUA = LuaScript.of("""#!lua
local ttl, member = tonumber(ARGV[1]), ARGV[2]
for i = 7, #ARGV, 2 do redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], member, ARGV[3])
redis.call('HSET', KEYS[3], member, ARGV[4])
redis.call('ZADD', KEYS[1], 0, member)
if #KEYS == 8 then
  redis.call('ZADD', KEYS[7], 0, ARGV[5])
  redis.call('ZADD', KEYS[8], 0, ARGV[6])
end
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
""")

# KEYS: the seven thread keys. ARGV: TTL ms, 1 to overwrite (special channels) or 0 to keep
# what is there (idempotent retries), then write field/value pairs.
PUT_WRITES_LUA = LuaScript.of("""#!lua
local ttl, op = tonumber(ARGV[1]), (ARGV[2] == '1') and 'HSET' or 'HSETNX'
local index = {}
for i = 3, #ARGV, 2 do
  redis.call(op, KEYS[5], ARGV[i], ARGV[i + 1])
  index[#index + 1] = 0
  index[#index + 1] = ARGV[i]
end
for i = 1, #index, 1000 do
  redis.call('ZADD', KEYS[6], unpack(index, i, math.min(i + 999, #index)))
end
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
""")

# KEYS: the seven thread keys. ARGV[1] = 'keep_latest' (drop all but the newest checkpoint of
# each namespace) or 'run' with ARGV[2] = escaped run id (drop that run's checkpoints).
# Drops the checkpoints, their writes and run entries, then every blob no manifest references.
# Atomic, so a concurrent put (itself one atomic script) never loses a blob it references.
DROP_CHECKPOINTS_LUA = LuaScript.of("""
local function each_chunk(list, fn)
  for i = 1, #list, 500 do fn(unpack(list, i, math.min(i + 499, #list))) end
end
local drop, dropped = {}, {}
if ARGV[1] == 'keep_latest' then
  local latest = {}
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local ns = string.match(m, '^([^:]*):')
    if latest[ns] then drop[#drop + 1] = latest[ns] end
    latest[ns] = m
  end
else
  local prefix = ARGV[2] .. ':'
  for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[7], '[' .. prefix, '(' .. ARGV[2] .. ';')) do
    drop[#drop + 1] = string.sub(m, #prefix + 1)
  end
end
if #drop == 0 then return 0 end
for _, m in ipairs(drop) do dropped[m] = true end
each_chunk(drop, function(...) redis.call('ZREM', KEYS[1], ...) end)
each_chunk(drop, function(...) redis.call('HDEL', KEYS[2], ...) end)
each_chunk(drop, function(...) redis.call('HDEL', KEYS[3], ...) end)
local dead = {}
for _, f in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  if dropped[string.match(f, '^([^:]*:[^:]*):')] then dead[#dead + 1] = f end
end
each_chunk(dead, function(...) redis.call('ZREM', KEYS[6], ...) end)
each_chunk(dead, function(...) redis.call('HDEL', KEYS[5], ...) end)
dead = {}
for _, r in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
  if dropped[string.match(r, '^[^:]*:(.*)$')] then dead[#dead + 1] = r end
end
each_chunk(dead, function(...) redis.call('ZREM', KEYS[7], ...) end)
local referenced = {}
local manifests = redis.call('HGETALL', KEYS[3])
for i = 1, #manifests, 2 do
  local ns = string.match(manifests[i], '^([^:]*):')
  for entry in string.gmatch(manifests[i + 1], '[^\\n]+') do
    referenced[ns .. ':' .. entry] = true
  end
end
dead = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[4])) do
  if not referenced[f] then dead[#dead + 1] = f end
end
each_chunk(dead, function(...) redis.call('HDEL', KEYS[4], ...) end)
return #drop
""")


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
        base = f"{root}:t:{etid}:"
        return cls(etid, *(base + s for s in ("idx", "cp", "cv", "blob", "w", "wi", "runs")))

    @property
    def all(self) -> tuple[str, str, str, str, str, str, str]:
        return (self.idx, self.cp, self.cv, self.blob, self.w, self.wi, self.runs)


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

    # --- keys and versions ---------------------------------------------------------------

    def thread_keys(self, thread_id: Any) -> ThreadKeys:
        return ThreadKeys.of(self.root, escape(str(thread_id)))

    def run_key(self, erun: str) -> str:
        return f"{self.root}:r:{erun}"

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
    ) -> tuple[tuple[str, ...], list[Any], RunnableConfig]:
        """PUT_CHECKPOINT_LUA keys and args storing a checkpoint, and the config naming it."""
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
        all_keys: tuple[str, ...] = keys.all
        run_member = ""
        if run_id := md.get("run_id"):
            erun = escape(str(run_id))
            all_keys += (self.run_key(erun),)
            run_member = f"{erun}:{member}"
        args: list[Any] = [self.ttl_ms, member, record, manifest, run_member, keys.etid]
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
        return all_keys, args, next_config

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
