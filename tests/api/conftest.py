"""Helpers for the HTTP suites: logins per role, bearer headers, an SSE reader, a journey."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest

from tests.api_http import ApiServer

PASSWORD = "Demo1234"

# Who plays which part (store S001 unless said otherwise). Accounts that tests log out, lock or
# re-password are used by that test only, so shared tokens stay valid for the whole run.
SALES, SALES_2, MANAGER, OTHER_MANAGER = "E1001", "E1002", "E1000", "E2000"
AGENT, ADMIN = "agent001", "admin"


def login(http: httpx.Client, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = http.post("/api/auth/login", json={"employee_code": username, "password": password})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def http(api_server: ApiServer) -> Iterator[httpx.Client]:
    with api_server.client() as client:
        yield client


@pytest.fixture(scope="session")
def tokens(http: httpx.Client) -> dict[str, str]:
    """One access token per part, for the whole run."""
    names = {"sales": SALES, "sales_2": SALES_2, "manager": MANAGER,
             "other_manager": OTHER_MANAGER, "agent": AGENT, "admin": ADMIN}  # fmt: skip
    return {part: login(http, name)["access_token"] for part, name in names.items()}


def forged_token(api_server: ApiServer, **claims: Any) -> str:
    """A token signed with the server's secret (for expired-token cases)."""
    now = int(time.time())
    payload = {"type": "access", "sub": "2", "role": "sales", "store_id": "S001", "ver": 0,
               "tid": "default", "sid": "s", "jti": "j", "iat": now - 7200, "exp": now - 60,
               **claims}  # fmt: skip
    return jwt.encode(payload, api_server.env["JWT_SECRET"], algorithm="HS256")


@dataclass
class Sse:
    events: list[dict[str, Any]] = field(default_factory=list)
    pings: int = 0
    raw: str = ""

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e["data"] for e in self.events if e["event"] == name]


def parse_sse(text: str) -> Sse:
    """Split a text/event-stream body into events (id, event, JSON data) and ping comments."""
    out = Sse(raw=text)
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        if all(line.startswith(":") for line in lines):
            out.pings += 1
            continue
        fields: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(": ")
            fields[name] = fields.get(name, "") + value
        out.events.append(
            {"id": int(fields["id"]), "event": fields["event"], "data": json.loads(fields["data"])}
        )
    return out


class HttpJourney:
    """A staff member clicking through the renewal over HTTP."""

    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http = http
        self.headers = bearer(token)
        self.session_id = ""
        self.view: dict[str, Any] = {}

    def post(self, path: str, **body: Any) -> httpx.Response:
        body.setdefault("session_id", self.session_id)
        return self.http.post(f"/api/renewal-workflow/{path}", json=body, headers=self.headers)

    def start(self) -> dict[str, Any]:
        response = self.http.post("/api/renewal-workflow/start", headers=self.headers)
        assert response.status_code == 201, response.text
        self.view = response.json()["data"]
        self.session_id = self.view["session_id"]
        return self.view

    def step(self, path: str, **body: Any) -> dict[str, Any]:
        response = self.post(path, **body)
        assert response.status_code == 200, response.text
        assert response.json()["success"] is True
        self.view = response.json()["data"]
        return self.view

    def stream(self, path: str, **body: Any) -> Sse:
        response = self.post(path, **body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        sse = parse_sse(response.text)
        complete = sse.named("complete")
        if complete:
            self.view = complete[-1]["data"]
        return sse

    @property
    def show(self) -> dict[str, Any]:
        show: dict[str, Any] = self.view["waiting"]["show"]
        return show

    def to_device_type(self) -> None:
        from mcp_servers.backoffice.golden import GOLDEN

        self.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
        self.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
        assert self.view["current_step"] == "select_device_type"
