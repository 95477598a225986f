"""Liveness and readiness over real HTTP."""

from __future__ import annotations

from tests.api_http import ApiServer


def test_health_and_ready(api_server: ApiServer) -> None:
    with api_server.client() as http:
        assert http.get("/health").json() == {"success": True, "data": {"status": "ok"}}
        ready = http.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["data"]["checks"] == {"database": "ok", "redis": "ok"}


def test_unknown_route_uses_the_error_envelope(api_server: ApiServer) -> None:
    with api_server.client() as http:
        response = http.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Not Found", "code": "NOT_FOUND"}
