"""The error families move when a store fails for real: a table the service reads is gone
(a failed statement), then the API's Redis is stopped (requests answer 503)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.settings import Settings
from tests.api.conftest import bearer, login
from tests.api.handoff_support import fake_ip
from tests.api.test_redis_outage import OwnRedis
from tests.api_http import own_api_server
from tests.operations.test_metrics import scrape, total


def test_database_and_redis_failures_are_counted(app_settings: Settings, tmp_path: Path) -> None:
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        with (
            own_api_server(app_settings, tmp_path, "metricsout", REDIS_URL=redis.url) as server,
            server.client() as http,
        ):
            agent = bearer(login(http, "agent001")["access_token"])
            before = scrape(http)
            with sqlite3.connect(tmp_path / "switchboard.db") as db:
                db.execute("DROP TABLE quick_replies")
            failed = http.get("/api/quick-replies", headers=agent)
            assert failed.status_code == 500 and failed.json()["code"] == "INTERNAL_ERROR"
            redis.stop()
            refused = http.post("/api/conversation/new", json={}, headers=fake_ip())
            assert refused.status_code == 503, refused.text
            after = scrape(http)
    finally:
        redis.stop()

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("switchboard_db_errors_total", kind="operational") >= 1
    assert moved("switchboard_redis_errors_total", component="request") == 1
    assert moved("switchboard_http_errors_total", status="503", code="SERVICE_UNAVAILABLE") == 1
    assert moved("switchboard_http_requests_total", route="/api/quick-replies", status="500") == 1
    assert total(before, "switchboard_redis_up") == 1 and total(after, "switchboard_redis_up") == 0
    assert total(after, "switchboard_db_up") == 1
    assert "switchboard_conversations" not in after  # unknown while Redis is down, not zero
