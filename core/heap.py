"""The garbage collector, set for a long-lived server.

A server imports LangGraph, Litestar, SQLAlchemy and pydantic, compiles its graphs and opens its
pools before serving its first request: a few hundred thousand objects that live as long as the
process. CPython's full (generation 2) collection walks every one of them, and it runs in the
middle of requests: the API measured single pauses of 250 ms under 50 staff sessions. Freezing
what start-up built moves it out of the collector's reach (as Instagram does for Django), so a
full collection walks only what requests made.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect start-up garbage once, then freeze the survivors; returns how many were frozen.

    Call it once the process has built everything it keeps, just before it starts serving.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
