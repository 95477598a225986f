"""The factory as langgraph-api and the API lifespan call it, and the sync entry points."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.types import Command
from redis import Redis

from core.settings import Settings, get_settings
from graphs.checkpoint import AsyncRedisSaver, RedisSaver, redis_checkpointer
from tests.checkpoint.conftest import REDIS_URL
from tests.checkpoint.sample_graphs import approval_builder, linear_builder


async def test_factory_with_no_arguments_reads_settings(
    monkeypatch: pytest.MonkeyPatch, prefix: str, redis_client: Redis
) -> None:
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("REDIS_KEY_PREFIX", prefix)
    monkeypatch.setenv("CHECKPOINT_TTL_SECONDS", "120")
    get_settings.cache_clear()
    try:
        manager = redis_checkpointer()  # exactly how langgraph-api calls it
        assert hasattr(manager, "__aenter__") and hasattr(manager, "__aexit__")
        async with manager as saver:
            assert isinstance(saver, AsyncRedisSaver)
            assert (saver.key_prefix, saver.ttl_ms) == (prefix, 120_000)
            app = approval_builder().compile(checkpointer=saver)
            config = {"configurable": {"thread_id": "factory"}}
            await app.ainvoke({"name": "x"}, config)
            done = await app.ainvoke(Command(resume="ok"), config)
            assert done["steps"] == ["prepare", "ask", "finish"]
        keys = list(redis_client.scan_iter(match=f"{prefix}:cp:{{t:factory}}:*"))
        assert keys and all(0 < redis_client.ttl(k) <= 120 for k in keys)
    finally:
        get_settings.cache_clear()


async def test_factory_with_explicit_settings(prefix: str) -> None:
    settings = Settings(redis_url=REDIS_URL, redis_key_prefix=prefix)
    async with redis_checkpointer(settings) as saver:
        assert saver.key_prefix == prefix and saver.ttl_ms == 0


async def test_async_saver_serves_sync_invoke_from_a_worker_thread(saver: AsyncRedisSaver) -> None:
    app = linear_builder(3).compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "bridge"}}
    result = await asyncio.to_thread(app.invoke, {"count": 0}, config)
    assert result == {"count": 3, "trail": ["n0", "n1", "n2"]}
    assert len(list(await asyncio.to_thread(lambda: list(app.get_state_history(config))))) == 5
    with pytest.raises(asyncio.InvalidStateError):
        saver.get_tuple(config)  # from the loop's own thread this would deadlock


def test_sync_saver_runs_a_graph(sync_saver: RedisSaver) -> None:
    app = approval_builder().compile(checkpointer=sync_saver)
    config = {"configurable": {"thread_id": "sync"}}
    assert app.invoke({"name": "s"}, config)["__interrupt__"]
    assert app.invoke(Command(resume="yes"), config)["answer"] == "yes"
    history = list(app.get_state_history(config))
    assert [s.values.get("steps") for s in history[:2]] == [
        ["prepare", "ask", "finish"],
        ["prepare", "ask"],
    ]
    sync_saver.prune(["sync"], strategy="keep_latest")
    assert len(list(sync_saver.list(config))) == 1
    sync_saver.delete_thread("sync")
    assert sync_saver.get_tuple(config) is None
