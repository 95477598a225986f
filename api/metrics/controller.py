"""`GET /metrics` in the Prometheus text format (access: api/metrics/access.py)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from api.errors import envelope
from api.metrics import multiprocess, snapshot
from api.metrics.access import verdict

# the text format every Prometheus 2.x reads; Litestar appends `; charset=utf-8`
MEDIA_TYPE = "text/plain; version=0.0.4"


def exposition(families: snapshot.Snapshot) -> bytes:
    """This process's registry (or every worker's, merged) plus the scrape-time families."""
    registry = CollectorRegistry(auto_describe=False)
    shared = multiprocess.directory()
    if shared is not None:
        multiprocess.mark_dead_workers(shared)
        MultiProcessCollector(registry, path=str(shared))
    else:
        registry.register(snapshot.Snapshot(list(REGISTRY.collect())))
    registry.register(families)
    return generate_latest(registry)


@get("/metrics", exclude_from_auth=True, include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime = request.app.state.runtime
    settings = runtime.settings
    client = request.scope.get("client")
    allowed = verdict(
        client[0] if client else None,
        request.headers.get("authorization"),
        token=settings.metrics_token,
        networks=tuple(settings.metrics_networks),
    )
    if not allowed.allowed:
        return envelope(allowed.status, allowed.message, allowed.code)
    families = snapshot.Snapshot(await snapshot.read(runtime))
    return Response(exposition(families), media_type=MEDIA_TYPE)
