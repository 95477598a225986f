"""The Litestar app factory: domains are assembled here and nowhere else."""

from __future__ import annotations

from litestar import Litestar
from litestar.config.cors import CORSConfig

from api.errors import EXCEPTION_HANDLERS
from api.health.controllers import HealthController
from api.runtime import lifespan
from core.logging import configure_logging
from core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings)
    return Litestar(
        route_handlers=[HealthController],
        lifespan=[lifespan(settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(allow_origins=settings.cors_allow_origins),
        request_max_body_size=settings.max_request_body_bytes,
        debug=False,
    )
