"""Start-up progress on stderr: one line per phase, saying what it does, how far, how long.

    [bootstrap 3/4] promotion index: embedding 32/63 passages ...
    [bootstrap 3/4] promotion index: built, 63 passages embedded in 5.1 s

A phase prints its start line at once. On a terminal its updates then rewrite one line
(carriage return) that ends as the result; in a log file each update
is its own line, at most one per `QUIET_SECONDS`, so a slow phase is never silent and a fast
one prints only its result. Plain text for the person watching `make run`; with `LOG_JSON=true`
the same lines are log records (`startup_phase`, with the phase, counts and seconds as fields),
so that every line stays one JSON object.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from core.logging import get_logger

QUIET_SECONDS = 2.0
log = get_logger("progress")


class Phase:
    """One numbered step of a command; `update` says how far it is, `done` how it ended."""

    def __init__(
        self, command: str, number: int, total: int, name: str, stream: TextIO, *, as_log: bool
    ) -> None:
        self.label = f"[{command} {number}/{total}] {name}"
        self.fields = {"command": command, "step": f"{number}/{total}", "phase": name}
        self.stream = stream
        self.started = time.perf_counter()
        self._last_update = 0.0
        self._as_log = as_log
        self._tty = not as_log and bool(getattr(stream, "isatty", lambda: False)())
        self.outcome = ""

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def announce(self, doing: str) -> None:
        self._last_update = time.perf_counter()
        self._write(f"{doing} ...", final=True, state="started")

    def update(self, doing: str, done: int | None = None, total: int | None = None) -> None:
        """`doing` now (e.g. "embedding"), optionally `done` of `total` items."""
        now = time.perf_counter()
        finished = done is not None and done == total
        if not self._tty and not finished and now - self._last_update < QUIET_SECONDS:
            return
        self._last_update = now
        count = f" {done}/{total}" if done is not None and total is not None else ""
        self._write(
            f"{doing}{count} ...", final=not self._tty, state="working", done=done, total=total
        )

    def done(self, outcome: str) -> None:
        """The phase's result; the line ends with "in N.N s" (the benchmark parses it)."""
        self.outcome = outcome
        seconds = round(self.seconds, 1)
        self._write(f"{outcome} in {seconds:.1f} s", final=True, state="done", seconds=seconds)

    def _write(self, text: str, *, final: bool, **fields: Any) -> None:
        if self._as_log:
            extra = {k: v for k, v in fields.items() if v is not None}
            log.info("startup_phase", **self.fields, **extra, message=text)
            return
        line = f"{self.label}: {text}"
        if self._tty:
            self.stream.write(f"\r\x1b[K{line}" + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Progress:
    """The phases of one command (`bootstrap`, `api`), numbered in order; `as_log` (LOG_JSON)
    writes them as log records."""

    def __init__(
        self, command: str, total: int, stream: TextIO | None = None, *, as_log: bool = False
    ) -> None:
        self.command = command
        self.total = total
        self.stream = stream
        self.as_log = as_log
        self._number = 0

    def start(self, name: str, doing: str) -> Phase:
        """The next phase, announced as `doing`; it ends with its `done(outcome)`."""
        self._number += 1
        stream = self.stream or sys.stderr
        phase = Phase(self.command, self._number, self.total, name, stream, as_log=self.as_log)
        phase.announce(doing)
        return phase

    @contextmanager
    def phase(self, name: str, doing: str) -> Iterator[Phase]:
        """`start` for a block: "failed" if it raises, "done" if it ends without an outcome."""
        phase = self.start(name, doing)
        try:
            yield phase
        except BaseException:
            if not phase.outcome:
                phase.done("failed")
            raise
        if not phase.outcome:
            phase.done("done")
