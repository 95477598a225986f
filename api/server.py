"""uvicorn's `Server` without its idle wake-ups, and with the shutdown budget armed by the exit
signal itself.

uvicorn's main loop wakes ten times a second to see whether it should exit (and refreshes the
`Date` header on every tenth wake-up); `python -m api` also ran a thread that polled
`should_exit` twice a second to arm the shutdown budget. An idle API spent 2.55 ms of CPU a
second (session 15, schedstat over 30 s; 1.3-1.6 ms with this server), and on this VM a process
woken after a pause runs its next work with cold caches (a Redis PING: ~120 us back to back,
~270 us after 20 ms idle), so a wake-up with nothing to do is not free. Here the loop sleeps
until the exit signal or the next second, whichever comes first: the `Date` header still changes
every second, a signal still starts the shutdown at once, and the budget
(`SHUTDOWN_BUDGET_SECONDS`) is armed in the signal handler (or, when something else sets
`should_exit`, within a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import sys
from types import FrameType

import uvicorn

# From SIGTERM to the process's end (uvicorn's 10 s for open connections, then the runtime's
# close): past it, every thread's stack goes to stderr and the process exits with 1, so a stuck
# close shows where it hangs instead of keeping a stopped server alive (CI once waited 30 s).
SHUTDOWN_BUDGET_SECONDS = 25.0
TICKS_PER_SECOND = 10  # uvicorn's `on_tick` counts tenths of a second


class QuietServer(uvicorn.Server):
    """A uvicorn server that wakes once a second when idle, not ten times."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._budget_armed = False

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._exit = asyncio.Event()
        if self.should_exit:  # a signal before the loop existed
            self._exit.set()
        counter = 0
        while not await self.on_tick(counter):
            # whole seconds: `on_tick` refreshes the Date header when counter % 10 == 0
            counter = (counter + TICKS_PER_SECOND) % 864000
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._exit.wait()
        self.arm_budget()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self.arm_budget()
        if self._loop is not None and self._exit is not None:
            # the handler runs between two bytecodes of the loop's thread: wake the loop safely
            self._loop.call_soon_threadsafe(self._exit.set)

    def arm_budget(self) -> None:
        """Past the budget, dump every thread's stack and exit 1 (once)."""
        if not self._budget_armed:
            self._budget_armed = True
            faulthandler.dump_traceback_later(SHUTDOWN_BUDGET_SECONDS, exit=True, file=sys.stderr)
