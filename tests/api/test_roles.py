"""The role matrix: every protected route × every kind of caller → the expected status.

Renewal routes are called with valid bodies naming an unknown session, so a caller who gets
past authentication and the role guard sees 404; logout and password changes are called only in
ways that change nothing (their happy paths are in test_auth_http). User administration is
called with unknown accounts or a refused password, which changes nothing either (its happy
paths are in test_user_admin).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import PASSWORD, bearer, forged_token, login
from tests.api_http import ApiServer

UNKNOWN = "renewal_2_0123456789ab"
STORE, SERVICE, ADMIN, ANY = ("sales", "manager", "admin"), ("agent", "admin"), ("admin",), "any"
BAD_TOKENS = ("none", "expired", "revoked", "outdated", "garbage", "basic")


def _renewal(path: str, **body: Any) -> tuple[str, str, dict[str, Any] | None, Any, int]:
    return ("POST", f"/api/renewal-workflow/{path}", {"session_id": UNKNOWN, **body}, STORE, 404)


def _accounts(
    base: str, unknown: str, new: dict[str, Any]
) -> list[tuple[str, str, dict[str, Any] | None, Any, int]]:
    """The five admin routes of one account family, none of which changes anything."""
    return [
        ("GET", base, None, ADMIN, 200),
        ("POST", base, {**new, "password": "short"}, ADMIN, 400),
        ("PUT", f"{base}/{unknown}", {"name": "x"}, ADMIN, 404),
        ("DELETE", f"{base}/{unknown}", None, ADMIN, 404),
        ("POST", f"{base}/{unknown}/reset-password", {"new_password": "Valid1234"}, ADMIN, 404),
    ]


# (method, path, body, roles allowed, status for an allowed role)
ROUTES: list[tuple[str, str, dict[str, Any] | None, Any, int]] = [
    ("GET", "/api/auth/me", None, ANY, 200),
    ("POST", "/api/auth/change-password", {"old_password": "Nope1234", "new_password": "x"},
     ANY, 400),
    ("POST", "/api/auth/logout", None, ANY, -1),
    ("GET", "/api/agent/profile", None, SERVICE, 200),
    ("PUT", "/api/agent/profile", {"avatar_url": "/avatars/a.png"}, SERVICE, 200),
    ("POST", "/api/agent/change-password", {"old_password": "Nope1234", "new_password": "x"},
     SERVICE, 400),
    ("POST", "/api/agent/logout", None, SERVICE, -1),
    ("PUT", "/api/agent/status", {"status": "online"}, SERVICE, 200),
    ("GET", "/api/history/conversations", None, SERVICE, 200),
    ("GET", "/api/history/conversations/session_nobody", None, SERVICE, 404),
    ("GET", "/api/reports/daily", None, SERVICE, 200),
    ("GET", "/api/tickets", None, SERVICE, 200),
    ("GET", "/api/quick-replies", None, SERVICE, 200),
    ("GET", "/api/tags", None, SERVICE, 200),
    ("GET", "/api/auto-reply-rules", None, ADMIN, 200),
    ("POST", "/api/renewal-workflow/start", {"store_id": "S001"}, STORE, 201),
    ("GET", f"/api/renewal-workflow/session/{UNKNOWN}", None, STORE, 404),
    _renewal("step/query-customer", id_number="A123456789"),
    _renewal("step/list-phones"),
    _renewal("step/select-phone", phone_number="0912345678"),
    _renewal("step/select-device-type", device_type="none"),
    _renewal("step/select-device-os", os_type="ios"),
    _renewal("step/select-device", device_id="D003", color="黑"),
    _renewal("step/list-plans"),
    _renewal("step/select-plan", plan_id="P012"),
    _renewal("step/compare", compare=["P012", "P013"]),
    _renewal("step/confirm", confirmed=True),
    _renewal("submit", submit=True),
    _renewal("step/back", to="select_phone"),
    _renewal("abandon", reason="test"),
    ("GET", "/api/renewal-workflow/history", None, STORE, 200),
    ("GET", f"/api/renewal-workflow/session/{UNKNOWN}/application-form", None, STORE, 404),
    *_accounts("/api/agents", "nobody99", {"username": "matrix01", "name": "x"}),
    *_accounts("/api/users", "E9999", {"username": "E9001", "name": "x", "store_id": "S001"}),
]  # fmt: skip
ROLE_USERS = {"sales": "E1001", "manager": "E1000", "agent": "agent001", "admin": "admin"}


@pytest.fixture(scope="module")
def callers(http: httpx.Client, api_server: ApiServer, tokens: dict[str, str]) -> dict[str, Any]:
    """Authorization headers per kind of caller (None: no header at all)."""
    revoked = login(http, "E4002")["access_token"]
    assert http.post("/api/auth/logout", headers=bearer(revoked)).status_code == 200
    outdated = login(http, "E5002")["access_token"]
    changed = http.post(
        "/api/auth/change-password",
        json={"old_password": PASSWORD, "new_password": "Changed123"},
        headers=bearer(outdated),
    )
    assert changed.status_code == 200
    return {
        **{role: bearer(tokens[role]) for role in ROLE_USERS},
        "none": None,
        "expired": bearer(forged_token(api_server)),
        "revoked": bearer(revoked),
        "outdated": bearer(outdated),
        "garbage": bearer("not-a-jwt"),
        "basic": {"Authorization": "Basic YWRtaW46RGVtbzEyMzQ="},
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed", "ok"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES]
)
def test_role_matrix(
    http: httpx.Client,
    callers: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: Any,
    ok: int,
) -> None:
    wrong = []
    for caller, headers in callers.items():
        if caller in BAD_TOKENS:
            expected = 401
        elif allowed == ANY or caller in allowed:
            if ok < 0:
                continue  # a real logout would revoke a shared token: see test_auth_http
            expected = ok
        else:
            expected = 403
        response = http.request(method, path, json=body, headers=headers)
        if response.status_code != expected:
            wrong.append((caller, expected, response.status_code, response.text[:120]))
        elif expected >= 400:
            assert response.json()["success"] is False
    assert not wrong, wrong


def test_error_codes_tell_why_a_token_was_refused(
    http: httpx.Client, callers: dict[str, Any]
) -> None:
    codes = {
        caller: http.get("/api/auth/me", headers=callers[caller]).json()["code"]
        for caller in BAD_TOKENS
    }
    assert codes == {
        "none": "UNAUTHORIZED",
        "expired": "TOKEN_EXPIRED",
        "revoked": "TOKEN_REVOKED",
        "outdated": "TOKEN_REVOKED",
        "garbage": "INVALID_TOKEN",
        "basic": "UNAUTHORIZED",
    }


def test_public_routes_need_no_token(http: httpx.Client) -> None:
    assert http.get("/health").status_code == 200
    assert http.get("/schema/openapi.json").status_code == 200
    assert http.post("/api/auth/refresh", json={"refresh_token": "x"}).status_code == 401
    assert http.post("/api/agent/refresh", json={"refresh_token": "x"}).status_code == 401
