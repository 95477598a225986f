"""Liveness and readiness: `/health` says the process is up, `/ready` that its dependencies are."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from sqlalchemy import text

from api.mail.run import mail_health
from api.runtime import Runtime
from core.redis_clients import RETRY_AFTER_SECONDS


async def _check_database(runtime: Runtime) -> None:
    async with runtime.engine.connect() as conn:
        await conn.execute(
            text("SELECT 1") if not _is_oracle(runtime) else text("SELECT 1 FROM DUAL")
        )


def _is_oracle(runtime: Runtime) -> bool:
    return runtime.engine.dialect.name == "oracle"


async def _check_redis(runtime: Runtime) -> None:
    await runtime.redis.ping()


async def _probe(name: str, check: Any, runtime: Runtime) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(runtime), timeout=2.0)
        return name, "ok"
    except Exception as exc:  # a readiness probe reports, it never raises
        return name, f"error: {type(exc).__name__}"


class HealthController(Controller):
    tags = ("health",)  # type: ignore[assignment]

    @get("/health", summary="Liveness", exclude_from_auth=True)
    async def health(self) -> dict[str, Any]:
        return {"success": True, "data": {"status": "ok"}}

    @get("/ready", summary="Readiness: database and Redis reachable", exclude_from_auth=True)
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        runtime: Runtime = state.runtime
        results = dict(
            await asyncio.gather(
                _probe("database", _check_database, runtime), _probe("redis", _check_redis, runtime)
            )
        )
        ok = all(v == "ok" for v in results.values())
        data: dict[str, Any] = {"status": "ready" if ok else "not_ready", "checks": results}
        if results["redis"] == "ok":  # whether handoff mail goes out, and what waits in the outbox
            data["mail"] = await mail_health(runtime.settings, runtime.redis)
        body = {"success": ok, "data": data}
        if not ok:
            body.update(error="a dependency is not ready", code="SERVICE_UNAVAILABLE")
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return Response(body, status_code=503, headers=headers)
        return Response(body, status_code=200)
