"""Opt-in timing of one search by phase, for the list-plans critical-path benchmark.

`SEARCH_PHASES_LOG=<path>` in the promotion server's environment appends one JSON line per
search: each phase's wall and CPU (the running thread's) milliseconds, whether staff typed
words, and when it started (`at`, epoch seconds: a benchmark joins it to its own click and to
the searches that overlapped it). Off (the default), `start()` returns None and every `mark`
is one `is None` check: the timing must cost nothing in service. Phases run on two threads (the
tool on the event loop, the ranking in a worker thread), so the CPU of a phase is that of the
thread that ran it, and `hop` says how long the hand-over to the worker thread took (queueing,
not work).
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextvars import ContextVar

_LOG = os.environ.get("SEARCH_PHASES_LOG") or None
_write_lock = threading.Lock()
CURRENT: ContextVar[Phases | None] = ContextVar("search_phases", default=None)


class Phases:
    """Marks along one search; `mark(name)` closes the phase that ran since the last mark."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[float, float]] = {}
        self.typed = False
        self.at = time.time()
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()

    def mark(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        self.rows[name] = ((wall - self._wall) * 1000, (cpu - self._cpu) * 1000)
        self._wall, self._cpu = wall, cpu

    def switched(self, name: str) -> None:
        """Another thread goes on: the wall time since the last mark is `name`, no CPU."""
        wall = time.perf_counter()
        self.rows[name] = ((wall - self._wall) * 1000, 0.0)
        self._wall, self._cpu = wall, time.thread_time()

    def write(self) -> None:
        if _LOG is None:
            return
        rows = {k: [round(wall, 3), round(cpu, 3)] for k, (wall, cpu) in self.rows.items()}
        line = {"typed": self.typed, "at": round(self.at, 6), **rows}
        with _write_lock, open(_LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def mark(phases: Phases | None, name: str, *, switched: bool = False) -> None:
    """Close phase `name` of a timed search (nothing when the log is off); `switched`: the
    search moved to another thread, so the phase is wall time only."""
    if phases is not None:
        (phases.switched if switched else phases.mark)(name)


def start() -> Phases | None:
    """A timer for this search when the log is on (and set as the current one), else None."""
    if _LOG is None:
        return None
    phases = Phases()
    CURRENT.set(phases)
    return phases
