"""TTL: an active thread never loses a channel (reads and writes refresh every key of the
thread); an idle thread expires completely."""

from __future__ import annotations

import asyncio
import operator
import time
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph

from core.redis_clients import SyncClient
from graphs.checkpoint import AsyncRedisSaver
from tests.checkpoint.conftest import ON_BOTH, Store

# Long enough that a loaded box does not expire a key between the first run's last write and the
# scan after it (at 2 s one key of six was gone once, in a suite run at load ~5 on 2 cores).
TTL = 3.0


class S(TypedDict, total=False):
    early: str  # written once, by the first input, never again
    setup: str  # written once, by a node, in the first run only
    count: Annotated[int, operator.add]
    trail: Annotated[list[int], operator.add]


def _app(saver: AsyncRedisSaver) -> Any:
    def first(state: S) -> dict[str, Any]:
        update: dict[str, Any] = {"trail": [state.get("count", 0)]}
        if "setup" not in state:
            update["setup"] = "configured"
        return update

    builder = StateGraph(S)
    builder.add_node("first", first)
    builder.add_node("second", lambda s: {"trail": [-1]})
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    return builder.compile(checkpointer=saver)


def _thread_keys(client: SyncClient, prefix: str, thread: str) -> list[bytes]:
    return list(client.scan_iter(match=f"{prefix}:cp:{{t:{thread}}}:*"))


@ON_BOTH
async def test_active_thread_keeps_everything_idle_thread_expires(
    prefix: str, store: Store, store_client: SyncClient
) -> None:
    async with AsyncRedisSaver.from_url(
        store.url, key_prefix=prefix, ttl_seconds=TTL, cluster=store.cluster
    ) as saver:
        app = _app(saver)
        config = {"configurable": {"thread_id": "ttl"}}
        await app.ainvoke({"early": "kept", "count": 1}, config)
        runs = 1
        keys = _thread_keys(store_client, prefix, "ttl")
        assert len(keys) == 6, keys  # idx cp cv blob w wi (no run ids in this graph)
        assert all(0 < store_client.pttl(k) <= TTL * 1000 for k in keys)

        # Writes every 0.6 s for 2 x TTL: "early" and "setup" are never written again.
        started = time.monotonic()
        while time.monotonic() - started < 2 * TTL:
            await asyncio.sleep(0.6)
            await app.ainvoke({"count": 1}, config)
            runs += 1
        # Then reads only, for another 1.25 x TTL: reading refreshes too.
        started = time.monotonic()
        while time.monotonic() - started < 1.25 * TTL:
            await asyncio.sleep(0.6)
            assert (await app.aget_state(config)).values["early"] == "kept"

        state = await app.aget_state(config)
        assert state.values["early"] == "kept"
        assert state.values["setup"] == "configured"
        assert state.values["count"] == runs
        assert len(state.values["trail"]) == 2 * runs
        history = [s async for s in app.aget_state_history(config)]
        assert len(history) == 4 * runs  # input, start, first, second per run: none expired

        # Idle for longer than the TTL: the whole thread is gone, nothing left behind.
        await asyncio.sleep(TTL + 0.5)
        assert _thread_keys(store_client, prefix, "ttl") == []
        assert await saver.aget_tuple(config) is None
