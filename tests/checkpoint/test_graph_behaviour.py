"""Whole-graph behaviour on the Redis saver: forks, pending-write order, subgraph history."""

from __future__ import annotations

import operator
import re
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.base import writes_sort_key
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.types import ERROR, INTERRUPT
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from graphs.checkpoint import AsyncRedisSaver
from tests.checkpoint.conftest import ON_BOTH
from tests.checkpoint.sample_graphs import fanout_builder, linear_builder

VERSION = re.compile(r"^\d{32}\.\d+(\.\d+)?(e-\d+)?$")


def cfg(thread_id: str, **extra: Any) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, **extra}}


async def test_versions_are_unique_strings(saver: AsyncRedisSaver) -> None:
    first = saver.get_next_version(None)
    assert VERSION.match(first)
    assert int(first.split(".")[0]) == 1
    assert int(saver.get_next_version(first).split(".")[0]) == 2
    assert len({saver.get_next_version(first) for _ in range(1000)}) == 1000


@ON_BOTH
async def test_fork_from_old_checkpoint_keeps_original_branch(saver: AsyncRedisSaver) -> None:
    app = linear_builder(4).compile(checkpointer=saver)
    config = cfg("fork")
    await app.ainvoke({"count": 0, "trail": []}, config)
    history = [s async for s in app.aget_state_history(config)]
    original = {s.config["configurable"]["checkpoint_id"]: s.values for s in history}
    assert history[0].values == {"count": 4, "trail": ["n0", "n1", "n2", "n3"]}

    past = next(s for s in history if s.values.get("count") == 2)
    fork = await app.aupdate_state(past.config, {"count": 100, "trail": ["forked"]})
    forked = await app.ainvoke(None, fork)
    assert forked == {"count": 102, "trail": ["n0", "n1", "forked", "n2", "n3"]}

    # Every checkpoint of the original branch still reads back exactly as before the fork.
    for checkpoint_id, values in original.items():
        snapshot = await app.aget_state(cfg("fork", checkpoint_id=checkpoint_id))
        assert snapshot.values == values
    latest = await saver.aget_tuple(config)
    assert latest is not None
    assert all(VERSION.match(str(v)) for v in latest.checkpoint["channel_versions"].values())


async def test_pending_writes_sorted_by_task_path_task_id_idx(saver: AsyncRedisSaver) -> None:
    stored = await saver.aput(
        cfg("order", checkpoint_ns=""),
        {
            "v": 1,
            "id": "1f0a0000-0000-6000-8000-000000000001",
            "ts": "2026-01-01T00:00:00+00:00",
            "channel_values": {},
            "channel_versions": {},
            "versions_seen": {},
            "updated_channels": None,
        },
        {"source": "loop", "step": 1, "parents": {}},
        {},
    )
    calls = [
        ("~p:2", "t-b", [("x", 1), ("y", 2)]),
        ("~p:10", "t-a", [("x", 3)]),
        ("", "t-z", [("x", 4)]),
        ("~p:2", "t-0", [("x", 5), (ERROR, "boom")]),
        ("~p:1", "t-c", [(INTERRUPT, "why"), ("x", 6)]),
    ]
    expected = []
    for path, task_id, writes in calls:
        await saver.aput_writes(stored, writes, task_id, path)
        for i, (channel, value) in enumerate(writes):
            idx = {ERROR: -1, INTERRUPT: -3}.get(channel, i)
            expected.append((writes_sort_key(path, task_id, idx), (task_id, channel, value)))
    tup = await saver.aget_tuple(stored)
    assert tup is not None
    assert tup.pending_writes == [w for _, w in sorted(expected)]


async def test_fan_out_of_8_reloads_in_live_order(saver: AsyncRedisSaver) -> None:
    live = fanout_builder(8, gated=False).compile(checkpointer=InMemorySaver())
    live_result = await live.ainvoke({"items": []}, cfg("live"))

    app = fanout_builder(8, gated=True).compile(checkpointer=saver)
    paused = await app.ainvoke({"items": []}, cfg("fan"))
    assert "__interrupt__" in paused
    # The 8 workers finished; their writes wait as pending writes of the checkpoint.
    tup = await saver.aget_tuple(cfg("fan"))
    assert tup is not None
    items = [w for w in tup.pending_writes or [] if w[1] == "items"]
    assert len(items) == 8
    resumed = await app.ainvoke(Command(resume="open"), cfg("fan"))
    assert resumed["items"] == live_result["items"]
    assert len(resumed["items"]) == 16


