"""Start-up objects leave the collector's reach (no full-collection pauses walk them)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from core.heap import freeze_startup_heap


class Pool:
    """Stands for what a server builds at start-up and keeps: engines, graphs, pools."""


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_what_startup_built_is_frozen_and_its_garbage_collected(unfrozen: None) -> None:
    kept = Pool()
    garbage = Pool()
    garbage.itself = garbage  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    garbage_alive = weakref.ref(garbage)
    del garbage

    frozen = freeze_startup_heap()

    assert frozen == gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # no generation holds it any more
    assert garbage_alive() is None  # collected, not frozen for the process's lifetime
