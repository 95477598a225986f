"""One API process of the tenants suite's own (its tests create and suspend tenants), and
logins by tenant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.db.seed import DEMO_SITE_KEYS
from core.settings import Settings
from tests.api_http import ApiServer, own_api_server

PASSWORD = "Demo1234"
PLATFORM, ADMIN_A, AGENT_A, ADMIN_B, AGENT_B = (
    "platform", "admin", "agent001", "harbor-admin", "harbor-agent"
)  # fmt: skip
SITE_A, SITE_B = DEMO_SITE_KEYS["default"], DEMO_SITE_KEYS["harbor"]


@pytest.fixture(scope="module")
def tenant_server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with own_api_server(app_settings, tmp_path_factory.mktemp("tenants"), "tenants") as server:
        yield server


@pytest.fixture(scope="module")
def http(tenant_server: ApiServer) -> Iterator[httpx.Client]:
    with tenant_server.client(headers={}) as client:  # no site key unless a test sends one
        yield client


def login(http: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/agent/login", json={"username": username, "password": password})


def token_of(http: httpx.Client, username: str, password: str = PASSWORD) -> str:
    response = login(http, username, password)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def open_chat(http: httpx.Client, site_key: str | None) -> httpx.Response:
    headers = {"X-Site-Key": site_key} if site_key is not None else {}
    return http.post("/api/conversation/new", json={}, headers=headers)


def opened(http: httpx.Client, site_key: str) -> dict[str, Any]:
    response = open_chat(http, site_key)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
