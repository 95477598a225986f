"""Cross-cutting HTTP behaviour: envelopes and statuses, request ids, security headers, CORS,
body limits, and the offline docs page with its OpenAPI schema."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx
from litestar import Litestar, get
from litestar.testing import TestClient

from api.app import _stamp_headers
from api.errors import EXCEPTION_HANDLERS
from graphs.renewal.steps import Step
from tests.api_http import ApiServer


def test_error_envelopes_and_statuses(http: httpx.Client, tokens: dict[str, str]) -> None:
    not_found = http.get("/api/nothing")
    assert not_found.status_code == 404 and not_found.json()["code"] == "NOT_FOUND"
    wrong_method = http.get("/api/auth/login")
    assert wrong_method.status_code == 405 and wrong_method.json()["success"] is False
    not_json = http.post(
        "/api/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["success"] is False
    missing = http.post("/api/auth/login", json={"password": "x"})
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "employee_code"


def test_body_limit_is_413(http: httpx.Client, api_server: ApiServer) -> None:
    big = b'{"employee_code": "' + b"x" * 1_100_000 + b'"}'
    response = http.post(
        "/api/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "success": False,
        "error": "Request Entity Too Large",
        "code": "PAYLOAD_TOO_LARGE",
    }


def test_request_id_is_echoed_or_made(http: httpx.Client) -> None:
    echoed = http.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = http.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", http.get("/api/nothing").headers["x-request-id"])


def test_security_headers_everywhere(http: httpx.Client) -> None:
    for path in ("/health", "/schema", "/api/nothing"):
        headers = http.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_cors_allow_list(http: httpx.Client, api_server: ApiServer) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    own = api_server.url  # the default allow list: the service's own origins on APP_PORT
    allowed = http.options("/api/auth/login", headers={"Origin": own, **preflight})
    assert allowed.headers.get("access-control-allow-origin") == own
    foreign = http.options(
        "/api/auth/login", headers={"Origin": "https://evil.example", **preflight}
    )
    assert foreign.headers.get("access-control-allow-origin") is None
    simple = http.get("/health", headers={"Origin": "https://evil.example"})
    assert simple.headers.get("access-control-allow-origin") is None


def test_unexpected_error_is_500_with_request_id_and_no_internals() -> None:
    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("db password is hunter2")

    app = Litestar([boom], exception_handlers=EXCEPTION_HANDLERS, before_send=[_stamp_headers])
    with TestClient(app) as client:
        response = client.get("/boom", headers={"X-Request-ID": "req-7"})
    assert response.status_code == 500
    assert response.json() == {
        "success": False,
        "error": "internal error",
        "code": "INTERNAL_ERROR",
        "request_id": "req-7",
    }
    assert response.headers["x-request-id"] == "req-7"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in found.items() if k in ("src", "href") and v]
        self._in_script = tag == "script" and "src" not in found

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def test_docs_page_is_offline(http: httpx.Client) -> None:
    page = http.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = _Refs()
    refs.feed(page.text)
    assert refs.urls and refs.inline_scripts == 0
    assert "://" not in page.text  # no absolute URL at all, so no CDN
    for url in refs.urls:
        assert url.startswith("/schema/assets/"), url
        asset = http.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100
    js = http.get("/schema/assets/swagger-ui-bundle.js")
    assert "javascript" in js.headers["content-type"] and b"SwaggerUIBundle" in js.content
    assert "validatorUrl: null" in http.get("/schema/assets/init.js").text
    assert http.get("/schema/assets/index.html").status_code == 404  # only listed files
    assert http.get("/schema/assets/..%2F..%2Fapp.py").status_code == 404
    redirect = http.get("/docs", follow_redirects=False)
    assert redirect.status_code in (302, 307) and redirect.headers["location"] == "/schema"


def test_openapi_schema_is_complete(http: httpx.Client) -> None:
    schema: dict[str, Any] = http.get("/schema/openapi.json").json()
    paths = schema["paths"]
    renewal = [p for p in paths if p.startswith("/api/renewal-workflow/")]
    assert len(renewal) == 18  # 15 workflow routes + chat/stream (side chat) + history + form
    form = paths["/api/renewal-workflow/session/{session_id}/application-form"]["get"]
    assert list(form["responses"]["200"]["content"]) == ["text/html"]
    for p in ("/api/auth/login", "/api/auth/me", "/api/agent/profile", "/api/auth/refresh"):
        assert p in paths
    # the docs page lists the steps as staff walk them, not alphabetically
    steps = [p.rsplit("/", 1)[1].replace("-", "_") for p in renewal if "/step/" in p]
    walked = [s for s in steps if s in set(Step)]
    assert walked == [s.value for s in Step if s.value in walked] and len(walked) == 8, steps
    for stream in ("step/list-plans", "step/compare"):
        ok = paths[f"/api/renewal-workflow/{stream}"]["post"]["responses"]["200"]
        assert list(ok["content"]) == ["text/event-stream"]
        assert "event: progress" in ok["content"]["text/event-stream"]["example"]
    step = paths["/api/renewal-workflow/step/select-phone"]["post"]
    assert set(step["responses"]) >= {"200", "401", "403", "404", "409", "422"}
    assert step["security"] == [{"BearerToken": []}]
    assert "security" not in paths["/api/auth/login"]["post"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    login = schema["components"]["schemas"]["StaffLogin"]["properties"]
    assert login["employee_code"]["examples"] == ["E1001"]


def test_an_idle_keep_alive_connection_outlives_uvicorns_five_seconds(
    api_server: ApiServer,
) -> None:
    """A client (or nginx) that reuses a connection after a pause must not find it closed:
    CI once lost a request to "Remote end closed connection without response" when a
    schemathesis case came 5 s after the one before."""
    import http.client
    import time
    from urllib.parse import urlsplit

    address = urlsplit(api_server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.request("GET", "/health")
        first = connection.getresponse()
        first.read()
        socket_before = connection.sock
        time.sleep(6.0)  # past uvicorn's default 5 s keep-alive
        connection.request("GET", "/health")  # http.client raises if the server hung up
        second = connection.getresponse()
        second.read()
    finally:
        connection.close()
    assert (first.status, second.status) == (200, 200)
    assert socket_before is not None and connection.sock is None  # closed by us, at the end
