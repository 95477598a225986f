"""Many SSE streams from one client process: raw-socket connections, heartbeats held, stats.

bench_realtime's client side: one asyncio socket per stream (no HTTP client library: 5,000 of
them must stay cheap), the chunked body decoded and its events handed to a callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
Handler = Callable[[str, str, dict[str, Any]], None]


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, wanted)) if hard != resource.RLIM_INFINITY else wanted
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def proc_stats(pid: int) -> tuple[float, int]:
    """(RSS in MB, open file descriptors) of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return rss_kb / 1024, len(list(Path(f"/proc/{pid}/fd").iterdir()))


@dataclass
class SseConnection:
    """One SSE stream on a raw socket: HTTP/1.1 chunked body decoded, events parsed."""

    port: int
    path: str
    token: str
    on_event: Handler | None = None
    pings: int = 0
    writer: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None
    _buffer: str = ""

    async def open(self) -> None:
        reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {self.token}\r\n\r\n".encode()
        )
        await self.writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(head.decode(errors="replace")[:200])
        self.task = asyncio.create_task(self._pump(reader))

    async def _pump(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, ValueError):
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    return
                chunk = await reader.readexactly(size + 2)
                self.pings += chunk.count(b": ping")
                if self.on_event is not None:
                    self._feed(chunk[:-2].decode())

    def _feed(self, text: str) -> None:
        self._buffer += text.replace("\r\n", "\n")
        while "\n\n" in self._buffer:
            frame, self._buffer = self._buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in frame.split("\n") if ": " in line)
            if "data" in fields and self.on_event is not None:
                self.on_event(
                    fields.get("id", ""), fields.get("event", ""), json.loads(fields["data"])
                )

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()


async def wait_until(done: Callable[[], bool], seconds: float) -> None:
    """Poll `done` every 50 ms, at most `seconds` (events arrive in other tasks)."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await asyncio.sleep(0.05)


async def open_all(conns: list[SseConnection], batch: int = 250) -> float:
    started = time.perf_counter()
    for i in range(0, len(conns), batch):
        await asyncio.gather(*(c.open() for c in conns[i : i + batch]))
    return time.perf_counter() - started


def ended(conns: list[SseConnection]) -> int:
    """Streams the server closed (or that broke) while the client still held them."""
    return sum(1 for c in conns if c.task is not None and c.task.done())


async def hold(conns: list[SseConnection], heartbeat: float, label: str) -> str:
    """Keep every stream open until each has received two more heartbeats than now (at most
    three heartbeats + 10 s); returns a note saying how many did and how many ended."""
    start = [c.pings for c in conns]
    began = time.perf_counter()

    def heard_two() -> bool:
        return all(c.pings - s >= 2 for c, s in zip(conns, start, strict=True))

    await wait_until(heard_two, 3 * heartbeat + 10)
    short = sum(1 for c, s in zip(conns, start, strict=True) if c.pings - s < 2)
    return (
        f"{label}: {len(conns)} streams held {time.perf_counter() - began:.1f} s (heartbeat "
        f"{heartbeat:g} s): {len(conns) - short} received ≥ 2 pings, {short} fewer, "
        f"{ended(conns)} ended"
    )


def summary(name: str, samples: list[float]) -> str:
    if not samples:
        return f"| {name} | 0 | - | - | - |"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {p95:.1f} "
        f"| {ordered[-1]:.1f} |"
    )
