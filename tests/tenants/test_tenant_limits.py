"""Customer rate limits per tenant over HTTP: a platform admin sets a tenant's limits on the
tenant settings route, each tenant's windows are its own (one tenant's burst from an IP leaves
another tenant's budget for that IP alone), and nonsense is refused with the 422 envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from redis import Redis

from core.settings import Settings
from tests.api_http import ApiServer
from tests.tenants.conftest import ADMIN_A, PLATFORM, bearer, open_chat, opened, token_of
from tests.tenants.test_tenants_http import new_tenant


@pytest.fixture(scope="module")
def platform(http: httpx.Client) -> dict[str, str]:
    return bearer(token_of(http, PLATFORM))


@pytest.fixture(scope="module")
def redis(app_settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(app_settings.redis_url)
    yield client
    client.close()


def set_limits(
    http: httpx.Client, platform: dict[str, str], tenant: str, limits: dict[str, Any]
) -> httpx.Response:
    return http.patch(f"/api/tenants/{tenant}", json={"rate_limits": limits}, headers=platform)


def tenant_with(http: httpx.Client, platform: dict[str, str], **limits: int) -> dict[str, Any]:
    tenant = new_tenant(http, platform["Authorization"].removeprefix("Bearer "))
    if not limits:
        return tenant
    response = set_limits(http, platform, str(tenant["id"]), limits)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def send(http: httpx.Client, chat: dict[str, Any], text: str) -> httpx.Response:
    body = {"session_name": chat["session_name"], "message": text}
    return http.post("/api/chat", json=body, headers=bearer(chat["token"]))


def test_one_tenants_burst_never_spends_anothers_budget(
    http: httpx.Client, platform: dict[str, str]
) -> None:
    a = tenant_with(http, platform, conversation_per_ip=2)
    b = tenant_with(http, platform, conversation_per_ip=3)
    assert [open_chat(http, a["site_key"]).status_code for _ in range(2)] == [201, 201]
    refused = open_chat(http, a["site_key"])
    assert (refused.status_code, refused.json()["code"]) == (429, "RATE_LIMITED")
    assert int(refused.headers["Retry-After"]) >= 1
    # same client IP, the same minute: B still has its own three
    assert [open_chat(http, b["site_key"]).status_code for _ in range(3)] == [201, 201, 201]
    assert open_chat(http, b["site_key"]).status_code == 429
    assert open_chat(http, a["site_key"]).status_code == 429  # B's chats gave A nothing back


def test_a_tenants_per_session_limit_is_its_own(
    http: httpx.Client, platform: dict[str, str]
) -> None:
    strict = tenant_with(http, platform, chat_per_session=1)
    plain = tenant_with(http, platform)  # no override: the deployment's default (20)
    assert plain["rate_limits"]["chat_per_session"] == 20 and plain["rate_limits"]["custom"] == []
    mine, theirs = opened(http, strict["site_key"]), opened(http, plain["site_key"])
    assert send(http, mine, "你好").status_code == 200
    second = send(http, mine, "還在嗎")
    assert (second.status_code, second.json()["code"]) == (429, "RATE_LIMITED")
    assert [send(http, theirs, f"問題 {i}").status_code for i in range(2)] == [200, 200]


def test_limits_are_shown_reset_and_validated(http: httpx.Client, platform: dict[str, str]) -> None:
    tenant = tenant_with(http, platform, chat_per_ip=7)
    expected = {"chat_per_session": 20, "chat_per_ip": 7, "conversation_per_ip": 30,
                "custom": ["chat_per_ip"]}  # fmt: skip
    assert tenant["rate_limits"] == expected
    path = f"/api/tenants/{tenant['id']}"
    shown = http.get(path, headers=platform).json()["data"]["rate_limits"]
    assert shown["chat_per_ip"] == 7
    for nonsense in ({"chat_per_ip": -1}, {"chat_per_ip": 0}, {"chat_per_session": "many"},
                     {"per_hour": 5}):  # fmt: skip
        refused = set_limits(http, platform, str(tenant["id"]), nonsense)
        body = refused.json()
        assert refused.status_code == 422, (nonsense, refused.text)
        assert body["success"] is False and body["code"] == "VALIDATION_ERROR"
    assert http.get(path, headers=platform).json()["data"]["rate_limits"]["chat_per_ip"] == 7
    reset = set_limits(http, platform, str(tenant["id"]), {"chat_per_ip": None})
    assert reset.json()["data"]["rate_limits"]["chat_per_ip"] == 120
    assert reset.json()["data"]["rate_limits"]["custom"] == []
    missing = set_limits(http, platform, "no-such-tenant", {"chat_per_ip": 5})
    assert (missing.status_code, missing.json()["code"]) == (404, "TENANT_NOT_FOUND")


def test_a_tenant_admin_cannot_raise_its_own_limits(http: httpx.Client) -> None:
    admin = bearer(token_of(http, ADMIN_A))
    raised = http.patch("/api/tenants/current", json={"rate_limits": {"chat_per_ip": 10_000}},
                        headers=admin)  # fmt: skip
    assert raised.status_code == 422
    assert (
        http.get("/api/tenants/current", headers=admin).json()["data"]["rate_limits"]["chat_per_ip"]
        == 120
    )


def test_the_windows_in_redis_name_the_tenant(
    http: httpx.Client, platform: dict[str, str], tenant_server: ApiServer, redis: Redis
) -> None:
    tenant = tenant_with(http, platform, conversation_per_ip=5)
    opened(http, tenant["site_key"])
    prefix = tenant_server.env["REDIS_KEY_PREFIX"]
    mine = [k.decode() for k in redis.scan_iter(match=f"{prefix}:t:{tenant['id']}:rate:*")]
    assert f"{prefix}:t:{tenant['id']}:rate:conversation-ip:127.0.0.1" in mine
    assert f"{prefix}:t:{tenant['id']}:rate:limits" in mine
    assert not list(redis.scan_iter(match=f"{prefix}:rate:*"))  # no window outside a tenant
