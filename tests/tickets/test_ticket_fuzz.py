"""Schemathesis, every check, on the ticket routes of the PostgreSQL-backed API (the agent
pass of tests/api/test_schemathesis.py runs on SQLite; text PostgreSQL refuses, such as NUL,
only shows here)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import login
from tests.api.test_schemathesis import (
    failures,
    finished,
    lax_coercion,
    mislabeled,
    schemathesis,
)
from tests.api_http import ApiServer

pytestmark = pytest.mark.slow


@pytest.mark.timeout(900)
def test_every_check_passes_on_the_ticket_routes(ticket_api: ApiServer, tmp_path: Path) -> None:
    with ticket_api.client() as http:
        token = login(http, "agent003")["access_token"]
    auth = ["--header", f"Authorization: Bearer {token}"]
    report = tmp_path / "report.xml"
    run = finished(report, schemathesis(ticket_api, report, *auth, "--include-tag", "tickets"))
    with httpx.Client(base_url=ticket_api.url) as http:
        openapi = http.get("/schema/openapi.json").json()
        assert http.get("/ready").status_code == 200
    found: list[str] = []
    tolerated: list[str] = []
    for operation, text in failures(run):
        known = lax_coercion(text) or mislabeled(operation, text, openapi)
        (tolerated if known else found).append(f"{operation}: {text[:1500]}")
    print(run.stdout[-1500:], "\ntolerated:", *tolerated, sep="\n")
    assert found == [], "\n\n".join(found) + "\n\n" + run.stdout[-3000:]
    assert "Traceback" not in ticket_api.log.read_text(errors="replace")
