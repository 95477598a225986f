"""The isolation matrix, generated from the OpenAPI document of a real server: every route with a
path id of tenant-owned data, called by tenant B's admin on tenant A's ids, answers 404 (as if the
id did not exist: no 403 that would confirm it does). Routes that cannot be tried that way are
listed in `NOT_TENANT_OWNED` with the reason; a new route with a path id that is in neither list
fails the test until someone decides which it is.

Tenant A is `default` (its admin and agent001 create the data), tenant B is `harbor`.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from redis import Redis

from tests.api_http import ApiServer
from tests.tenants.conftest import ADMIN_A, ADMIN_B, SITE_A, bearer, opened, token_of

# (method, path) -> why the matrix does not try it
NOT_TENANT_OWNED: dict[tuple[str, str], str] = {
    ("GET", "/api/renewal-workflow/session/{session_id}"): "renewal side: one operator",
    ("GET", "/api/renewal-workflow/session/{session_id}/application-form"): "renewal side",
    ("GET", "/api/tenants/{tenant_id}"): "platform admin only (403 by role for any tenant)",
    ("PATCH", "/api/tenants/{tenant_id}"): "platform admin only",
    ("POST", "/api/tenants/{tenant_id}/suspend"): "platform admin only",
    ("PUT", "/api/users/{username}"): "store staff: the renewal side's, all in `default`",
    ("DELETE", "/api/users/{username}"): "store staff (renewal side)",
    ("POST", "/api/users/{username}/reset-password"): "store staff (renewal side)",
}

# bodies that pass validation, so the request reaches the tenant check
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/sessions/{session_name}/email"): {"force": True},
    ("POST", "/api/sessions/{session_name}/transfer"): {"to_agent_id": "harbor-agent"},
    ("PUT", "/api/agents/{username}"): {"name": "改名"},
    ("POST", "/api/agents/{username}/reset-password"): {"new_password": "Welcome2026"},
    ("POST", "/api/tickets/{ticket_id}/assign"): {"assignee_id": "harbor-agent"},
    ("POST", "/api/tickets/{ticket_id}/status"): {"status": "in_progress"},
    ("POST", "/api/tickets/{ticket_id}/comments"): {"content": "看得到嗎"},
    ("PATCH", "/api/tickets/{ticket_id}"): {"version": 1, "title": "改標題"},
    ("POST", "/api/sessions/{session_name}/tags"): {"tag_id": "tag_vip"},
    ("PUT", "/api/auto-reply-rules/{rule_id}"): {"enabled": False},
    ("PATCH", "/api/knowledge/faqs/{faq_id}"): {"answer": "改答案"},
}
FILES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/knowledge/documents/{document_id}"): {
        "file": ("b.md", b"# B\n\nB's text.\n", "text/markdown")
    },
}
# routes that answer an unknown session with an empty 200 (no ticket, no tags): for them
# "as if it did not exist" is that same empty answer, compared with a made-up session's
EMPTY_WHEN_UNKNOWN = {
    ("GET", "/api/sessions/{session_name}/ticket"),
    ("GET", "/api/sessions/{session_name}/tags"),
}


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture(scope="module")
def a_ids(http: httpx.Client) -> dict[str, str]:
    """One id of each kind of tenant A's data."""
    admin = bearer(token_of(http, ADMIN_A))
    chat = opened(http, SITE_A)
    session = chat["session_name"]
    said = http.post("/api/chat", json={"session_name": session, "message": "我想問帳單"},
                     headers=bearer(chat["token"]))  # fmt: skip
    assert said.status_code == 200, said.text
    ticket = ok(http.post("/api/tickets", headers=admin, json={
        "title": "A 的工單", "description": "A", "category": "technical", "department": "technical",
        "session_id": session,
    }))  # fmt: skip
    reply = ok(http.post("/api/quick-replies", headers=admin, json={
        "category": "policy", "title": "A 的回覆", "content": "A"}))  # fmt: skip
    tag = ok(http.post("/api/tags", headers=admin, json={"name": "A標籤", "color": "#123456"}))
    ok(http.post(f"/api/sessions/{session}/tags", headers=admin, json={"tag_id": tag["id"]}))
    rule = ok(
        http.post(
            "/api/auto-reply-rules",
            headers=admin,
            json={
                "type": "keyword",
                "trigger_condition": {"keywords": ["A專屬"]},
                "reply_content": "A",
            },
        )
    )
    faq = ok(http.post("/api/knowledge/faqs", headers=admin, json={
        "question": "A 公司的營業時間？", "answer": "A 公司每天九點營業。"}))  # fmt: skip
    document = ok(
        http.post(
            "/api/knowledge/documents",
            headers=admin,
            files={"file": ("a.md", b"# A\n\nA's handbook.\n", "text/markdown")},
        )
    )
    deadline = time.monotonic() + 60  # the archive write runs in the background
    while time.monotonic() < deadline:
        if http.get(f"/api/history/conversations/{session}", headers=admin).status_code == 200:
            break
        time.sleep(0.5)
    return {"session_name": session, "ticket_id": ticket["ticket_id"], "reply_id": reply["id"],
            "tag_id": tag["id"], "rule_id": rule["id"], "faq_id": faq["faq_id"],
            "document_id": document["document_id"], "username": "agent002"}  # fmt: skip


def operations(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, item in openapi["paths"].items()
            for method in item if method in ("get", "post", "put", "patch", "delete")
            and "{" in path]  # fmt: skip


