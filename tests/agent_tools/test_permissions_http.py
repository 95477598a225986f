"""The seed's permissions table (企业级功能安全约束), route by route and role by role, over HTTP:
any agent reads and uses quick replies, reads and writes tags; only admins create and delete
quick replies and touch auto-reply rules; store staff get 403, no token 401."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent_tools.conftest import ToolsApi
from tests.api.handoff_support import new_customer

AGENT, ADMIN = "agent", "admin"
# (method, path, body, roles that pass the guard). Paths name things that may not exist: a role
# that passes gets past the guard (200/400/404), never 401/403.
ROUTES: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("GET", "/api/quick-replies", None, {AGENT, ADMIN}),
    ("POST", "/api/quick-replies", {"category": "policy", "title": "", "content": ""}, {ADMIN}),
    ("POST", "/api/quick-replies/reply_none/use", None, {AGENT, ADMIN}),
    ("DELETE", "/api/quick-replies/reply_none", None, {ADMIN}),
    ("GET", "/api/tags", None, {AGENT, ADMIN}),
    ("POST", "/api/tags", {"name": "", "color": "x"}, {AGENT, ADMIN}),
    ("POST", "/api/sessions/{s}/tags", {"tag_id": "tag_none"}, {AGENT, ADMIN}),
    ("DELETE", "/api/sessions/{s}/tags/tag_none", None, {AGENT, ADMIN}),
    ("GET", "/api/sessions/by-tag/tag_vip", None, {AGENT, ADMIN}),
    ("GET", "/api/sessions/{s}/tags", None, {AGENT, ADMIN}),
    ("DELETE", "/api/tags/tag_none", None, {ADMIN}),
    ("GET", "/api/auto-reply-rules", None, {ADMIN}),
    ("POST", "/api/auto-reply-rules", {"type": "busy", "reply_content": ""}, {ADMIN}),
    ("PUT", "/api/auto-reply-rules/rule_none", {"enabled": True}, {ADMIN}),
    ("DELETE", "/api/auto-reply-rules/rule_none", None, {ADMIN}),
]


@pytest.fixture(scope="module")
def session_name(tools_api: ToolsApi) -> str:
    return new_customer(tools_api.http).session_name


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES]
)
@pytest.mark.parametrize("role", ["sales", "manager", "agent", "admin", "customer", "none"])
def test_permissions(
    tools_api: ToolsApi,
    session_name: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: set[str],
    role: str,
) -> None:
    headers: dict[str, str] = {}
    if role == "customer":
        headers = {"Authorization": f"Bearer {new_customer(tools_api.http).token}"}
    elif role != "none":
        headers = tools_api.h(role)
    response = tools_api.http.request(
        method, path.format(s=session_name), json=body, headers=headers
    )
    if role == "none":
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "UNAUTHORIZED"
    elif role in allowed:
        assert response.status_code in (200, 400, 404), response.text
    else:
        assert response.status_code in (401, 403), response.text
        assert response.json()["success"] is False