class Inner(TypedDict, total=False):
    inner: Annotated[list[str], operator.add]


class Outer(Inner, total=False):
    log: Annotated[list[str], operator.add]


def _subgraph_app(saver: AsyncRedisSaver) -> Any:
    inner = StateGraph(Inner)
    inner.add_node("i1", lambda s: {"inner": ["i1"]})
    inner.add_node("i2", lambda s: {"inner": ["i2"]})
    inner.add_edge(START, "i1")
    inner.add_edge("i1", "i2")
    inner.add_edge("i2", END)
    outer = StateGraph(Outer)
    outer.add_node("o1", lambda s: {"log": ["o1"]})
    outer.add_node("sub", inner.compile(checkpointer=True))
    outer.add_node("o2", lambda s: {"log": ["o2"]})
    outer.add_edge(START, "o1")
    outer.add_edge("o1", "sub")
    outer.add_edge("sub", "o2")
    outer.add_edge("o2", END)
    return outer.compile(checkpointer=saver)


async def test_parent_history_excludes_subgraph_checkpoints(saver: AsyncRedisSaver) -> None:
    app = _subgraph_app(saver)
    result = await app.ainvoke({"log": []}, cfg("nested"))
    assert result == {"log": ["o1", "o2"], "inner": ["i1", "i2"]}

    root = [t async for t in saver.alist(cfg("nested", checkpoint_ns=""))]
    sub = [t async for t in saver.alist(cfg("nested", checkpoint_ns="sub"))]
    everything = [t async for t in saver.alist(cfg("nested"))]
    assert {t.config["configurable"]["checkpoint_ns"] for t in root} == {""}
    assert {t.config["configurable"]["checkpoint_ns"] for t in sub} == {"sub"}
    assert len(root) == 5  # input, o1, sub, o2 and the start checkpoint
    assert len(sub) >= 3
    assert len(everything) == len(root) + len(sub)
    ids = [t.checkpoint["id"] for t in root]
    assert ids == sorted(ids, reverse=True)
    assert [s.config async for s in app.aget_state_history(cfg("nested"))] == [
        t.config for t in root
    ]

    page = [t async for t in saver.alist(cfg("nested", checkpoint_ns=""), limit=2)]
    assert [t.checkpoint["id"] for t in page] == ids[:2]
    before = [
        t
        async for t in saver.alist(cfg("nested", checkpoint_ns=""), before=root[1].config, limit=2)
    ]
    assert [t.checkpoint["id"] for t in before] == ids[2:4]
    one = [t async for t in saver.alist(cfg("nested", checkpoint_ns="sub"), limit=1)]
    assert one[0].checkpoint["id"] == sub[0].checkpoint["id"]
    assert [t async for t in saver.alist(cfg("nested"), filter={"step": -1})]


async def test_huge_fan_out_round_trips(saver: AsyncRedisSaver) -> None:
    """Lua's unpack() limit (~8000 values) is never hit: reads and writes go in chunks."""
    stored = await saver.aput(
        cfg("wide", checkpoint_ns=""),
        {
            "v": 1,
            "id": "1f0a0000-0000-6000-8000-000000000002",
            "ts": "2026-01-01T00:00:00+00:00",
            "channel_values": {f"c{i}": i for i in range(9000)},
            "channel_versions": {f"c{i}": "1" for i in range(9000)},
            "versions_seen": {},
            "updated_channels": None,
        },
        {"step": 0},
        {f"c{i}": "1" for i in range(9000)},
    )
    await saver.aput_writes(stored, [("x", i) for i in range(9000)], "task")
    tup = await saver.aget_tuple(stored)
    assert tup is not None
    assert tup.checkpoint["channel_values"] == {f"c{i}": i for i in range(9000)}
    assert [w[2] for w in tup.pending_writes or []] == list(range(9000))
