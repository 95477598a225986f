"""User administration over real HTTP: `/api/agents` and `/api/users` (admins only).

Every account these tests change is created here (agent1xx, admin2xx, E?1xx), so the shared
tokens of the other suites stay valid; the demo `admin` is only ever refused or renamed to its
own name. The role matrix of these routes is in test_roles.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from core.db.models import AuditEntry, LoginLog, User
from tests.api.conftest import bearer, login
from tests.api.test_auth_http import db_run
from tests.api_http import ApiServer

NEW_PASSWORD = "Welcome2026"


@pytest.fixture(scope="module")
def admin(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["admin"])


def answer(response: httpx.Response, status: int) -> dict[str, Any]:
    """The body of a response with `status`, checked to carry no password hash."""
    assert response.status_code == status, response.text
    assert "password_hash" not in response.text and "$2b$" not in response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is (status < 400)
    return body


def create(
    http: httpx.Client, headers: dict[str, str], family: str, **fields: Any
) -> dict[str, Any]:
    body = {"password": NEW_PASSWORD, "name": "測試帳號", **fields}
    data: dict[str, Any] = answer(http.post(f"/api/{family}", json=body, headers=headers), 201)[
        "data"
    ]
    return data


def audit_reasons(api_server: ApiServer, username: str) -> list[tuple[str, str]]:
    rows = db_run(
        api_server,
        sa.select(AuditEntry.reason, AuditEntry.operator)
        .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == username)
        .order_by(AuditEntry.id),
    )
    return [(r.reason, r.operator) for r in rows]


def column(api_server: ApiServer, username: str, name: str) -> Any:
    rows = db_run(api_server, sa.select(getattr(User, name)).where(User.username == username))
    return rows[0][0] if rows else None


# --- create -----------------------------------------------------------------------------------
def test_created_agent_can_log_in_and_is_audited(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    agent = create(
        http,
        admin,
        "agents",
        username="agent101",
        name="客服小鹿",
        email="deer@example.com",
        max_sessions=3,
    )
    assert (agent["username"], agent["role"], agent["name"]) == ("agent101", "agent", "客服小鹿")
    assert (agent["email"], agent["max_sessions"], agent["is_active"]) == (
        "deer@example.com",
        3,
        True,
    )
    assert agent["store_id"] is None and agent["status"] == "offline"
    logged_in = http.post(
        "/api/agent/login", json={"username": "agent101", "password": NEW_PASSWORD}
    )
    assert answer(logged_in, 200)["agent"]["username"] == "agent101"
    assert str(column(api_server, "agent101", "password_hash")).startswith("$2b$12$")
    assert audit_reasons(api_server, "agent101") == [("account_created", "admin")]
    assert NEW_PASSWORD not in api_server.log.read_text(errors="replace")


def test_created_store_staff_can_log_in_with_the_employee_code(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    staff = create(http, admin, "users", username="E4101", role="manager", store_id="S004")
    assert (staff["role"], staff["store_id"], staff["max_sessions"]) == ("manager", "S004", 5)
    assert login(http, "E4101", NEW_PASSWORD)["user"]["store_id"] == "S004"


def test_create_refusals_change_nothing(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    def refused(family: str, status: int, **fields: Any) -> dict[str, Any]:
        body = {"password": NEW_PASSWORD, "name": "x", **fields}
        return answer(http.post(f"/api/{family}", json=body, headers=admin), status)

    create(http, admin, "agents", username="agent102")
    for taken in ("agent102", "AGENT102", "agent001", "admin"):
        assert refused("agents", 409, username=taken)["code"] == "USERNAME_TAKEN"
    assert refused("users", 409, username="E1001", store_id="S001")["code"] == "USERNAME_TAKEN"
    weak = refused("agents", 400, username="agent190", password="short1")
    assert weak["code"] == "INVALID_PASSWORD" and weak["details"]["field"] == "password"
    assert weak["error"].startswith("password:")
    assert refused("agents", 400, username="agent191", password="lettersonly")["details"] == {
        "field": "password"
    }
    store = refused("users", 400, username="E9101", store_id="S999")
    assert store["code"] == "UNKNOWN_STORE" and store["details"]["field"] == "store_id"
    # roles and fields outside the family are schema errors naming the field
    assert "role" in refused("users", 422, username="E9102", store_id="S001", role="agent")["error"]
    assert "store_id" in refused("users", 422, username="E9103")["error"]
    assert "store_id" in refused("agents", 422, username="agent192", store_id="S001")["error"]
    assert "username" in refused("users", 422, username="bad name", store_id="S001")["error"]
    for nobody in ("agent190", "agent191", "agent192", "E9101", "E9102", "E9103"):
        assert column(api_server, nobody, "id") is None


# --- update -----------------------------------------------------------------------------------
def test_update_changes_only_the_given_fields(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    create(http, admin, "agents", username="agent103", email="a@example.com")
    token = login(http, "agent103", NEW_PASSWORD)["access_token"]
    assert http.get("/api/agents", headers=bearer(token)).status_code == 403

    def put(path: str, status: int, **fields: Any) -> dict[str, Any]:
        return answer(http.put(path, json=fields, headers=admin), status)

    edited = put("/api/agents/agent103", 200, name="客服小鹿", max_sessions=8, role="admin")
    assert (edited["data"]["name"], edited["data"]["max_sessions"]) == ("客服小鹿", 8)
    assert edited["data"]["email"] == "a@example.com"  # untouched
    assert put("/api/agents/agent103", 200, email=None)["data"]["email"] is None
    # a role change takes effect at once, on the token the account already holds
    assert http.get("/api/agents", headers=bearer(token)).status_code == 200
    assert put("/api/agents/agent103", 200, role="agent")["data"]["role"] == "agent"

    assert put("/api/agents/agent103", 400)["code"] == "NO_FIELDS_TO_UPDATE"
    for bad, field in (
        ({"name": None}, "name"),
        ({"store_id": "S001"}, "store_id"),
        ({"max_sessions": -1}, "max_sessions"),
        ({"role": "sales"}, "role"),
        ({"token_version": 0}, "token_version"),
    ):
        refused = http.put("/api/agents/agent103", json=bad, headers=admin)
        assert field in answer(refused, 422)["error"], bad
    assert put("/api/agents/nobody99", 404, name="x")["code"] == "NOT_FOUND"
    assert put("/api/users/agent103", 404, name="x")["code"] == "NOT_FOUND"  # other family
    assert put("/api/agents/E1001", 404, name="x")["code"] == "NOT_FOUND"
    assert [r for r, _ in audit_reasons(api_server, "agent103")] == [
        "account_created",
        "account_updated",
        "account_updated",
        "account_updated",
    ]


def test_store_staff_move_and_refused_store_change_nothing(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    create(http, admin, "users", username="E1104", store_id="S001")
    moved = http.put(
        "/api/users/E1104", json={"store_id": "S003", "role": "manager"}, headers=admin
    )
    assert (answer(moved, 200)["data"]["store_id"], moved.json()["data"]["role"]) == (
        "S003",
        "manager",
    )
    refused = http.put("/api/users/E1104", json={"name": "改名", "store_id": "S999"}, headers=admin)
    assert answer(refused, 400)["code"] == "UNKNOWN_STORE"
    assert column(api_server, "E1104", "display_name") == "測試帳號"
    assert column(api_server, "E1104", "store_id") == "S003"
    sneaky = http.put("/api/users/E1104", json={"max_sessions": 9}, headers=admin)
    assert "max_sessions" in answer(sneaky, 422)["error"]


# --- delete -----------------------------------------------------------------------------------
def test_delete_revokes_tokens_keeps_history_and_blocks_login(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    agent = create(http, admin, "agents", username="agent104")
    tokens = login(http, "agent104", NEW_PASSWORD)
    assert http.get("/api/agent/profile", headers=bearer(tokens["access_token"])).status_code == 200

    deleted = answer(http.delete("/api/agents/agent104", headers=admin), 200)["data"]
    assert deleted["is_active"] is False and deleted["status"] == "offline"
    assert http.get("/api/agent/profile", headers=bearer(tokens["access_token"])).status_code == 401
    stale = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert stale.status_code == 401
    gone = http.post("/api/agent/login", json={"username": "agent104", "password": NEW_PASSWORD})
    assert answer(gone, 401)["code"] == "INVALID_CREDENTIALS"
    # soft: the row and its login history stay
    logs = db_run(api_server, sa.select(LoginLog.id).where(LoginLog.user_id == agent["id"]))
    assert logs
    assert (
        answer(http.delete("/api/agents/agent104", headers=admin), 200)["data"]["is_active"]
        is False
    )
    listed = http.get("/api/agents", params={"is_active": "false", "q": "agent104"}, headers=admin)
    assert [a["username"] for a in answer(listed, 200)["data"]["items"]] == ["agent104"]
    assert [r for r, _ in audit_reasons(api_server, "agent104")] == [
        "account_created",
        "account_deleted",
    ]
    # reactivating lets the account log in again, but never revives the old token
    back = http.put("/api/agents/agent104", json={"is_active": True}, headers=admin)
    assert answer(back, 200)["data"]["is_active"] is True
    assert http.get("/api/agent/profile", headers=bearer(tokens["access_token"])).status_code == 401
    assert login(http, "agent104", NEW_PASSWORD)["user"]["username"] == "agent104"
    assert answer(http.delete("/api/users/nobody99", headers=admin), 404)["code"] == "NOT_FOUND"


def test_deactivating_store_staff_revokes_their_token(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    create(http, admin, "users", username="E1105", store_id="S001")
    token = login(http, "E1105", NEW_PASSWORD)["access_token"]
    off = http.put("/api/users/E1105", json={"is_active": False}, headers=admin)
    assert answer(off, 200)["data"]["is_active"] is False
    assert http.get("/api/auth/me", headers=bearer(token)).status_code == 401
    assert answer(http.delete("/api/users/E1105", headers=admin), 200)["data"]["is_active"] is False


# --- reset password ---------------------------------------------------------------------------
def test_reset_password_clears_lockout_and_revokes_old_tokens(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    create(http, admin, "agents", username="agent105")
    old = login(http, "agent105", NEW_PASSWORD)["access_token"]
    wrong = {"employee_code": "agent105", "password": "Wrong1234"}
    statuses = [http.post("/api/auth/login", json=wrong).status_code for _ in range(5)]
    assert statuses[-1] == 423
    url = "/api/agents/agent105/reset-password"
    weak = answer(http.post(url, json={"new_password": "lettersonly"}, headers=admin), 400)
    assert weak["code"] == "INVALID_PASSWORD" and weak["details"]["field"] == "new_password"
    assert column(api_server, "agent105", "locked_until") is not None  # refused: unchanged

    reset = http.post(url, json={"new_password": "Reset2026x"}, headers=admin)
    data = answer(reset, 200)["data"]
    assert "Reset2026x" not in reset.text
    assert (data["failed_login_count"], data["locked_until"]) == (0, None)
    assert http.get("/api/agent/profile", headers=bearer(old)).status_code == 401
    assert (
        http.post(
            "/api/auth/login", json={"employee_code": "agent105", "password": NEW_PASSWORD}
        ).status_code
        == 401
    )
    assert login(http, "agent105", "Reset2026x")["user"]["username"] == "agent105"
    assert audit_reasons(api_server, "agent105")[-1] == ("password_reset", "admin")
    assert "Reset2026x" not in api_server.log.read_text(errors="replace")
    create(http, admin, "users", username="E1106", store_id="S001")
    staff = http.post(
        "/api/users/E1106/reset-password", json={"new_password": "Reset2026y"}, headers=admin
    )
    answer(staff, 200)
    assert login(http, "E1106", "Reset2026y")["user"]["username"] == "E1106"
    unknown = http.post(
        "/api/agents/E1106/reset-password", json={"new_password": "Reset2026z"}, headers=admin
    )
    assert answer(unknown, 404)["code"] == "NOT_FOUND"


# --- the admins themselves --------------------------------------------------------------------
def test_admin_cannot_delete_deactivate_or_demote_themselves(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    refused = [
        http.delete("/api/agents/admin", headers=admin),
        http.put("/api/agents/admin", json={"is_active": False}, headers=admin),
        http.put("/api/agents/admin", json={"role": "agent", "name": "hacked"}, headers=admin),
    ]
    assert [answer(r, 409)["code"] for r in refused] == ["SELF_CHANGE_REFUSED"] * 3
    assert column(api_server, "admin", "display_name") == "系統管理員"  # nothing half-done
    same = http.put("/api/agents/admin", json={"name": "系統管理員"}, headers=admin)
    assert answer(same, 200)["data"]["role"] == "admin"  # editing one's own name is fine
    assert http.get("/api/agents", headers=admin).status_code == 200  # the token still works


def test_two_admins_removing_each_other_leave_one_admin(
    http: httpx.Client, admin: dict[str, str], api_server: ApiServer
) -> None:
    """With the demo admin set aside, admin201 and admin202 delete each other at the same
    moment: one wins, the other is refused (409 LAST_ADMIN, or 401 when its token was already
    dead), and an active admin remains."""
    for name in ("admin201", "admin202"):
        create(http, admin, "agents", username=name, role="admin")
    heads = {
        n: bearer(login(http, n, NEW_PASSWORD)["access_token"]) for n in ("admin201", "admin202")
    }
    db_run(api_server, sa.update(User).where(User.username == "admin").values(is_active=False))
    try:
        barrier, statuses = threading.Barrier(2), {}

        def remove(actor: str, target: str) -> None:
            with api_server.client() as client:
                barrier.wait()
                response = client.delete(f"/api/agents/{target}", headers=heads[actor])
                statuses[actor] = (response.status_code, response.json().get("code"))

        threads = [
            threading.Thread(target=remove, args=pair)
            for pair in (("admin201", "admin202"), ("admin202", "admin201"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        db_run(api_server, sa.update(User).where(User.username == "admin").values(is_active=True))
    outcomes = sorted(statuses.values())
    assert outcomes[0] == (200, None) and outcomes[1] in {
        (409, "LAST_ADMIN"),
        (401, "INVALID_TOKEN"),
    }
    active = [column(api_server, n, "is_active") for n in ("admin201", "admin202")]
    assert sorted(active) == [False, True]
    assert http.get("/api/agents", headers=admin).status_code == 200  # shared token untouched


# --- lists ------------------------------------------------------------------------------------
def test_agent_list_pages_and_filters(http: httpx.Client, admin: dict[str, str]) -> None:
    def page(**params: Any) -> dict[str, Any]:
        data: dict[str, Any] = answer(http.get("/api/agents", params=params, headers=admin), 200)[
            "data"
        ]
        return data

    everyone = page(page_size=100)
    names = [a["username"] for a in everyone["items"]]
    assert names == sorted(names) and {"admin", "agent001", "agent002", "agent003"} <= set(names)
    assert {a["role"] for a in everyone["items"]} <= {"agent", "admin"}  # never store staff
    first, second = page(page_size=2), page(page=2, page_size=2)
    assert len(first["items"]) == 2 and first["total"] == everyone["total"]
    assert first["total_pages"] == -(-everyone["total"] // 2)
    assert [a["username"] for a in first["items"] + second["items"]] == names[:4]
    assert page(page=10_000)["items"] == []
    assert all(a["role"] == "admin" for a in page(role="admin", page_size=100)["items"])
    assert [a["username"] for a in page(q="AGENT00")["items"]] == [
        "agent001",
        "agent002",
        "agent003",
    ]
    assert [a["username"] for a in page(q="小狐")["items"]] == ["agent001"]
    assert page(q="%")["total"] == 0  # `%` and `_` are literal
    assert all(a["status"] == "online" for a in page(status="online")["items"])
    assert all(a["is_active"] for a in page(is_active="true", page_size=100)["items"])
    for bad in ({"page_size": 101}, {"page": 0}, {"role": "sales"}):
        assert http.get("/api/agents", params=bad, headers=admin).status_code in {400, 422}


def test_staff_list_filters_by_store_and_role(http: httpx.Client, admin: dict[str, str]) -> None:
    def usernames(**params: Any) -> list[str]:
        found = answer(http.get("/api/users", params=params, headers=admin), 200)["data"]
        return [u["username"] for u in found["items"]]

    assert usernames(store_id="S005") == ["E5000", "E5001", "E5002"]
    assert usernames(store_id="S002", role="manager") == ["E2000"]
    assert usernames(q="王小明") == ["E1001"]
    everyone = answer(http.get("/api/users", params={"page_size": 100}, headers=admin), 200)
    assert {u["role"] for u in everyone["data"]["items"]} <= {"sales", "manager"}
    assert http.get("/api/users", params={"store_id": "X1"}, headers=admin).status_code in {
        400,
        422,
    }
