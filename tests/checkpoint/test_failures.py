"""Redis down at startup or mid-run: one typed error, password masked, no partial checkpoint."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from core.errors import Unavailable
from core.settings import Settings
from graphs.checkpoint import (
    AsyncRedisSaver,
    CheckpointStoreUnavailable,
    RedisSaver,
    mask_url,
    redis_checkpointer,
)
from graphs.checkpoint.base import PUT_CHECKPOINT_LUA
from tests.checkpoint.conftest import REDIS_URL

DEAD_URL = "redis://app:s3cret-pw@127.0.0.1:1/0"


def test_mask_url_hides_passwords() -> None:
    assert mask_url(DEAD_URL) == "redis://app:***@127.0.0.1:1/0"
    assert mask_url("redis://:pw@h:6379") == "redis://:***@h:6379"
    assert mask_url("rediss://h:6379/2?password=x&ssl=1") == "rediss://h:6379/2?password=***&ssl=1"
    assert mask_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def _assert_clear(error: CheckpointStoreUnavailable) -> None:
    assert isinstance(error, Unavailable)
    assert error.status == 503
    text = str(error)
    assert "s3cret-pw" not in text and "redis://app:***@127.0.0.1:1/0" in text
    assert error.details["url"] == "redis://app:***@127.0.0.1:1/0"


async def test_unreachable_at_startup_async_and_factory() -> None:
    started = time.monotonic()
    with pytest.raises(CheckpointStoreUnavailable) as caught:
        async with AsyncRedisSaver.from_url(DEAD_URL):
            pass
    _assert_clear(caught.value)
    with pytest.raises(CheckpointStoreUnavailable) as caught:
        async with redis_checkpointer(Settings(redis_url=DEAD_URL)):
            pass
    _assert_clear(caught.value)
    assert time.monotonic() - started < 10


def test_unreachable_at_startup_sync() -> None:
    with pytest.raises(CheckpointStoreUnavailable) as caught, RedisSaver.from_url(DEAD_URL):
        pass
    _assert_clear(caught.value)


class FlakyConnection(Connection):
    """Sends half of a matching request, then drops the socket (a crash mid-transaction)."""

    fail_when: Callable[[bytes], bool] | None = None

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        payload = command if isinstance(command, bytes) else b"".join(command)
        rule = type(self).fail_when
        if rule is not None and rule(payload):
            if not self.is_connected:
                await self.connect()
            assert self._writer is not None
            self._writer.write(payload[: len(payload) // 2])
            await self._writer.drain()
            await self.disconnect()
            raise RedisConnectionError("injected: connection lost halfway through a request")
        await super().send_packed_command(command, check_health)


class S(TypedDict, total=False):
    trail: Annotated[list[str], operator.add]
    big: str


def _app(saver: AsyncRedisSaver) -> Any:
    def a(state: S) -> dict[str, Any]:
        return {"trail": ["a"], "big": "x" * 50_000}

    def b(state: S) -> dict[str, Any]:
        # Arm the fault: the next request that stores a checkpoint dies halfway through.
        FlakyConnection.fail_when = lambda p: PUT_CHECKPOINT_LUA.sha.encode() in p
        return {"trail": ["b"], "big": "y" * 50_000}

    builder = StateGraph(S)
    for name, fn in (("a", a), ("b", b), ("c", lambda s: {"trail": ["c"]})):
        builder.add_node(name, fn)
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    builder.add_edge("c", END)
    return builder.compile(checkpointer=saver)


def _assert_consistent(client: SyncRedis, prefix: str, thread: str) -> list[bytes]:
    base = f"{prefix}:cp:{{t:{thread}}}:"
    members = client.zrange(base + "idx", 0, -1)
    assert set(client.hkeys(base + "cp")) == set(members)
    manifests = client.hgetall(base + "cv")
    assert set(manifests) == set(members)
    referenced = {
        m.split(b":", 1)[0] + b":" + entry
        for m, man in manifests.items()
        for entry in man.split(b"\n")
        if entry
    }
    assert set(client.hkeys(base + "blob")) <= referenced, "orphan blobs from a partial write"
    return members


@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_redis_failing_mid_run(prefix: str, redis_client: SyncRedis, durability: str) -> None:
    client = Redis.from_url(
        REDIS_URL, connection_class=FlakyConnection, retry=Retry(NoBackoff(), 2)
    )
    saver = AsyncRedisSaver(client, key_prefix=prefix)
    config = {"configurable": {"thread_id": f"flaky-{durability}"}}
    try:
        with pytest.raises(CheckpointStoreUnavailable) as caught:
            await _app(saver).ainvoke({"trail": []}, config, durability=durability)
        assert "injected" in str(caught.value)
    finally:
        FlakyConnection.fail_when = None
    members = _assert_consistent(redis_client, prefix, f"flaky-{durability}")
    assert members, "the checkpoints before the failure are kept"

    async with AsyncRedisSaver.from_url(REDIS_URL, key_prefix=prefix) as healthy:
        latest = await healthy.aget_tuple(config)
        assert latest is not None
        trail = latest.checkpoint["channel_values"].get("trail")
        if durability == "sync":  # the checkpoint after `b` is the one that was cut
            assert trail == ["a"]
            assert latest.checkpoint["channel_values"]["big"] == "x" * 50_000
        else:  # saved in the background: the cut may hit the checkpoint after `a` instead
            assert trail in (None, [], ["a"])
        # The run resumes from the last complete checkpoint and finishes.
        result = await _app(healthy).ainvoke(None, config)
        FlakyConnection.fail_when = None
        assert result["trail"] == ["a", "b", "c"]
    await saver.aclose()
    await client.aclose()
