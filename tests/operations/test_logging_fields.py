"""`LOG_JSON=true` on the real API (`python -m api`, its MCP stdio children on the same stream):
every line is one JSON object with timestamp, level, logger and event; a request's lines carry
its id, route template, status, latency and the signed-in user; no national ID, password or
token is ever written, not even when a client puts one in a URL."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import ROOT, Settings
from mcp_servers.backoffice.golden import GOLDEN
from tests.api_http import ApiServer, own_api_server, stop_api

pytestmark = pytest.mark.slow
PASSWORD = "Demo1234"


@pytest.fixture(scope="module")
def server(app_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    folder = tmp_path_factory.mktemp("log_fields")
    with own_api_server(app_settings, folder, "logfields", stdio_mcp=True, LOG_LEVEL="INFO") as api:
        yield api


def json_lines(server: ApiServer) -> list[dict[str, Any]]:
    stop_api(server.process)  # shutdown lines too; everything flushed
    parsed = []
    lines = server.log.read_text().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            # what follows: a shutdown past its budget dumps every thread's stack here (once
            # under load 8.7, 2026-12-05; the dump was lost with pytest's temp dir)
            after = "\n".join(lines[number : number + 80])
            pytest.fail(f"line {number} is not JSON: {line[:300]}\n{after}")
        assert isinstance(record, dict), line
        assert {"timestamp", "level", "logger", "event"} <= set(record), line
        parsed.append(record)
    return parsed


def by_request(lines: list[dict[str, Any]], request_id: str, logger: str) -> list[dict[str, Any]]:
    return [r for r in lines if r.get("request_id") == request_id and r["logger"] == logger]


def test_request_lines_carry_route_status_latency_user_and_no_secret(server: ApiServer) -> None:
    national_id = GOLDEN.eligible.national_id
    ids = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("login", "query", "denied", "url")}
    with server.client() as http:
        login = http.post("/api/auth/login", headers={"X-Request-ID": ids["login"]},
                          json={"employee_code": "E1001", "password": PASSWORD})  # fmt: skip
        assert login.status_code == 200, login.text
        tokens = login.json()["data"]
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        user_id = http.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"})
        staff = {"Authorization": f"Bearer {access}"}
        started = http.post("/api/renewal-workflow/start", headers=staff)
        assert started.status_code == 201, started.text
        session_id = started.json()["data"]["session_id"]
        query = http.post(
            "/api/renewal-workflow/step/query-customer",
            headers={**staff, "X-Request-ID": ids["query"]},
            json={"session_id": session_id, "id_number": national_id},
        )
        assert query.status_code == 200, query.text
        bad_token = {"X-Request-ID": ids["denied"], "Authorization": f"Bearer {access}x"}
        denied = http.get("/api/sessions", headers=bad_token)
        assert denied.status_code == 401
        in_url = http.get(f"/health?token={access}&id={national_id}&password={PASSWORD}",
                          headers={"X-Request-ID": ids["url"]})  # fmt: skip
        assert in_url.status_code == 200

    lines = json_lines(server)
    text = json.dumps(lines, ensure_ascii=False)
    for secret in (national_id, PASSWORD, access, refresh, access.split(".")[2]):
        assert secret not in text
    loggers = {r["logger"] for r in lines}
    assert {"uvicorn.error", "uvicorn.access", "api.request", "api.runtime"} <= loggers, loggers

    [lookup] = [r for r in lines if r["event"] == "customer_lookup"]  # the CRM's stdio child
    assert lookup["logger"] == "mcp_servers.crm.server" and lookup["id_number"] == "A12****789"

    [query_done] = by_request(lines, ids["query"], "api.request")
    assert query_done["event"] == "request_finished" and query_done["status"] == 200
    assert query_done["route"] == "/api/renewal-workflow/step/query-customer"
    assert query_done["method"] == "POST" and query_done["latency_ms"] > 0
    me = user_id.json()["data"]
    assert (query_done["user_id"], query_done["role"]) == (me["id"], "sales")
    [access_line] = by_request(lines, ids["query"], "uvicorn.access")
    assert access_line["status"] == 200 and access_line["route"] == query_done["route"]
    assert access_line["user_id"] == me["id"]
    assert 0 < access_line["latency_ms"] <= query_done["latency_ms"]

    [login_done] = by_request(lines, ids["login"], "api.request")
    assert (login_done["route"], login_done["status"]) == ("/api/auth/login", 200)
    assert "user_id" not in login_done  # nobody was signed in when it came

    [denied_done] = by_request(lines, ids["denied"], "api.request")
    assert (denied_done["status"], denied_done["route"]) == (401, "/api/sessions")
    assert "user_id" not in denied_done

    [url_access] = by_request(lines, ids["url"], "uvicorn.access")
    assert url_access["path"].startswith("/health?token=***&id=")
    assert "password=***" in url_access["path"]


def test_a_crash_and_a_warning_outside_any_request_are_json_lines_too() -> None:
    """A process that dies of an uncaught exception logs it as one masked JSON line."""
    script = (
        "import warnings\n"
        "from core.logging import configure_logging\n"
        "from core.settings import load_settings\n"
        "configure_logging(load_settings())\n"
        "warnings.warn('deprecated thing')\n"
        "raise RuntimeError('login failed for A123456789 with password=hunter2')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LOG_JSON": "true"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1
    warning, crash = (json.loads(line) for line in done.stderr.splitlines())
    assert (warning["logger"], warning["level"]) == ("py.warnings", "warning")
    assert "deprecated thing" in warning["event"]
    assert (crash["logger"], crash["event"], crash["level"]) == (
        "uncaught",
        "uncaught_exception",
        "critical",
    )
    assert "RuntimeError: login failed for A12****789 with password=***" in crash["exception"]
    assert "hunter2" not in done.stderr and "A123456789" not in done.stderr
