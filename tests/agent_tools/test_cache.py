"""The agent tools' caches: per process, kept honest across instances by a Redis version key.

First the cache itself on real Redis (two caches on one key play two instances), then two real
API processes on one PostgreSQL database: what one instance writes, the other shows and applies
on its very next read or chat turn, although both cache for minutes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from graphs.supervision.tool_cache import VersionedCache
from tests.agent_tools.conftest import ToolsApi
from tests.api.handoff_support import new_customer, say
from tests.supervision.helpers import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


class Table:
    """Stands in for a database table: a value and how often it was read."""

    def __init__(self) -> None:
        self.value = 1
        self.reads = 0

    async def read(self) -> int:
        self.reads += 1
        await asyncio.sleep(0.01)
        return self.value


async def test_cache_reads_once_then_follows_writes_of_other_instances(redis: Redis) -> None:
    prefix, table, now = f"sbtest-cache-{uuid.uuid4().hex[:8]}", Table(), [0.0]
    one = VersionedCache(redis, prefix, "tags", table.read, clock=lambda: now[0])
    two = VersionedCache(redis, prefix, "tags", table.read, clock=lambda: now[0])
    try:
        assert await asyncio.gather(*(one.get() for _ in range(100))) == [1] * 100
        assert table.reads == 1  # 100 concurrent readers, one load
        assert await two.get() == 1 and table.reads == 2
        assert await one.get() == 1 and table.reads == 2  # cached

        table.value = 2
        assert await one.get() == 1  # nobody said the table changed: still the cache
        await two.invalidate()  # instance two wrote and bumped the version
        assert await one.get() == 2 and await two.get() == 2 and table.reads == 4

        table.value = 3
        now[0] += 299
        assert await one.get() == 2  # 5 minutes for tags (seed) not yet over
        now[0] += 2
        assert await one.get() == 3  # over: reloaded without any write
    finally:
        await redis.delete(f"{prefix}:atools:ver:tags")


def test_two_instances_see_each_others_writes(tools_api: ToolsApi, tools_api_b: ToolsApi) -> None:
    a, b = tools_api, tools_api_b
    b.http.get("/api/quick-replies", headers=b.h("agent"))  # B's caches are warm
    b.http.get("/api/tags", headers=b.h("agent"))
    body = {"category": "logistics", "title": "出貨時間", "content": "訂單將於 3 個工作天內出貨"}
    made = a.http.post("/api/quick-replies", json=body, headers=a.h("admin")).json()["data"]
    on_b = b.http.get("/api/quick-replies", params={"category": "logistics"}, headers=b.h("agent"))
    assert made["id"] in {r["id"] for r in on_b.json()["data"]["items"]}
    used = b.http.post(f"/api/quick-replies/{made['id']}/use", headers=b.h("agent"))
    assert used.json()["data"]["usage_count"] == 1
    on_a = a.http.get("/api/quick-replies", params={"category": "logistics"}, headers=a.h("agent"))
    assert {r["id"]: r["usage_count"] for r in on_a.json()["data"]["items"]}[made["id"]] == 1

    tag = a.http.post(
        "/api/tags", json={"name": "跨實例", "color": "#101010"}, headers=a.h("agent")
    ).json()["data"]
    tags_on_b = b.http.get("/api/tags", headers=b.h("agent")).json()["data"]["custom_tags"]
    assert tag["id"] in {t["id"] for t in tags_on_b}
    a.http.delete(f"/api/quick-replies/{made['id']}", headers=a.h("admin"))


def test_a_rule_written_on_one_instance_fires_on_the_other(
    tools_api: ToolsApi, tools_api_b: ToolsApi
) -> None:
    a, b = tools_api, tools_api_b
    customer = new_customer(b.http)
    say(b.http, customer, "你好")  # B's graph has read (and cached) the rules
    body = {
        "type": "keyword",
        "trigger_condition": {"keywords": ["跨實例測試"]},
        "reply_content": "這是 A 寫的規則",
    }
    rule = a.http.post("/api/auto-reply-rules", json=body, headers=a.h("admin")).json()["data"]
    try:
        assert say(b.http, customer, "跨實例測試")["answer"].strip() == "這是 A 寫的規則"
        off = a.http.put(
            f"/api/auto-reply-rules/{rule['id']}", json={"enabled": False}, headers=a.h("admin")
        )
        assert off.status_code == 200, off.text
        assert "這是 A 寫的規則" not in say(b.http, customer, "跨實例測試")["answer"]
    finally:
        a.http.delete(f"/api/auto-reply-rules/{rule['id']}", headers=a.h("admin"))
