"""The one Server-Sent Events layer: every streaming route returns `sse_response(...)`.

A route hands over a factory of an async iterator of `(event, data)` pairs. The iterator runs in
its own asyncio task feeding a queue, because a client disconnect cancels the response generator
but not a LangGraph step awaited inside it (see shared/DEPENDENCIES.md); the task is cancelled
when the stream ends for any reason, and `cleanup` (e.g. releasing a session lock) runs once,
after the producer has stopped.

The frames are encoded here and sent as a plain `Stream`: Litestar's `ServerSentEvent` hops to a
worker thread once per stream (for its empty header iterator) and sends each event as its own
chunk; here the events that are ready together (step 8's five checks, say) go out as one chunk.

Wire format, per event: `id:` (1, 2, ... per stream, or the source's own id), `event:` name,
`data:` one line of UTF-8 JSON that always carries `"type": <event name>` so seed 003 clients
that read only `data:` lines keep working (`message` / `done` keep their meaning). While the
source waits for a back-office server that is restarting (`tools.mcp.reconnect_notices`), the
client gets a `status` event `{"status": "reconnecting", "service": ...}` instead of silence.
A comment `: ping` goes out when nothing was sent for `heartbeat_seconds`. A failure becomes one
`error` event with the error envelope, and the stream ends; otherwise a final `done` event
closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.response import Stream

from api.errors import request_id_of
from core.errors import SwitchboardError
from core.logging import get_logger
from core.metrics import SSE_STREAMS
from core.redis_clients import redis_down, redis_unavailable
from tools.mcp import reconnect_notices

log = get_logger(__name__)

# (event name, data) or (event name, data, event id): sources with ids of their own (a Redis
# stream's entry ids, for Last-Event-ID resumption) pass them; others get 1, 2, 3, ...
SseEvent = tuple[str, Any] | tuple[str, Any, str | int]
SourceFactory = Callable[[], AsyncIterator[SseEvent]]
Cleanup = Callable[[], Awaitable[None]]

DEFAULT_HEARTBEAT_SECONDS = 15.0
RECONNECTING_TEXT = "服務重新連線中，請稍候… / reconnecting to a back-office service"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
_END = object()


def event_data(event: str, data: Any) -> dict[str, Any]:
    """The JSON object of an event: `type` first, then the data (non-objects as `content`)."""
    if isinstance(data, Mapping):
        return {"type": event, **{k: v for k, v in data.items() if k != "type"}}
    return {"type": event, "content": data}


def error_data(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error envelope as event data; unexpected errors are logged and say nothing inside."""
    if not isinstance(exc, SwitchboardError) and redis_down(exc):
        exc = redis_unavailable()
    if isinstance(exc, SwitchboardError):
        body = exc.to_envelope()
    else:
        log.error("sse_stream_failed", request_id=request_id, exc_info=exc)
        body = {"success": False, "error": "internal error", "code": "INTERNAL_ERROR"}
        body["request_id"] = request_id
    return {**body, "content": body["error"]}


def _field(value: object) -> str:
    return str(value).replace("\r", "").replace("\n", "")


def encode(event_id: int | str, event: str, data: Any) -> bytes:
    """One frame: `id`, `event`, one `data:` line of JSON (which never holds a raw CR or LF)."""
    payload = json.dumps(event_data(event, data), ensure_ascii=False, default=str)
    return f"id: {_field(event_id)}\r\nevent: {_field(event)}\r\ndata: {payload}\r\n\r\n".encode()


PING = b": ping\r\n\r\n"
MAX_FRAMES_PER_CHUNK = 64  # the queue's size: everything already waiting goes out at once


class EventStreamResponse(Stream):
    """A `text/event-stream` response with the proxy-safe headers; what SSE routes return."""

    def __init__(self, content: AsyncIterator[bytes], **kwargs: Any) -> None:
        super().__init__(content, media_type="text/event-stream", **kwargs)
        self.headers.update(SSE_HEADERS)


