"""The SSE layer on its own, served by a real uvicorn in this process (fast, no graph).

Checks the wire format (ids, names, `type` in data, UTF-8), heartbeats, the error event, and
that a client hanging up cancels the producer task and runs the cleanup exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar, Request, post
from litestar.datastructures import State

from api.errors import EXCEPTION_HANDLERS
from api.sse import EventStreamResponse, SseEvent, sse_response
from core.errors import OutOfStock
from tests.api.conftest import parse_sse
from tests.mcp_http import free_port

probe: dict[str, Any] = {}


async def talk() -> AsyncIterator[SseEvent]:
    yield "progress", {"stage": "search_promotions", "status": "running"}
    await asyncio.sleep(0.35)  # long enough for heartbeats at 0.1 s
    yield "message", "你好，方案 A"
    yield "message", {"content": "！", "type": "ignored"}


async def replay() -> AsyncIterator[SseEvent]:
    yield "status_change", {"status": "manual_live"}, "1700000000000-0"
    yield "manual_message", {"role": "agent", "content": "您好"}, "1700000000001-0"


async def fail() -> AsyncIterator[SseEvent]:
    yield "progress", {"stage": "x", "status": "running"}
    raise OutOfStock("已無庫存", device_id="D003")


async def crash() -> AsyncIterator[SseEvent]:
    yield "progress", {"stage": "x", "status": "running"}
    raise RuntimeError("secret internals")


async def forever() -> AsyncIterator[SseEvent]:
    probe["started"] = True
    try:
        yield "progress", {"stage": "waiting", "status": "running"}
        await asyncio.sleep(3600)
        yield "never", {}
    except asyncio.CancelledError:
        probe["cancelled"] = True
        raise


async def cleanup() -> None:
    probe["cleanups"] = probe.get("cleanups", 0) + 1


SOURCES = {"talk": talk, "fail": fail, "crash": crash, "forever": forever, "replay": replay}


@post("/stream/{name:str}", status_code=200)
async def stream(request: Request[Any, Any, Any], name: str) -> EventStreamResponse:
    return sse_response(request, SOURCES[name], cleanup=cleanup)


@pytest.fixture(scope="module")
async def sse_url() -> AsyncIterator[str]:
    app = Litestar(
        [stream], exception_handlers=EXCEPTION_HANDLERS, state=State({"sse_heartbeat_seconds": 0.1})
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def read(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url)


async def test_wire_format_heartbeat_and_done(sse_url: str) -> None:
    probe.clear()
    response = await read(f"{sse_url}/stream/talk")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    sse = parse_sse(response.text)
    assert [(e["id"], e["event"]) for e in sse.events] == [
        (1, "progress"), (2, "message"), (3, "message"), (4, "done")
    ]  # fmt: skip
    assert sse.events[1]["data"] == {"type": "message", "content": "你好，方案 A"}
    assert sse.events[2]["data"] == {"type": "message", "content": "！"}
    assert sse.events[3]["data"] == {"type": "done", "content": ""}
    assert "你好" in response.content.decode("utf-8")  # raw UTF-8, not \\u escapes
    assert sse.pings >= 2 and ": ping" in sse.raw
    assert probe["cleanups"] == 1


async def test_sources_may_bring_their_own_event_ids(sse_url: str) -> None:
    response = await read(f"{sse_url}/stream/replay")
    assert "id: 1700000000000-0" in response.text and "id: 1700000000001-0" in response.text
    body = response.text.replace("\r\n", "\n")
    assert 'data: {"type": "manual_message", "role": "agent", "content": "您好"}' in body


async def test_domain_error_becomes_an_error_event_and_ends_the_stream(sse_url: str) -> None:
    sse = parse_sse((await read(f"{sse_url}/stream/fail")).text)
    assert [e["event"] for e in sse.events] == ["progress", "error"]
    error = sse.events[-1]["data"]
    assert error["type"] == "error" and error["success"] is False
    assert error["code"] == "OUT_OF_STOCK" and error["content"] == "已無庫存"
    assert error["details"] == {"device_id": "D003"}


async def test_unexpected_error_says_nothing_inside(sse_url: str) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(f"{sse_url}/stream/crash", headers={"X-Request-ID": "req-42"})
    error = parse_sse(response.text).events[-1]["data"]
    assert error["code"] == "INTERNAL_ERROR" and error["request_id"] == "req-42"
    assert "secret" not in response.text


async def test_client_hang_up_cancels_the_producer_and_cleans_up_once(sse_url: str) -> None:
    probe.clear()
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("POST", f"{sse_url}/stream/forever") as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                break
    for _ in range(100):
        if probe.get("cancelled") and probe.get("cleanups"):
            break
        await asyncio.sleep(0.02)
    assert probe.get("started") and probe.get("cancelled"), probe
    await asyncio.sleep(0.2)
    assert probe["cleanups"] == 1
