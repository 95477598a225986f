"""Key escaping: thread ids and namespaces with ':' (or anything else) can never collide."""

from __future__ import annotations

import itertools
import re
from typing import Any

from redis import Redis
from redis.crc import key_slot

from graphs.checkpoint import AsyncRedisSaver
from graphs.checkpoint.base import BaseRedisSaver, escape, unescape

ODD = ["a", "a:b", "b:c", "c", "", ":", "::", "%3A", "a%3Ab", "x\ny", "{t}", "ünï", " ", "r", "t"]


def test_escape_is_injective_and_separator_free() -> None:
    escaped = {escape(s) for s in ODD}
    assert len(escaped) == len(ODD)
    for s in ODD:
        assert ":" not in escape(s) and "\n" not in escape(s)
        assert unescape(escape(s)) == s


def _checkpoint(n: int, value: str) -> dict[str, Any]:
    return {
        "v": 1,
        "id": f"1f0a0000-0000-6000-8000-{n:012d}",
        "ts": "2026-01-01T00:00:00+00:00",
        "channel_values": {"owner": value},
        "channel_versions": {"owner": "1"},
        "versions_seen": {},
        "updated_channels": None,
    }


async def test_thread_and_namespace_pairs_never_collide(
    saver: AsyncRedisSaver, redis_client: Redis, prefix: str
) -> None:
    pairs = [("a", "b:c"), ("a:b", "c"), *itertools.product(["x", "x:y", "%3A", "x\ny"], ODD)]
    for n, (thread, ns) in enumerate(pairs):
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
        stored = await saver.aput(
            config, _checkpoint(n, f"{thread}|{ns}"), {"step": n}, {"owner": "1"}
        )
        await saver.aput_writes(stored, [("w", f"{thread}|{ns}")], "task")

    for n, (thread, ns) in enumerate(pairs):
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
        tup = await saver.aget_tuple(config)
        assert tup is not None
        assert tup.checkpoint["channel_values"] == {"owner": f"{thread}|{ns}"}
        assert tup.pending_writes == [("task", "w", f"{thread}|{ns}")]
        assert tup.config["configurable"] == {
            **config["configurable"],
            "checkpoint_id": tup.checkpoint["id"],
        }
        listed = [t async for t in saver.alist(config)]
        assert [t.metadata["step"] for t in listed] == [n]

    await saver.adelete_thread("a")
    assert (
        await saver.aget_tuple({"configurable": {"thread_id": "a", "checkpoint_ns": "b:c"}}) is None
    )
    kept = await saver.aget_tuple({"configurable": {"thread_id": "a:b", "checkpoint_ns": "c"}})
    assert kept is not None and kept.checkpoint["channel_values"] == {"owner": "a:b|c"}

    # Every key has the documented shape P:cp:{t:T}:suffix, T free of ':'.
    shape = re.compile(rf"^{prefix}:cp:\{{t:[^:]*\}}:(idx|cp|cv|blob|w|wi|runs)$")
    for key in redis_client.scan_iter(match=f"{prefix}:*"):
        assert shape.match(key.decode()), key


def test_a_threads_keys_share_one_cluster_slot() -> None:
    """The hash tag keeps every script single-slot, also for "" and ids with braces."""
    saver = BaseRedisSaver(key_prefix="sb")
    slots = set()
    for thread in [*ODD, "{", "}", "a}b", "{x}y", "x" * 300]:
        keys = saver.thread_keys(thread).all
        assert len({key_slot(k.encode()) for k in keys}) == 1, (thread, keys)
        slots.add(key_slot(keys[0].encode()))
    assert len(slots) > 10  # threads still spread over the cluster
