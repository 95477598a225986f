"""One registry across uvicorn workers: prometheus-client's multiprocess mode.

`python -m api` calls `prepare()` before anything imports prometheus_client when APP_WORKERS > 1:
it removes the value files (`*.db`) an earlier run left in the shared directory (they would add
up otherwise) and exports PROMETHEUS_MULTIPROC_DIR, which the worker processes inherit. Each
worker writes its values to its own files there; a scrape on any worker merges them. A worker
that exits marks itself dead (its `live*` gauges drop out); one that was killed is found dead at
the next scrape.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.settings import VAR_DIR, Settings

ENV = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_FILE = re.compile(r"gauge_live[a-z]*_(\d+)\.db")


def directory() -> Path | None:
    """The shared directory when this process runs in multiprocess mode."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def prepare(settings: Settings) -> Path | None:
    """Set up the shared directory for several workers (a no-op for one)."""
    if settings.app_workers == 1:
        return None
    given = os.environ.get(ENV)
    path = Path(given) if given else settings.metrics_multiproc_dir
    path = path or VAR_DIR / "metrics" / str(settings.app_port)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # only the client's files: the directory may be shared
        stale.unlink()
    os.environ[ENV] = str(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process has that pid now: ours is gone
        return False
    return True


def mark_dead_workers(path: Path) -> list[int]:
    """Drop the live gauges of workers that are gone (killed, or crashed)."""
    from prometheus_client import multiprocess

    dead = set()
    for file in path.glob("gauge_live*_*.db"):
        match = _LIVE_FILE.fullmatch(file.name)
        if match and not _alive(int(match.group(1))):
            dead.add(int(match.group(1)))
    for pid in dead:
        multiprocess.mark_process_dead(pid, str(path))
    return sorted(dead)


def worker_exits() -> None:
    """Shutdown hook: this worker's live gauges stop counting."""
    path = directory()
    if path is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid(), str(path))