class EventStream:
    """One stream: the producer task, its queue and the once-only cleanup."""

    def __init__(
        self,
        source: SourceFactory,
        *,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        cleanup: Cleanup | None = None,
        request_id: str = "-",
        done_event: bool = True,
    ) -> None:
        self.source = source
        self.heartbeat = heartbeat_seconds
        self._cleanup = cleanup
        self._cleaned = False
        self.request_id = request_id
        self.done_event = done_event
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=64)
        self.task: asyncio.Task[None] | None = None
        self._next_id = 1

    def _reconnecting(self, server: str) -> None:
        """A tool call of this stream waits for `server` to restart: say so at once."""
        notice = {"status": "reconnecting", "service": server, "content": RECONNECTING_TEXT}
        with contextlib.suppress(asyncio.QueueFull):  # a full queue already tells the client
            self.queue.put_nowait(("status", notice))

    async def _produce(self) -> None:
        try:
            with reconnect_notices(self._reconnecting):  # graph nodes inherit the context
                async for item in self.source():
                    await self.queue.put(item)
            await self.queue.put(_END)
        except Exception as exc:
            await self.queue.put(exc)
        finally:
            await self.cleanup()

    async def cleanup(self) -> None:
        if not self._cleaned:
            self._cleaned = True
            if self._cleanup is not None:
                await self._cleanup()

    async def frames(self) -> AsyncIterator[bytes]:
        """What the response sends; cancelling this (client gone) cancels the producer."""
        self.task = asyncio.create_task(self._produce(), name=f"sse:{self.request_id}")
        SSE_STREAMS.inc()
        try:
            while True:
                try:
                    async with asyncio.timeout(self.heartbeat):  # no task per event, as wait_for
                        item = await self.queue.get()
                except TimeoutError:
                    yield PING
                    continue
                chunk: list[bytes] = []
                ended = self._frame(item, chunk)
                while not ended and not self.queue.empty() and len(chunk) < MAX_FRAMES_PER_CHUNK:
                    ended = self._frame(self.queue.get_nowait(), chunk)
                yield b"".join(chunk)
                if ended:
                    return
        finally:
            SSE_STREAMS.dec()
            self.task.cancel()  # no await: a cancelled response scope would cancel it too

    def _frame(self, item: Any, chunk: list[bytes]) -> bool:
        """Append `item`'s frame to `chunk`; True when it is the stream's last."""
        if item is _END:
            if self.done_event:
                chunk.append(encode(self._next_id, "done", {"content": ""}))
            return True
        if isinstance(item, BaseException):
            chunk.append(encode(self._next_id, "error", error_data(item, self.request_id)))
            return True
        event, data, *given = item
        chunk.append(encode(given[0] if given else self._next_id, event, data))
        self._next_id += 1
        return False

    async def after_response(self) -> None:
        """Background hook: wait for the producer to stop, then make sure cleanup ran."""
        if self.task is not None:
            await asyncio.wait([self.task])
        await self.cleanup()


def sse_response(
    request: Request[Any, Any, Any],
    source: SourceFactory,
    *,
    cleanup: Cleanup | None = None,
    done_event: bool = True,
) -> EventStreamResponse:
    """Stream `source()` to the client as SSE; the heartbeat comes from `app.state`."""
    heartbeat = float(request.app.state.get("sse_heartbeat_seconds", DEFAULT_HEARTBEAT_SECONDS))
    stream = EventStream(
        source,
        heartbeat_seconds=heartbeat,
        cleanup=cleanup,
        request_id=request_id_of(request.scope),
        done_event=done_event,
    )
    return EventStreamResponse(stream.frames(), background=BackgroundTask(stream.after_response))


SSE_EXAMPLE = (
    'id: 1\nevent: progress\ndata: {"type": "progress", "stage": "query_contract", '
    '"status": "running"}\n\n'
    ": ping\n\n"
    'id: 2\nevent: message\ndata: {"type": "message", "content": "方案 A 較划算"}\n\n'
    'id: 3\nevent: complete\ndata: {"type": "complete", "success": true, "data": {}}\n\n'
    'id: 4\nevent: done\ndata: {"type": "done", "content": ""}\n\n'
)


@dataclass
class SseOperation(Operation):
    """OpenAPI for an SSE route (`operation_class=SseOperation`): the 200 answer is a
    `text/event-stream` with an example, not an empty schema."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            schema = Schema(type=OpenAPIType.STRING, description="Server-Sent Events")
            media = OpenAPIMediaType(schema=schema, example=SSE_EXAMPLE)
            ok.content = {"text/event-stream": media}
