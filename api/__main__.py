"""`python -m api`: serve the app with uvicorn on the configured host, port and workers."""

from __future__ import annotations

import uvicorn

from core.logging import configure_logging
from core.settings import load_settings


def main() -> None:
    settings = load_settings()
    # uvicorn's loggers propagate to ours (no log_config): one format (LOG_JSON), masked
    configure_logging(settings)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.app_host,
        port=settings.app_port,
        workers=settings.app_workers,
        log_level=settings.log_level.lower(),
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
