"""`python tests/benchmarks/bench_api_probe.py`: `python -m api` with a CPU meter, for
`bench_api_cpu` (issue 24, third pass).

Run as a script (not `-m`), with `cwd` and `PYTHONPATH` naming the tree to measure, so one
probe serves HEAD's copy and the working tree alike. It wraps the app's outermost ASGI handler
with a meter of the event loop thread's CPU (`time.thread_time`) per request path: with one
client clicking serially, a request's thread time is that click's CPU in the API (the MCP
servers' CPU is their own processes'). `SIGUSR2` starts a measured span (counters reset; with
`PROBE_PROFILE=cpu|wall` also `cProfile` on that clock); the next `SIGUSR2` ends it and writes
`$PROBE_DIR/steps.json` (path -> [calls, CPU s]) and `$PROBE_DIR/profile.pstats`.
"""

from __future__ import annotations

import cProfile
import json
import os
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # the tree under test comes from PYTHONPATH, not from this folder

OUT = Path(os.environ.get("PROBE_DIR", "/tmp/bench-api-probe"))
# "cpu": cProfile on the thread clock (a system call per event: call-heavy code looks
# costlier); "wall": on perf_counter (cheap; idle time lands in the loop's select)
PROFILE = os.environ.get("PROBE_PROFILE", "")


class Span:
    """CPU per request path while a span is open."""

    def __init__(self) -> None:
        self.open = False
        self.cpu: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.profiler: cProfile.Profile | None = None

    def toggle(self, *_: Any) -> None:
        if not self.open:
            self.cpu.clear()
            if PROFILE:
                clock = time.thread_time if PROFILE == "cpu" else time.perf_counter
                self.profiler = cProfile.Profile(clock)
                self.profiler.enable()
            self.open = True
            return
        self.open = False
        OUT.mkdir(parents=True, exist_ok=True)
        if self.profiler is not None:
            self.profiler.disable()
            self.profiler.dump_stats(OUT / "profile.pstats")
            self.profiler = None
        (OUT / "steps.json").write_text(json.dumps(dict(self.cpu)))


SPAN = Span()


def metered(app: Any) -> Any:
    async def meter(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not SPAN.open:
            await app(scope, receive, send)
            return
        started = time.thread_time()
        try:
            await app(scope, receive, send)
        finally:
            row = SPAN.cpu[scope["path"].rsplit("/", 1)[-1]]
            row[0] += 1
            row[1] += time.thread_time() - started

    return meter


def main() -> None:
    import api.app
    from api import __main__ as entry

    create = api.app.create_app

    def create_metered(*args: Any, **kwargs: Any) -> Any:
        app = create(*args, **kwargs)
        app.asgi_handler = metered(app.asgi_handler)
        return app

    api.app.create_app = create_metered  # type: ignore[assignment]
    signal.signal(signal.SIGUSR2, SPAN.toggle)
    entry.main([])


if __name__ == "__main__":
    main()
