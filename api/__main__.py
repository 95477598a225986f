"""`python -m api`: serve the app with uvicorn on the configured host, port and workers."""

from __future__ import annotations

import uvicorn

from core.settings import load_settings


def main() -> None:
    settings = load_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.app_host,
        port=settings.app_port,
        workers=settings.app_workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
