"""History listing and whole-thread operations (copy, delete) shared by both savers.

None of this is on the hot path: list() reads a page of the thread's `idx` range at a time,
copy_thread reads a thread in one MULTI and writes the copy in another, delete_thread is one
UNLINK of the thread's keys. Each MULTI stays in one thread's slot (Redis Cluster); run-index
entries (other slots) are separate commands, written before the data and removed after it.
Pure functions; the savers do the I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ormsgpack
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import get_checkpoint_id
from langgraph.checkpoint.serde.base import SerializerProtocol

from graphs.checkpoint.base import BaseRedisSaver, Command, ThreadKeys, escape, unescape

LIST_PAGE_SIZE = 64


def snapshot_commands(keys: ThreadKeys) -> list[Command]:
    """Read a whole thread in one MULTI (a consistent snapshot) for copy_thread."""
    return [
        ("ZRANGE", keys.idx, 0, -1),
        ("HGETALL", keys.cp),
        ("HGETALL", keys.cv),
        ("HGETALL", keys.blob),
        ("HGETALL", keys.w),
        ("ZRANGE", keys.wi, 0, -1),
        ("ZRANGE", keys.runs, 0, -1),
    ]


def copy_commands(
    saver: BaseRedisSaver, source: str, target: str, snapshot: Sequence[Any]
) -> list[Command]:
    """One MULTI (target's slot) replacing `target` with the snapshot of `source` (metadata
    re-pointed to target). Send `copy_index_commands` before it."""
    idx, windex, runs = snapshot[0], snapshot[5], snapshot[6]
    cps, cvs, blobs, writes = (_pairs(snapshot[i]) for i in (1, 2, 3, 4))
    dst = saver.thread_keys(target)
    commands: list[Command] = [("UNLINK", *dst.all)]
    if not idx:
        return commands
    records = {m: rewrite_copied_record(saver.serde, r, source, target) for m, r in cps.items()}
    commands += [
        ("ZADD", dst.idx, *_scored(idx)),
        ("HSET", dst.cp, *_flat(records)),
        ("HSET", dst.cv, *_flat(cvs)),
    ]
    if blobs:
        commands.append(("HSET", dst.blob, *_flat(blobs)))
    if writes:
        commands += [("HSET", dst.w, *_flat(writes)), ("ZADD", dst.wi, *_scored(windex))]
    if runs:
        commands.append(("ZADD", dst.runs, *_scored(runs)))
    return commands + saver.expire_commands(dst.all)


def copy_index_commands(
    saver: BaseRedisSaver, target: str, snapshot: Sequence[Any]
) -> list[Command]:
    """Add `target` to the index of every run the source snapshot names (one key each)."""
    commands: list[Command] = []
    for erun in _runs_of(snapshot[6]):
        commands += [("ZADD", saver.run_key(erun), 0, saver.thread_keys(target).etid)]
        commands += saver.expire_commands([saver.run_key(erun)])
    return commands


def delete_thread_commands(
    saver: BaseRedisSaver, keys: ThreadKeys, runs: Iterable[bytes]
) -> list[Command]:
    """UNLINK the seven keys (one command, one slot: atomic), then the run-index entries.

    Not a MULTI: on a cluster the run keys live in other slots. Data first, index after, so a
    failure in between leaves a stale index entry (tolerated), never an unindexed checkpoint."""
    return [("UNLINK", *keys.all), *(("ZREM", saver.run_key(r), keys.etid) for r in _runs_of(runs))]


def _runs_of(run_members: Iterable[bytes]) -> list[str]:
    """Escaped run ids of a thread's `runs` members "R:N:C"."""
    return sorted({r.split(b":", 1)[0].decode() for r in run_members})


def metadata_matches(
    serde: SerializerProtocol, record: bytes | None, query: dict[str, Any] | None
) -> bool:
    """Whether a checkpoint record's metadata passes a list() filter."""
    if record is None:
        return False
    if not query:
        return True
    _, _, md_type, md_bytes, _ = ormsgpack.unpackb(record)
    return _matches(serde.loads_typed((md_type, md_bytes)), query)


def _matches(metadata: Any, query: Any) -> bool:
    """Metadata filter with Postgres `@>` semantics: nested dicts match as subsets."""
    if isinstance(query, dict):
        return isinstance(metadata, dict) and all(
            k in metadata and _matches(metadata[k], v) for k, v in query.items()
        )
    return bool(metadata == query)


def _pairs(reply: Any) -> dict[Any, Any]:
    """HGETALL as a dict, whether the client already made one or returned a flat list."""
    return (
        dict(reply) if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2], strict=True))
    )


def _flat(mapping: dict[Any, Any]) -> list[Any]:
    return [x for pair in mapping.items() for x in pair]


def _scored(members: Iterable[Any]) -> list[Any]:
    return [x for m in members for x in (0, m)]


def member_of(ns: str, checkpoint_id: str) -> str:
    return f"{escape(ns)}:{escape(checkpoint_id)}"


def parse_member(member: bytes | str) -> tuple[str, str]:
    """Raw (namespace, checkpoint id) of an `idx` member "N:C"."""
    text = member.decode() if isinstance(member, bytes) else member
    ens, _, ecid = text.partition(":")
    return unescape(ens), unescape(ecid)


def list_bounds(ns: str, before_id: str | None) -> tuple[str, str]:
    """ZREVRANGEBYLEX max/min covering namespace `ns`, strictly older than `before_id`."""
    ens = escape(ns)
    upper = f"({ens}:{escape(before_id)}" if before_id else f"({ens};"
    return upper, f"[{ens}:"


def select_members(members: Iterable[bytes], before_id: str | None) -> list[tuple[str, str]]:
    """(namespace, id) of members older than `before_id`, newest first across namespaces."""
    parsed = [parse_member(m) for m in members]
    if before_id:
        parsed = [p for p in parsed if p[1] < before_id]
    return sorted(parsed, key=lambda p: (p[1], p[0]), reverse=True)


def list_target(config: RunnableConfig | None) -> tuple[str | None, str | None, str | None]:
    """(thread_id, namespace, checkpoint_id) a list call is restricted to; None = any."""
    if config is None:
        return None, None, None
    conf = config["configurable"]
    thread_id = conf.get("thread_id")
    return (
        None if thread_id is None else str(thread_id),
        conf.get("checkpoint_ns"),
        get_checkpoint_id(config),
    )


def rewrite_copied_record(
    serde: SerializerProtocol, record: bytes, source: str, target: str
) -> bytes:
    """A checkpoint record for the copy: metadata naming the source thread now names the target."""
    cp_type, cp_bytes, md_type, md_bytes, parent_id = ormsgpack.unpackb(record)
    metadata = serde.loads_typed((md_type, md_bytes))
    if not isinstance(metadata, dict) or metadata.get("thread_id") != source:
        return record
    metadata["thread_id"] = target
    return ormsgpack.packb([cp_type, cp_bytes, *serde.dumps_typed(metadata), parent_id])
