"""`python -m api`: serve the app with uvicorn on the configured host, port and workers.

`python -m api --bootstrap` (what `make run` runs) first starts `python -m core.bootstrap` in a
second process and loads the app's modules while it works (both are CPU-bound, one core
each); the staff console's packages install meanwhile (`npm ci`, mostly waiting on disk), and
once the modules are loaded the console is built from their OpenAPI document (`api/web/build.py`,
skipped when nothing changed) while the bootstrap finishes. It serves once both succeeded.
Each phase prints a progress line on stderr.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

from api.metrics.multiprocess import prepare as prepare_metrics
from api.server import QuietServer
from api.web.build import WebBuildError, install_packages
from core.logging import configure_logging
from core.progress import Progress
from core.settings import load_settings


def _exit_if_failed(bootstrap: subprocess.Popen[bytes]) -> None:
    """A failed bootstrap (it said why) ends us at once, not after the app's import; nothing
    is open yet, since the server starts only after a successful bootstrap."""
    if bootstrap.wait() != 0:
        os._exit(bootstrap.returncode)


class ConsoleBuild:
    """The web console's install and build on a thread beside the bootstrap (npm and Vite are
    child processes, so the thread only waits)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.failure: str | None = None
        self._thread: threading.Thread | None = None

    def _guarded(self, work: Callable[[], object]) -> None:
        try:
            work()
        except WebBuildError as exc:
            self.failure = str(exc)

    def install(self) -> None:
        self._thread = threading.Thread(target=self._guarded, args=(install_packages,))
        self._thread.start()

    def build(self) -> None:
        from api.web.build import ensure_built, openapi_document

        installing = self._thread

        def work() -> None:
            if installing is not None:
                installing.join()
            if self.failure is None:
                ensure_built(self.progress, openapi=openapi_document())

        self._thread = threading.Thread(target=self._guarded, args=(work,))
        self._thread.start()

    def finished(self) -> bool:
        if self._thread is not None:
            self._thread.join()
        if self.failure:
            print(f"web console build failed: {self.failure}", file=sys.stderr)
        return self.failure is None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    parser.add_argument(
        "--bootstrap", action="store_true", help="run core.bootstrap alongside the app's import"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    prepare_metrics(settings)  # APP_WORKERS > 1: one registry (before prometheus_client loads)
    # uvicorn's loggers propagate to ours (no log_config): one format (LOG_JSON), masked
    configure_logging(settings)
    # `kill -USR1 <pid>`: every thread's stack to stderr (the log), the process goes on
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    progress = Progress("api", 3 if args.bootstrap else 2, as_log=settings.log_json)
    bootstrap = None
    console = ConsoleBuild(progress)
    if args.bootstrap:
        bootstrap = subprocess.Popen([sys.executable, "-m", "core.bootstrap"])
        threading.Thread(target=_exit_if_failed, args=(bootstrap,), daemon=True).start()
        console.install()
    try:
        with progress.phase("modules", "loading the app's code (first start: compiling it)") as ph:
            from api.app import create_app

            ph.done("loaded")
    except BaseException:
        if bootstrap is not None:
            bootstrap.terminate()
        raise
    if args.bootstrap:
        console.build()
    if bootstrap is not None and bootstrap.wait() != 0:
        sys.exit(bootstrap.returncode)
    if args.bootstrap and not console.finished():
        sys.exit(1)
    app: Any = None
    if settings.app_workers == 1:
        app = create_app()
        url = f"http://{settings.app_host}:{settings.app_port}"
        phase = progress.start(
            "start-up", "opening the database, Redis, MCP servers (crm, pos, promotion), models"
        )

        async def ready() -> None:
            phase.done(f"serving {url} (GET /health)")

        app.on_startup.append(ready)
    options: dict[str, Any] = {
        "host": settings.app_host,
        "port": settings.app_port,
        "log_level": settings.log_level.lower(),
        "log_config": None,
        "proxy_headers": True,
        "timeout_graceful_shutdown": 10,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
    }
    if settings.app_workers != 1:  # each worker process builds its own app
        uvicorn.run("api.app:create_app", factory=True, workers=settings.app_workers, **options)
        return
    # idle: one wake-up a second, not ten; the shutdown budget armed by the exit signal
    QuietServer(uvicorn.Config(app, **options)).run()


if __name__ == "__main__":
    main()
