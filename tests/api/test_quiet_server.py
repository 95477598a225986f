"""`api.server.QuietServer` (what `python -m api` serves with): an idle server wakes once a
second instead of ten times, and still does what uvicorn's loop did for a user: the `Date`
header moves every second, SIGTERM stops it at once, and a shutdown that hangs past the budget
dumps every thread's stack and exits 1 (the budget is armed by the signal itself now, not by a
polling thread).

Each test serves a small ASGI app with `QuietServer` in a process of its own (signals and
`faulthandler` act on a whole process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.settings import ROOT
from tests.mcp_http import free_port, wait_for_port

SERVE = textwrap.dedent(
    """
    import asyncio, os
    import uvicorn
    import api.server
    from api.server import QuietServer

    api.server.SHUTDOWN_BUDGET_SECONDS = float(os.environ["BUDGET"])
    HANG = os.environ.get("HANG") == "1"

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if HANG:  # a close that never ends
                        await asyncio.Event().wait()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    config = uvicorn.Config(app, host="127.0.0.1", port=int(os.environ["PORT"]),
                            log_level="warning", lifespan="on")
    server = QuietServer(config)
    server.run()
    """
)


@contextmanager
def served(**env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PORT": str(port), "BUDGET": "30", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process, 30)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            assert stream is not None
            stream.close()


def test_sigterm_stops_an_idle_server_at_once() -> None:
    with served() as (process, url):
        assert httpx.get(url).text == "ok"
        time.sleep(1.5)  # idle: the loop is waiting for the next second
        started = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) in (0, -signal.SIGTERM)  # uvicorn re-raises it
        assert time.monotonic() - started < 1.0  # uvicorn's loop: within 0.1 s; not 1 s later


def test_the_date_header_moves_every_second() -> None:
    with served() as (_, url), httpx.Client(base_url=url) as http:
        dates = []
        for _ in range(3):
            dates.append(http.get("/").headers["date"])
            time.sleep(1.1)
        assert len(set(dates)) == 3, dates


def test_a_shutdown_past_its_budget_dumps_the_stacks_and_exits_1() -> None:
    with served(BUDGET="1.5", HANG="1") as (process, url):
        assert httpx.get(url).text == "ok"
        started = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)
        code = process.wait(timeout=20)
        elapsed = time.monotonic() - started
        assert process.stderr is not None
        dumped = process.stderr.read().decode()
    assert code == 1
    assert 1.4 < elapsed < 8, elapsed
    assert "Thread" in dumped and "most recent call first" in dumped, dumped[-2000:]


def test_an_idle_server_wakes_about_once_a_second() -> None:
    """Counted from outside: the loop thread's voluntary context switches over 3 idle s
    (uvicorn's own loop: ~10 a second, plus 2 of the polling thread)."""
    with served() as (process, url):
        assert httpx.get(url).text == "ok"
        time.sleep(1.0)
        status = Path(f"/proc/{process.pid}/status")

        def switches() -> int:
            line = next(s for s in status.read_text().splitlines() if s.startswith("voluntary"))
            return int(line.split()[1])

        before = switches()
        time.sleep(3.0)
        woke = switches() - before
    assert woke <= 6, f"{woke} wake-ups in 3 s"
