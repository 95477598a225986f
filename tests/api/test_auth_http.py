"""Auth over real HTTP: logins, tokens, logout, password change, lockout, profile, login logs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from core.db.engine import create_engine
from core.db.models import LoginLog, User
from core.db.types import utc_now
from tests.api.conftest import PASSWORD, bearer, login
from tests.api_http import ApiServer


def db_run(api_server: ApiServer, statement: Any) -> list[Any]:
    """Run one statement on the API's own database (SQLite file) and return the rows."""

    async def run() -> list[Any]:
        engine = create_engine(url=api_server.env["DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                result = await conn.execute(statement)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def logs_of(api_server: ApiServer, username: str) -> list[tuple[str, bool]]:
    rows = db_run(
        api_server,
        sa.select(LoginLog.event, LoginLog.success)
        .where(LoginLog.username == username)
        .order_by(LoginLog.id),
    )
    return [(r.event, bool(r.success)) for r in rows]


def no_hash_anywhere(body: Any) -> None:
    text = str(body)
    assert "password_hash" not in text and "$2b$" not in text


def test_staff_login_answers_tokens_and_the_user(http: httpx.Client) -> None:
    response = http.post("/api/auth/login", json={"employee_code": "E1002", "password": PASSWORD})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["token_type"] == "bearer" and data["expires_in"] <= 7200
    assert data["refresh_expires_in"] <= 7 * 86400
    assert data["user"]["username"] == "E1002" and data["user"]["role"] == "sales"
    assert data["user"]["store_id"] == "S001" and data["user"]["status"] == "online"
    no_hash_anywhere(response.json())


def test_agent_login_keeps_seed_003_shape(http: httpx.Client) -> None:
    response = http.post("/api/agent/login", json={"username": "agent002", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["token"] and body["refresh_token"]
    assert body["agent"]["username"] == "agent002" and body["agent"]["role"] == "agent"
    assert isinstance(body["agent"]["last_login"], float)
    no_hash_anywhere(body)


def test_unknown_user_and_wrong_password_look_the_same(
    http: httpx.Client, api_server: ApiServer
) -> None:
    unknown = http.post("/api/auth/login", json={"employee_code": "E9999", "password": "x1"})
    wrong = http.post("/api/auth/login", json={"employee_code": "E3000", "password": "x1"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.json()["code"] == "INVALID_CREDENTIALS"
    assert logs_of(api_server, "E9999") == [("failed", False)]
    assert logs_of(api_server, "E3000")[-1] == ("failed", False)


def test_me_refresh_and_token_types(http: httpx.Client) -> None:
    tokens = login(http, "E1000")
    me = http.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json()["data"]["role"] == "manager"
    no_hash_anywhere(me.json())
    refreshed = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new_access = refreshed.json()["data"]["access_token"]
    assert refreshed.json()["token"] == new_access
    assert http.get("/api/auth/me", headers=bearer(new_access)).status_code == 200
    # a refresh token is not an access token and vice versa
    as_access = http.get("/api/auth/me", headers=bearer(tokens["refresh_token"]))
    assert as_access.status_code == 401 and as_access.json()["code"] == "INVALID_TOKEN"
    as_refresh = http.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert as_refresh.status_code == 401
    assert as_access.headers["www-authenticate"].startswith("Bearer")


def test_logout_revokes_access_and_refresh_tokens(
    http: httpx.Client, api_server: ApiServer
) -> None:
    tokens = login(http, "E3001")
    refreshed = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    second_access = refreshed.json()["data"]["access_token"]
    out = http.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert out.status_code == 200 and out.json()["success"] is True
    for token in (tokens["access_token"], second_access):
        revoked = http.get("/api/auth/me", headers=bearer(token))
        assert revoked.status_code == 401 and revoked.json()["code"] == "TOKEN_REVOKED"
    again = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    assert logs_of(api_server, "E3001") == [("login", True), ("logout", True)]
    fresh = login(http, "E3001")  # a new login works
    assert http.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
    keys = asyncio.run(_revocation_keys(api_server))
    prefix = api_server.env["REDIS_KEY_PREFIX"].encode()
    assert keys and all(k.startswith(prefix + b":auth:revoked:") for k in keys)


async def _revocation_keys(api_server: ApiServer) -> list[bytes]:
    from redis.asyncio import Redis

    redis = Redis.from_url(api_server.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        match = f"{api_server.env['REDIS_KEY_PREFIX']}:auth:revoked:*"
        keys = [k async for k in redis.scan_iter(match=match)]
        ttls = [await redis.ttl(k) for k in keys]
        assert all(0 < t <= 7 * 86400 for t in ttls)
        return keys
    finally:
        await redis.aclose()


def test_change_password_rules_and_revocation(http: httpx.Client) -> None:
    tokens = login(http, "E3002")
    headers = bearer(tokens["access_token"])
    url = "/api/auth/change-password"

    def change(old: str, new: str) -> httpx.Response:
        return http.post(url, json={"old_password": old, "new_password": new}, headers=headers)

    assert change("Wrong123", "NewPass123").json()["code"] == "OLD_PASSWORD_INCORRECT"
    assert change(PASSWORD, "short1").json()["code"] == "INVALID_PASSWORD"
    assert change(PASSWORD, "lettersonly").json()["code"] == "INVALID_PASSWORD"
    assert change(PASSWORD, "1234567890").json()["code"] == "INVALID_PASSWORD"
    same = change(PASSWORD, PASSWORD)
    assert same.status_code == 400 and same.json()["code"] == "PASSWORD_SAME"
    changed = change(PASSWORD, "NewPass5678")
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["data"]
    old = http.get("/api/auth/me", headers=headers)
    assert old.status_code == 401 and old.json()["code"] == "TOKEN_REVOKED"
    stale_refresh = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert stale_refresh.status_code == 401
    assert http.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
    refused = http.post("/api/auth/login", json={"employee_code": "E3002", "password": PASSWORD})
    assert refused.status_code == 401
    assert login(http, "E3002", "NewPass5678")["user"]["username"] == "E3002"


def test_lockout_after_five_failures_until_the_lock_expires(
    http: httpx.Client, api_server: ApiServer
) -> None:
    user = "E4001"
    body = {"employee_code": user, "password": "Wrong1234"}
    answers = [http.post("/api/auth/login", json=body) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 423]
    # the lock starts when the refusal is measured: 15 minutes, never "16" on a slow check
    assert answers[-1].headers["retry-after"] == str(15 * 60)
    right = http.post("/api/auth/login", json={"employee_code": user, "password": PASSWORD})
    assert right.status_code == 423 and right.json()["code"] == "ACCOUNT_LOCKED"
    assert 0 < int(right.headers["retry-after"]) <= 15 * 60
    assert logs_of(api_server, user) == [("failed", False)] * 6
    # the lock runs out (moved into the past instead of waiting 15 minutes)
    past = utc_now() - timedelta(seconds=1)
    db_run(api_server, sa.update(User).where(User.username == user).values(locked_until=past))
    assert login(http, user)["user"]["username"] == user
    assert logs_of(api_server, user)[-1] == ("login", True)


def test_agent_profile_read_and_edit(http: httpx.Client) -> None:
    token = http.post("/api/agent/login", json={"username": "agent003", "password": PASSWORD})
    headers = bearer(token.json()["token"])
    profile = http.get("/api/agent/profile", headers=headers)
    assert profile.status_code == 200 and profile.json()["agent"]["username"] == "agent003"
    empty = http.put("/api/agent/profile", json={}, headers=headers)
    assert empty.status_code == 400 and empty.json()["code"] == "NO_FIELDS_TO_UPDATE"
    sneaky = http.put("/api/agent/profile", json={"name": "x", "role": "admin"}, headers=headers)
    assert sneaky.status_code == 422 and "role" in sneaky.json()["error"]
    bad_url = http.put("/api/agent/profile", json={"avatar_url": "javascript:x"}, headers=headers)
    assert bad_url.status_code == 422 and "avatar_url" in bad_url.json()["error"]
    edited = http.put(
        "/api/agent/profile",
        json={"name": "客服小張", "avatar_url": "/avatars/zhang.png"},
        headers=headers,
    )
    assert edited.status_code == 200
    agent = edited.json()["agent"]
    assert (agent["name"], agent["avatar_url"], agent["role"]) == (
        "客服小張",
        "/avatars/zhang.png",
        "agent",
    )
    no_hash_anywhere(edited.json())
    store_staff = login(http, "E1002")["access_token"]
    assert http.get("/api/agent/profile", headers=bearer(store_staff)).status_code == 403
