"""Tenants over HTTP (seed 002): the platform admin's `/api/tenants`, a tenant admin's
`/api/tenants/current`, the `tid` claim, the widget's site key and suspension."""

from __future__ import annotations

import uuid

import httpx
import jwt

from tests.tenants.conftest import (
    ADMIN_A,
    ADMIN_B,
    AGENT_B,
    PASSWORD,
    PLATFORM,
    SITE_A,
    SITE_B,
    bearer,
    login,
    open_chat,
    opened,
    token_of,
)


def claims(token: str) -> dict[str, object]:
    data: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return data


def new_tenant(http: httpx.Client, platform: str, *, admin: str | None = None) -> dict[str, object]:
    tenant_id = f"t-{uuid.uuid4().hex[:8]}"
    body: dict[str, object] = {"id": tenant_id, "name": f"租戶 {tenant_id}", "plan": "專業版"}
    if admin is not None:
        body["admin"] = {"username": admin, "password": PASSWORD, "name": "租戶管理員"}
    response = http.post("/api/tenants", json=body, headers=bearer(platform))
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()["data"]
    return data


def test_tokens_carry_the_tenant_of_the_account(http: httpx.Client) -> None:
    assert claims(token_of(http, ADMIN_A))["tid"] == "default"
    assert claims(token_of(http, AGENT_B))["tid"] == "harbor"
    assert claims(token_of(http, PLATFORM))["tid"] is None
    harbor = bearer(token_of(http, ADMIN_B))
    me = http.get("/api/agent/profile", headers=harbor).json()
    assert me["agent"]["tenant_id"] == "harbor"
    other = http.get("/api/agent/profile", params={"username": "agent001"}, headers=harbor)
    assert (other.status_code, other.json()["code"]) == (404, "AGENT_NOT_FOUND")


def test_platform_admin_creates_lists_and_reads_tenants(http: httpx.Client) -> None:
    platform = token_of(http, PLATFORM)
    created = new_tenant(http, platform)
    assert created["status"] == "active" and str(created["site_key"]).startswith("sk_")
    assert created["model"] == {"provider": "offline", "model": None, "endpoint": None,
                                "deployment": None, "temperature": None, "api_key_env": None,
                                "api_key_set": False}  # fmt: skip
    listed = http.get("/api/tenants", params={"page_size": 100}, headers=bearer(platform))
    ids = [t["id"] for t in listed.json()["data"]["tenants"]]
    assert ids[:2] == ["default", "harbor"] and created["id"] in ids
    again = http.post("/api/tenants", json={"id": created["id"], "name": "x"},
                      headers=bearer(platform))  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "TENANT_EXISTS")
    missing = http.get("/api/tenants/no-such-tenant", headers=bearer(platform))
    assert (missing.status_code, missing.json()["code"]) == (404, "TENANT_NOT_FOUND")
    bad = http.post("/api/tenants", json={"id": "Bad Id", "name": "x"}, headers=bearer(platform))
    assert bad.status_code == 422


def test_tenant_admins_cannot_manage_tenants_and_platform_admins_have_no_current(
    http: httpx.Client,
) -> None:
    admin = token_of(http, ADMIN_A)
    assert http.get("/api/tenants", headers=bearer(admin)).status_code == 403
    assert http.get("/api/tenants/harbor", headers=bearer(admin)).status_code == 403
    platform = token_of(http, PLATFORM)
    assert http.get("/api/tenants/current", headers=bearer(platform)).status_code == 403
    # a platform admin has no tenant-owned data either
    assert http.get("/api/agents", headers=bearer(platform)).status_code == 403


def test_tenant_admin_edits_own_model_settings_and_never_sees_a_key(http: httpx.Client) -> None:
    admin = token_of(http, ADMIN_B)
    current = http.get("/api/tenants/current", headers=bearer(admin)).json()["data"]
    assert current["id"] == "harbor" and current["site_key"] == SITE_B
    incomplete = http.patch("/api/tenants/current", json={"model": {"provider": "openai"}},
                            headers=bearer(admin))  # fmt: skip
    assert (incomplete.status_code, incomplete.json()["code"]) == (400, "MODEL_SETTINGS_INCOMPLETE")
    assert incomplete.json()["details"]["missing"] == ["name", "api_key_env"]
    model = {"provider": "openai", "model": "gpt-4o-mini", "temperature": 0.3,
             "api_key_env": "HARBOR_OPENAI_KEY"}  # fmt: skip
    changed = http.patch("/api/tenants/current", json={"name": "海港電信", "model": model},
                         headers=bearer(admin))  # fmt: skip
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert data["name"] == "海港電信"
    assert data["model"]["provider"] == "openai" and data["model"]["api_key_set"] is False
    assert "api_key" not in data["model"]
    key = http.patch("/api/tenants/current", json={"model": {"api_key": "sk-secret"}},
                     headers=bearer(admin))  # fmt: skip
    assert key.status_code == 422  # a key itself is never accepted (closed body)
    # the platform admin sees the same settings on the tenant
    platform = token_of(http, PLATFORM)
    seen = http.get("/api/tenants/harbor", headers=bearer(platform)).json()["data"]
    assert seen["model"]["model"] == "gpt-4o-mini" and seen["name"] == "海港電信"


