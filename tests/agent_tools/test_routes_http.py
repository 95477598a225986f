"""The 13 routes of seed 003 v3.0 (and the two small additions) over real HTTP, on PostgreSQL:
quick replies, tags on sessions (the 11th is refused), auto-reply rules, the seed's bounds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.db.engine import create_engine
from tests.agent_tools.conftest import ToolsApi
from tests.api.handoff_support import new_customer, say

QUICK = "/api/quick-replies"
RULES = "/api/auto-reply-rules"


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body.get("data", body)


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == code, body


def reply_body(**fields: Any) -> dict[str, Any]:
    return {"category": "pre_sales", "title": "問候", "content": "您好", **fields}


# --- quick replies ----------------------------------------------------------------------------


def test_quick_reply_create_list_use_delete(tools_api: ToolsApi) -> None:
    http, admin, agent = tools_api.http, tools_api.h("admin"), tools_api.h("agent")
    body = reply_body(
        category="after_sales",
        title="歡迎語",
        content="您好{customer_name}，我是客服{agent_name}，{product_name}的維修約需 3 天。",
        shortcut="Ctrl+1",
    )
    made = ok(http.post(QUICK, json=body, headers=admin))
    assert made["id"].startswith("reply_") and made["usage_count"] == 0
    assert made["variables"] == ["{customer_name}", "{agent_name}", "{product_name}"]

    listed = ok(http.get(QUICK, params={"category": "after_sales"}, headers=agent))
    assert [r["id"] for r in listed["items"]] == [made["id"]]
    assert listed["categories"] == ["pre_sales", "after_sales", "logistics", "technical", "policy"]
    assert ok(http.get(QUICK, params={"keyword": "維修"}, headers=agent))["total"] == 1
    assert ok(http.get(QUICK, params={"keyword": "沒這個字"}, headers=agent))["total"] == 0

    customer = new_customer(http, nickname="王小明")
    use = {"session_name": customer.session_name, "variables": {"product_name": "iPhone 16"}}
    used = ok(http.post(f"{QUICK}/{made['id']}/use", json=use, headers=agent))
    assert used["usage_count"] == 1
    assert used["content"] == "您好王小明，我是客服客服小狐，iPhone 16的維修約需 3 天。"
    assert used["missing_variables"] == []
    bare = ok(http.post(f"{QUICK}/{made['id']}/use", headers=agent))  # seed: no body at all
    assert bare["usage_count"] == 2 and bare["missing_variables"] == [
        "{customer_name}",
        "{product_name}",
    ]
    again = ok(http.get(QUICK, params={"category": "after_sales"}, headers=agent))
    assert again["items"][0]["usage_count"] == 2  # the cached list shows the use at once
    many = {"variables": {f"v{n}": "x" for n in range(21)}}
    use_path = f"{QUICK}/{made['id']}/use"
    refused(http.post(use_path, json=many, headers=agent), 422, "VALIDATION_ERROR")
    wrong = http.post(use_path, json={"variables": []}, headers=agent)
    assert wrong.status_code == 422, wrong.text  # an object of names, as the schema says
    schema = http.get("/schema/openapi.json").json()["components"]["schemas"]["QuickReplyUse"]
    assert schema["properties"]["variables"]["type"] == "object"

    gone = ok(http.delete(f"{QUICK}/{made['id']}", headers=admin))
    assert gone["message"]
    assert ok(http.get(QUICK, params={"category": "after_sales"}, headers=agent))["total"] == 0
    refused(http.post(f"{QUICK}/{made['id']}/use", headers=agent), 404, "QUICK_REPLY_NOT_FOUND")
    refused(http.delete(f"{QUICK}/{made['id']}", headers=admin), 404, "QUICK_REPLY_NOT_FOUND")
    unknown = {"session_name": "session_nobodyhere0000"}
    other = ok(http.post(QUICK, json=reply_body(title="x"), headers=admin))
    refused(
        http.post(f"{QUICK}/{other['id']}/use", json=unknown, headers=agent),
        404,
        "SESSION_NOT_FOUND",
    )
    counted = ok(http.post(f"{QUICK}/{other['id']}/use", headers=agent))
    assert counted["usage_count"] == 1  # the refused use counted nothing
    ok(http.delete(f"{QUICK}/{other['id']}", headers=admin))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": ""}, "INVALID_LENGTH"),
        ({"title": "x" * 101}, "INVALID_LENGTH"),
        ({"content": "y" * 2001}, "INVALID_LENGTH"),
        ({"shortcut": "Ctrl+0"}, "INVALID_SHORTCUT"),
        ({"shortcut": "F1"}, "INVALID_SHORTCUT"),
        ({"variables": ["product_name"]}, "INVALID_VARIABLE"),
    ],
)
def test_quick_reply_bounds(tools_api: ToolsApi, fields: dict[str, Any], code: str) -> None:
    response = tools_api.http.post(QUICK, json=reply_body(**fields), headers=tools_api.h("admin"))
    refused(response, 400, code)


def test_quick_reply_bounds_at_the_edge_are_accepted(tools_api: ToolsApi) -> None:
    body = reply_body(title="x" * 100, content="y" * 2000)
    made = ok(tools_api.http.post(QUICK, json=body, headers=tools_api.h("admin")))
    ok(tools_api.http.delete(f"{QUICK}/{made['id']}", headers=tools_api.h("admin")))


def test_shortcut_conflict_and_personal_replies(tools_api: ToolsApi) -> None:
    http, admin, agent = tools_api.http, tools_api.h("admin"), tools_api.h("agent")
    shared = ok(http.post(QUICK, json=reply_body(shortcut="Ctrl+7"), headers=admin))
    refused(
        http.post(QUICK, json=reply_body(shortcut="Ctrl+7"), headers=admin),
        400,
        "SHORTCUT_CONFLICT",
    )
    mine = ok(
        http.post(
            QUICK, json=reply_body(title="私人", shortcut="Ctrl+8", is_shared=False), headers=admin
        )
    )
    seen_by_admin = {r["id"] for r in ok(http.get(QUICK, headers=admin))["items"]}
    seen_by_agent = {r["id"] for r in ok(http.get(QUICK, headers=agent))["items"]}
    assert {shared["id"], mine["id"]} <= seen_by_admin
    assert shared["id"] in seen_by_agent and mine["id"] not in seen_by_agent
    refused(http.post(f"{QUICK}/{mine['id']}/use", headers=agent), 404, "QUICK_REPLY_NOT_FOUND")
    personal = ok(http.get(QUICK, params={"is_shared": "false"}, headers=admin))["items"]
    assert [r["id"] for r in personal] == [mine["id"]]
    for reply in (shared, mine):
        ok(http.delete(f"{QUICK}/{reply['id']}", headers=admin))


def test_system_reply_cannot_be_deleted(tools_api: ToolsApi) -> None:
    async def insert() -> None:
        engine = create_engine(url=tools_api.settings.database_url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO quick_replies (id, category, title, content, variables, "
                    "is_shared, is_system, created_by, usage_count, created_at, updated_at) "
                    "VALUES ('reply_sys', 'policy', '隱私權政策', '請參考隱私權政策', '[]', "
                    "true, true, 'system', 0, now(), now())"
                )
            )
        await engine.dispose()

    asyncio.run(insert())
    response = tools_api.http.delete(f"{QUICK}/reply_sys", headers=tools_api.h("admin"))
    refused(response, 400, "SYSTEM_REPLY")


# --- tags -------------------------------------------------------------------------------------


def test_tags_system_and_custom(tools_api: ToolsApi) -> None:
    http, agent, admin = tools_api.http, tools_api.h("agent"), tools_api.h("admin")
    listed = ok(http.get("/api/tags", headers=agent))
    system = {t["id"]: t for t in listed["system_tags"]}
    assert system["tag_vip"]["name"] == "VIP" and system["tag_vip"]["color"] == "#F59E0B"
    assert system["tag_refund"]["name"] == "退款" and system["tag_refund"]["is_system"] is True

    made = ok(
        http.post(
            "/api/tags",
            json={"name": "電池問題", "color": "#3b82f6", "icon": "Battery"},
            headers=agent,
        )
    )
    assert made["id"].startswith("tag_custom_") and made["color"] == "#3B82F6"
    assert made["category"] == "custom" and made["created_by"] == "agent001"
    again = ok(http.get("/api/tags", headers=agent))
    assert made["id"] in {t["id"] for t in again["custom_tags"]}
    assert again["total"] == listed["total"] + 1
    refused(
        http.post("/api/tags", json={"name": "vip", "color": "#000000"}, headers=agent),
        400,
        "TAG_EXISTS",
    )
    refused(
        http.post("/api/tags", json={"name": "x" * 21, "color": "#000"}, headers=agent),
        400,
        "INVALID_TAG_NAME",
    )
    refused(
        http.post("/api/tags", json={"name": "紅", "color": "red"}, headers=agent),
        400,
        "INVALID_COLOR",
    )
    refused(http.delete("/api/tags/tag_vip", headers=admin), 400, "SYSTEM_TAG")
    refused(http.delete(f"/api/tags/{made['id']}", headers=agent), 403, "FORBIDDEN")
    ok(http.delete(f"/api/tags/{made['id']}", headers=admin))
    refused(http.delete(f"/api/tags/{made['id']}", headers=admin), 404, "TAG_NOT_FOUND")


def test_session_tags_at_most_ten(tools_api: ToolsApi) -> None:
    http, agent = tools_api.http, tools_api.h("agent")
    customer = new_customer(http, nickname="標籤客人")
    say(http, customer, "我的電池一直掉電")
    name = customer.session_name
    custom = [
        ok(http.post("/api/tags", json={"name": f"十標籤{i}", "color": "#123456"}, headers=agent))[
            "id"
        ]
        for i in range(11)
    ]
    path = f"/api/sessions/{name}/tags"
    first = ok(http.post(path, json={"tag_id": "tag_vip"}, headers=agent))
    assert first["session_name"] == name
    assert [(t["id"], t["name"], t["added_by"]) for t in first["tags"]] == [
        ("tag_vip", "VIP", "agent001")
    ]
    refused(http.post(path, json={"tag_id": "tag_vip"}, headers=agent), 400, "TAG_ALREADY_ADDED")
    for tag_id in custom[:9]:
        ok(http.post(path, json={"tag_id": tag_id}, headers=agent))
    assert len(ok(http.get(path, headers=agent))["tags"]) == 10
    refused(http.post(path, json={"tag_id": custom[9]}, headers=agent), 409, "TOO_MANY_TAGS")
    assert len(ok(http.get(path, headers=agent))["tags"]) == 10  # nothing was added

    ok(http.delete(f"{path}/{custom[0]}", headers=agent))
    refused(http.delete(f"{path}/{custom[0]}", headers=agent), 404, "TAG_NOT_ON_SESSION")
    ok(http.post(path, json={"tag_id": custom[10]}, headers=agent))  # room again

    refused(http.post(path, json={"tag_id": "tag_nope"}, headers=agent), 404, "TAG_NOT_FOUND")
    refused(
        http.post(
            "/api/sessions/session_nobodyhere0000/tags", json={"tag_id": "tag_vip"}, headers=agent
        ),
        404,
        "SESSION_NOT_FOUND",
    )
    counts = {
        t["id"]: t["usage_count"] for t in ok(http.get("/api/tags", headers=agent))["system_tags"]
    }
    assert counts["tag_vip"] >= 1

    by_tag = ok(http.get("/api/sessions/by-tag/tag_vip", params={"page_size": 5}, headers=agent))
    assert by_tag["tag"] == {"id": "tag_vip", "name": "VIP"} and by_tag["page"] == 1
    found = next(s for s in by_tag["sessions"] if s["session_name"] == name)
    assert found["status"] == "bot_active" and "VIP" in found["tags"] and len(found["tags"]) == 10
    assert found["last_message_preview"]  # the AI's answer to the battery question
    refused(http.get("/api/sessions/by-tag/tag_nope", headers=agent), 404, "TAG_NOT_FOUND")


def test_fifty_concurrent_tag_writes_keep_the_limit(tools_api: ToolsApi) -> None:
    """50 concurrent adds of 25 tags to two sessions: each session ends with exactly 10."""
    http, agent = tools_api.http, tools_api.h("agent")
    sessions = [new_customer(http, nickname=f"並發{i}").session_name for i in range(2)]
    tags = [
        ok(
            http.post("/api/tags", json={"name": f"並發標籤{i}", "color": "#00AA00"}, headers=agent)
        )["id"]
        for i in range(25)
    ]

    async def race() -> list[int]:
        async with httpx.AsyncClient(base_url=tools_api.server.url, timeout=60) as client:
            calls = [
                client.post(f"/api/sessions/{s}/tags", json={"tag_id": t}, headers=agent)
                for s in sessions
                for t in tags
            ]
            return [r.status_code for r in await asyncio.gather(*calls)]

    statuses = asyncio.run(race())
    assert statuses.count(200) == 20 and statuses.count(409) == 30, sorted(set(statuses))
    for session in sessions:
        assert len(ok(http.get(f"/api/sessions/{session}/tags", headers=agent))["tags"]) == 10


# --- auto-reply rules -------------------------------------------------------------------------


def test_rule_create_update_delete(tools_api: ToolsApi) -> None:
    http, admin = tools_api.http, tools_api.h("admin")
    body = {
        "type": "keyword",
        "trigger_condition": {"keywords": ["價格", "price", "多少錢"]},
        "reply_content": "{customer_name}您好，最新價格請見官網",
        "enabled": False,
        "delay_seconds": 1,
    }
    made = ok(http.post(RULES, json=body, headers=admin))
    assert made["id"].startswith("rule_") and made["type"] == "keyword"
    assert made["variables"] == ["{customer_name}"] and made["enabled"] is False
    listed = ok(http.get(RULES, headers=admin))
    assert made["id"] in {r["id"] for r in listed["items"]} and listed["total"] >= 1

    changed = ok(
        http.put(
            f"{RULES}/{made['id']}",
            json={"reply_content": "更新後", "enabled": True, "delay_seconds": 0},
            headers=admin,
        )
    )
    assert (changed["reply_content"], changed["enabled"]) == ("更新後", True)
    assert changed["trigger_condition"] == body["trigger_condition"]
    assert changed["updated_at"] >= made["updated_at"]
    refused(
        http.put(f"{RULES}/{made['id']}", json={"delay_seconds": 61}, headers=admin),
        400,
        "INVALID_RULE",
    )
    refused(
        http.put(f"{RULES}/{made['id']}", json={"type": "busy"}, headers=admin),
        400,
        "INVALID_CONDITION",
    )  # keywords make no sense on a busy rule
    ok(http.delete(f"{RULES}/{made['id']}", headers=admin))
    refused(http.delete(f"{RULES}/{made['id']}", headers=admin), 404, "RULE_NOT_FOUND")
    refused(
        http.put(f"{RULES}/{made['id']}", json={"enabled": True}, headers=admin),
        404,
        "RULE_NOT_FOUND",
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "busy", "reply_content": "x", "delay_seconds": 61}, "INVALID_RULE"),
        ({"type": "busy", "reply_content": "x", "delay_seconds": -1}, "INVALID_RULE"),
        ({"type": "busy", "reply_content": "x" * 1001}, "INVALID_RULE"),
        (
            {"type": "keyword", "reply_content": "x", "trigger_condition": {"keywords": []}},
            "INVALID_CONDITION",
        ),
        (
            {
                "type": "keyword",
                "reply_content": "x",
                "trigger_condition": {"keywords": [f"k{i}" for i in range(51)]},
            },
            "INVALID_CONDITION",
        ),
        (
            {"type": "timeout", "reply_content": "x", "trigger_condition": {"wait": 5}},
            "INVALID_CONDITION",
        ),
    ],
)
def test_rule_bounds(tools_api: ToolsApi, body: dict[str, Any], code: str) -> None:
    refused(tools_api.http.post(RULES, json=body, headers=tools_api.h("admin")), 400, code)


def test_twenty_first_rule_of_a_type_is_refused(tools_api: ToolsApi) -> None:
    http, admin = tools_api.http, tools_api.h("admin")
    body = {"type": "busy", "reply_content": "忙碌中", "enabled": False}
    existing = sum(1 for r in ok(http.get(RULES, headers=admin))["items"] if r["type"] == "busy")
    made = [ok(http.post(RULES, json=body, headers=admin))["id"] for _ in range(20 - existing)]
    try:
        refused(http.post(RULES, json=body, headers=admin), 409, "TOO_MANY_RULES")
    finally:
        for rule_id in made:
            ok(http.delete(f"{RULES}/{rule_id}", headers=admin))


def test_queue_shows_tags_and_filters_by_them(tools_api: ToolsApi) -> None:
    http, agent = tools_api.http, tools_api.h("agent")
    tagged, plain = new_customer(http, nickname="有標籤"), new_customer(http, nickname="沒標籤")
    ok(
        http.post(
            f"/api/sessions/{tagged.session_name}/tags",
            json={"tag_id": "tag_refund"},
            headers=agent,
        )
    )
    queue = ok(http.get("/api/sessions", params={"page_size": 100}, headers=agent))
    by_name = {s["session_name"]: s for s in queue["items"]}
    assert [t["id"] for t in by_name[tagged.session_name]["tags"]] == ["tag_refund"]
    assert by_name[plain.session_name]["tags"] == []
    only = ok(
        http.get("/api/sessions", params={"tag": "tag_refund", "page_size": 100}, headers=agent)
    )
    names = {s["session_name"] for s in only["items"]}
    assert tagged.session_name in names and plain.session_name not in names
