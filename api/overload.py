"""Back-pressure: a bounded number of requests in flight per worker, the excess refused at once.

Without a bound, a worker past saturation queues every request in its event loop and answers
all of them seconds late (issue 24: query-customer p95 11.4 s at 100 staff). With one, the
requests it accepts keep their latency and the rest get `503 OVERLOADED` with `Retry-After`
in the envelope at once (~0.1 ms of the worker's time), before authentication or any other
work, so a refused click changed nothing and the same click can simply be sent again.

What counts: every HTTP request from its arrival until its response ends, except
- `/health`, `/ready` and `/metrics` (probes and scrapes must see an overloaded worker), and
- an event stream once its first body chunk is out: a stream open for minutes (a chat, the
  agents' desk) waits on events, not on this worker's CPU, and is never cut or refused.

`OVERLOAD_QUEUE_MS` > 0 lets a request past the bound wait that long for a slot (first come,
first served) before it is refused; 0 refuses at once. Sizing: docs/api.md, "Serving cost".
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Final

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import Overloaded
from core.metrics import OVERLOAD_REFUSALS

EXEMPT_PATHS: Final = frozenset({"/health", "/ready", "/metrics"})
RETRY_AFTER_SECONDS: Final = 1  # a click's worth: the bound frees slots within milliseconds
_REFUSAL: Final = Overloaded("the service is busy, please retry in a moment")
_BODY: Final = json.dumps(_REFUSAL.to_envelope()).encode()
_HEADERS: Final = (
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
)


class InFlightLimit:
    """The ASGI layer that admits at most `limit` counted requests at once (0: no bound)."""

    def __init__(self, app: ASGIApp, limit: int, queue_ms: float = 0.0) -> None:
        self.app = app
        self.limit = limit
        self.queue_seconds = queue_ms / 1000
        self.in_flight = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limit <= 0 or scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if not await self._admit():
            await _refuse(send)
            return
        held, stream = True, False

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._release()

        async def send_releasing_streams(message: Message) -> None:
            nonlocal stream
            stream = stream or _starts_event_stream(message)
            await send(message)
            if stream and message["type"] == "http.response.body":
                release()  # its first chunk is out: from now on it only waits for events

        try:
            await self.app(scope, receive, send_releasing_streams)
        finally:
            release()

    async def _admit(self) -> bool:
        if self.in_flight < self.limit and not self._waiting:
            self.in_flight += 1
            return True
        if self.queue_seconds <= 0:
            return False
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(slot)
        try:
            async with asyncio.timeout(self.queue_seconds):
                await slot  # the slot is handed over already counted
        except TimeoutError:
            pass
        finally:
            if not slot.done():
                slot.cancel()
            if slot in self._waiting:
                self._waiting.remove(slot)
        return not slot.cancelled()  # handed over just as the deadline struck: still ours

    def _release(self) -> None:
        while self._waiting:  # hand the slot straight to the longest waiter still waiting
            slot = self._waiting.popleft()
            if not slot.done():
                slot.set_result(None)
                return
        self.in_flight -= 1


def _starts_event_stream(message: Message) -> bool:
    if message["type"] != "http.response.start":
        return False
    headers = message.get("headers") or ()
    return any(k == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers)


async def _refuse(send: Send) -> None:
    OVERLOAD_REFUSALS.inc()
    # a new list each time: the app's `before_send` stamps headers into the message in place
    start = {"type": "http.response.start", "status": Overloaded.status, "headers": [*_HEADERS]}
    await send(start)  # type: ignore[arg-type]
    await send({"type": "http.response.body", "body": _BODY, "more_body": False})