def test_the_site_key_decides_the_customers_tenant(http: httpx.Client) -> None:
    missing = open_chat(http, None)
    assert (missing.status_code, missing.json()["code"]) == (401, "SITE_KEY_REQUIRED")
    unknown = open_chat(http, "sk_nobody")
    assert (unknown.status_code, unknown.json()["code"]) == (401, "SITE_KEY_INVALID")
    assert claims(opened(http, SITE_A)["token"])["tid"] == "default"
    assert claims(opened(http, SITE_B)["token"])["tid"] == "harbor"
    # a tenant field in the body is refused, never used
    body = http.post("/api/conversation/new", json={"tenant_id": "harbor"},
                     headers={"X-Site-Key": SITE_A})  # fmt: skip
    assert body.status_code == 422


def test_a_rotated_site_key_stops_opening_chats(http: httpx.Client) -> None:
    platform = token_of(http, PLATFORM)
    admin_name = f"adm{uuid.uuid4().hex[:8]}"
    tenant = new_tenant(http, platform, admin=admin_name)
    old = str(tenant["site_key"])
    assert claims(opened(http, old)["token"])["tid"] == tenant["id"]
    admin = token_of(http, admin_name)
    rotated = http.post("/api/tenants/current/site-key", headers=bearer(admin))
    new = rotated.json()["data"]["site_key"]
    assert rotated.status_code == 200 and new != old
    assert open_chat(http, old).json()["code"] == "SITE_KEY_INVALID"
    assert claims(opened(http, new)["token"])["tid"] == tenant["id"]


def test_a_suspended_tenant_is_refused_everywhere_until_reactivated(http: httpx.Client) -> None:
    platform = token_of(http, PLATFORM)
    admin_name = f"adm{uuid.uuid4().hex[:8]}"
    tenant = new_tenant(http, platform, admin=admin_name)
    tenant_id, site_key = str(tenant["id"]), str(tenant["site_key"])
    admin = token_of(http, admin_name)
    chat = opened(http, site_key)
    assert http.get("/api/tenants/current", headers=bearer(admin)).status_code == 200

    suspended = http.post(f"/api/tenants/{tenant_id}/suspend", headers=bearer(platform))
    assert suspended.status_code == 200 and suspended.json()["data"]["status"] == "suspended"

    def refused(response: httpx.Response) -> None:
        assert (response.status_code, response.json()["code"]) == (403, "TENANT_SUSPENDED")

    refused(http.get("/api/tenants/current", headers=bearer(admin)))  # an issued token
    refused(login(http, admin_name))  # a new login
    refused(open_chat(http, site_key))  # the widget
    talk = {"session_name": chat["session_name"], "message": "你好"}
    refused(http.post("/api/chat", json=talk, headers=bearer(chat["token"])))  # a customer
    # other tenants go on
    assert (
        http.get("/api/tenants/current", headers=bearer(token_of(http, ADMIN_B))).status_code == 200
    )

    back = http.patch(f"/api/tenants/{tenant_id}", json={"status": "active"},
                      headers=bearer(platform))  # fmt: skip
    assert back.status_code == 200
    assert http.get("/api/tenants/current", headers=bearer(admin)).status_code == 200
    assert open_chat(http, site_key).status_code == 201


def test_account_admin_sees_and_touches_only_its_own_tenant(http: httpx.Client) -> None:
    harbor = token_of(http, ADMIN_B)
    listed = http.get("/api/agents", params={"page_size": 100}, headers=bearer(harbor))
    names = {u["username"] for u in listed.json()["data"]["items"]}
    assert names == {"harbor-admin", "harbor-agent"}
    other = http.put("/api/agents/agent002", json={"name": "改名"}, headers=bearer(harbor))
    assert other.status_code == 404  # another tenant's account: as if it did not exist
    default = token_of(http, ADMIN_A)
    listed = http.get("/api/agents", params={"page_size": 100}, headers=bearer(default))
    names = {u["username"] for u in listed.json()["data"]["items"]}
    assert "harbor-agent" not in names and "agent001" in names


def test_a_chat_opened_on_b_site_belongs_to_b(http: httpx.Client) -> None:
    """The session's tenant is set when it starts (from the site key): B's agents see it, A's
    get 404, and the queue of each lists only its own chats."""
    chat = opened(http, SITE_B)
    name = chat["session_name"]
    harbor, default = bearer(token_of(http, ADMIN_B)), bearer(token_of(http, ADMIN_A))
    assert http.get(f"/api/sessions/{name}", headers=harbor).status_code == 200
    assert http.get(f"/api/sessions/{name}", headers=default).status_code == 404
    queue_b = http.get("/api/sessions", params={"page_size": 100}, headers=harbor).text
    queue_a = http.get("/api/sessions", params={"page_size": 100}, headers=default).text
    assert name in queue_b and name not in queue_a