def test_every_route_with_an_id_of_tenant_data_answers_404_to_another_tenant(
    http: httpx.Client, a_ids: dict[str, str]
) -> None:
    openapi = http.get("/schema/openapi.json").json()
    b = bearer(token_of(http, ADMIN_B))
    a = bearer(token_of(http, ADMIN_A))
    tried, wrong = [], []
    for method, path in operations(openapi):
        if (method, path) in NOT_TENANT_OWNED:
            continue
        names = re.findall(r"\{(\w+)\}", path)
        unknown = [n for n in names if n not in a_ids]
        assert not unknown, f"{method} {path}: no tenant-A id for {unknown}; list it or add one"
        url = path.format(**{n: a_ids[n] for n in names})
        key = (method, path)
        kwargs: dict[str, Any] = {"headers": b}
        if key in BODIES:
            kwargs["json"] = BODIES[key]
        if key in FILES:
            kwargs["files"] = FILES[key]
        try:
            response = http.request(method, url, timeout=20, **kwargs)
        except httpx.TimeoutException:  # e.g. a stream that opened instead of answering 404
            wrong.append(f"{method} {url}: no answer in 20 s")
            continue
        tried.append(key)
        if key in EMPTY_WHEN_UNKNOWN:
            unknown_url = path.format(session_name="session_0000000000000000")
            blank = http.request(method, unknown_url, headers=b)
            same = (
                response.json()["data"]
                == {**blank.json()["data"], **{"session_name": a_ids["session_name"]}}
                if isinstance(blank.json()["data"], dict)
                else response.json() == blank.json()
            )
            if response.status_code != blank.status_code or not same:
                wrong.append(f"{method} {url}: {response.text[:120]} vs unknown {blank.text}")
            continue
        if response.status_code != 404:
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:120]}")
    assert not wrong, "\n".join(wrong)
    assert len(tried) >= 30, tried  # the matrix really covers the routes
    # and tenant A still reads its own data (the 404s above were about the tenant, not the id)
    for path in (f"/api/tickets/{a_ids['ticket_id']}", f"/api/sessions/{a_ids['session_name']}",
                 f"/api/knowledge/faqs/{a_ids['faq_id']}",
                 f"/api/history/conversations/{a_ids['session_name']}"):  # fmt: skip
        assert http.get(path, headers=a).status_code == 200, path


def test_listings_and_search_of_b_never_show_a_data(
    http: httpx.Client, a_ids: dict[str, str]
) -> None:
    b = bearer(token_of(http, ADMIN_B))
    text = "".join(
        http.get(path, headers=b, params=params).text
        for path, params in (
            ("/api/tickets", {"page_size": 100}),
            ("/api/quick-replies", {}),
            ("/api/tags", {}),
            ("/api/auto-reply-rules", {}),
            ("/api/sessions", {"page_size": 100}),
            ("/api/history/conversations", {"page_size": 100}),
            ("/api/knowledge/faqs", {}),
            ("/api/knowledge/documents", {}),
        )
    )
    for kind in ("session_name", "ticket_id", "reply_id", "tag_id", "rule_id", "faq_id",
                 "document_id"):  # fmt: skip
        assert a_ids[kind] not in text, kind
    assert "A 公司" not in text
    search = http.get("/api/knowledge/search", params={"q": "A 公司的營業時間"}, headers=b).json()
    assert search["data"]["hits"] == []  # A's FAQ is an exact match for A, nothing for B
    mine = http.get("/api/knowledge/search", params={"q": "A 公司的營業時間"},
                    headers=bearer(token_of(http, ADMIN_A))).json()  # fmt: skip
    assert a_ids["faq_id"] in str(mine["data"]["hits"])  # (so the search itself works)
    suggestions = http.get("/api/knowledge/suggestions",
                           params={"session_name": a_ids["session_name"]}, headers=b)  # fmt: skip
    assert suggestions.status_code == 404


def test_a_events_never_reach_b_workbench_stream(
    http: httpx.Client, a_ids: dict[str, str], tenant_server: ApiServer
) -> None:
    """The hub's streams the agents' SSE replays and follows: A's chat and ticket events are in
    A's workbench (`P:t:<tenant>:events:workbench`) and not in B's."""
    prefix = tenant_server.env["REDIS_KEY_PREFIX"]
    redis = Redis.from_url(tenant_server.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        streams: dict[str, list[Any]] = {}
        for tenant in ("default", "harbor"):
            rows: list[Any] = redis.xrange(f"{prefix}:t:{tenant}:events:workbench")  # type: ignore[assignment]
            streams[tenant] = [json.loads(fields[b"d"]) for _, fields in rows]
        # A's chat streams under A's keys only (its customer's SSE)
        session = f"events:session:{a_ids['session_name']}"
        assert redis.exists(f"{prefix}:t:default:{session}")
        assert not redis.exists(f"{prefix}:t:harbor:{session}", f"{prefix}:{session}")
    finally:
        redis.close()
    names = {str(e.get("session_name")) for e in streams["default"]}
    tickets = {str(e.get("ticket_id")) for e in streams["default"]}
    assert a_ids["session_name"] in names and a_ids["ticket_id"] in tickets
    seen_by_b = json.dumps(streams["harbor"])
    assert a_ids["session_name"] not in seen_by_b and a_ids["ticket_id"] not in seen_by_b
