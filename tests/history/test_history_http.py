"""History over HTTP on PostgreSQL: real conversations driven through the chat and handoff
routes, then found again by each filter of `GET /api/history/conversations`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import create_engine
from core.db.models import SessionTag, Tag
from tests.api.handoff_support import Customer, new_customer, post, say, session_of
from tests.api_http import ApiServer, eventually

pytestmark = pytest.mark.postgres


def search(http: httpx.Client, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = http.get("/api/history/conversations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def names(data: dict[str, Any]) -> set[str]:
    return {item["session_name"] for item in data["items"]}


def detail(http: httpx.Client, headers: dict[str, str], name: str) -> dict[str, Any]:
    response = http.get(f"/api/history/conversations/{name}", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _tag(url: str, session_name: str) -> None:
    engine = create_engine(url=url)
    try:
        async with AsyncSession(engine) as db, db.begin():
            db.add(Tag(id="tag_hist_battery", name="電池問題", color="#3B82F6", category="custom",
                       is_system=False, created_by="agent001"))  # fmt: skip
            await db.flush()
            db.add(SessionTag(session_name=session_name, tag_id="tag_hist_battery",
                              added_by="agent001"))  # fmt: skip
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def chats(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], history_api: ApiServer
) -> dict[str, Customer]:
    """Three customers today: one served by two agents and closed, one waiting, one AI only."""
    alice, bob = staff["alice"], staff["bob"]
    complaint = new_customer(hhttp, nickname="王小明")
    say(hhttp, complaint, "請問 5G 吃到飽方案？")
    assert say(hhttp, complaint, "上個月帳單多扣了兩百，我要投訴！")["status"] == "pending_manual"
    name = complaint.session_name
    ok(post(hhttp, f"/api/sessions/{name}/takeover", alice))
    ok(post(hhttp, "/api/manual/messages", alice, session_name=name, role="agent",
            content="您好，我是客服 Alice，帳單的問題我來查"))  # fmt: skip
    say(hhttp, complaint, "好的，麻煩你了")  # while manual_live: stored for the agent
    ok(post(hhttp, f"/api/sessions/{name}/transfer", alice, to_agent_id="agent002"))
    ok(post(hhttp, "/api/manual/messages", bob, session_name=name, role="agent",
            content="已為您退款 200 元"))  # fmt: skip
    ok(post(hhttp, f"/api/sessions/{name}/release", bob, reason="resolved"))
    ok(post(hhttp, f"/api/sessions/{name}/close", complaint.headers))

    waiting = new_customer(hhttp, nickname="陳美麗")
    say(hhttp, waiting, "手機 100% 充飽電_半天就沒電")
    ok(post(hhttp, "/api/manual/escalate", waiting.headers, session_name=waiting.session_name,
            reason="user_request"))  # fmt: skip
    asyncio.run(_tag(history_api.env["DATABASE_URL"], waiting.session_name))

    ai_only = new_customer(hhttp, nickname="林先生")
    say(hhttp, ai_only, "請問門市營業時間")
    chats = {"complaint": complaint, "waiting": waiting, "ai_only": ai_only}
    for customer in chats.values():
        live = session_of(hhttp, customer.session_name, staff["admin"])["session"]["history"]
        wait_archived(hhttp, staff["admin"], customer, len(live))
    return chats


def wait_archived(
    http: httpx.Client, headers: dict[str, str], customer: Customer, messages: int
) -> None:
    assert eventually(lambda: archived(http, headers, customer) == messages), "not archived"


def archived(http: httpx.Client, headers: dict[str, str], customer: Customer) -> int:
    response = http.get(f"/api/history/conversations/{customer.session_name}", headers=headers)
    return int(response.json()["data"]["total"]) if response.status_code == 200 else -1


def test_a_conversation_is_archived_as_it_happened(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], chats: dict[str, Customer]
) -> None:
    name = chats["complaint"].session_name
    data = detail(hhttp, staff["alice"], name)
    conversation, messages = data["conversation"], data["messages"]
    assert conversation["status"] == "closed" and conversation["customer"] == "王小明"
    assert conversation["assigned_agent"]["id"] == "agent002"  # the last one who held it
    assert conversation["escalation"]["reason"] == "keyword"
    times = [conversation[k] for k in ("started_at", "taken_over_at", "released_at", "closed_at")]
    assert None not in times and times == sorted(times)
    # every message once, in order, as the session itself shows them
    live = session_of(hhttp, name, staff["admin"])["session"]["history"]
    assert [(m["id"], m["role"], m["content"]) for m in messages] == [
        (m["id"], m["role"], m["content"]) for m in live
    ]
    assert conversation["message_count"] == len(messages) == data["total"]
    roles = [m["role"] for m in messages]
    assert roles.count("agent") == 2 and "assistant" in roles and "system" in roles
    by_agent = {m["content"]: m.get("agent_id") for m in messages if m["role"] == "agent"}
    assert by_agent == {"您好，我是客服 Alice，帳單的問題我來查": "agent001",
                        "已為您退款 200 元": "agent002"}  # fmt: skip
    answer = next(m for m in messages if m["role"] == "assistant")
    assert answer["response_ms"] > 0


def test_each_filter_finds_its_conversations(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], chats: dict[str, Customer]
) -> None:
    h = staff["alice"]
    complaint, waiting, ai_only = (
        chats[k].session_name for k in ("complaint", "waiting", "ai_only")
    )
    assert names(search(hhttp, h, customer="小明")) == {complaint}
    assert names(search(hhttp, h, customer=waiting)) == {waiting}  # exact session name
    assert complaint in names(search(hhttp, h, agent="agent001"))  # wrote in it, then transferred
    assert complaint in names(search(hhttp, h, agent="agent002"))
    assert not {waiting, ai_only} & names(search(hhttp, h, agent="agent001"))
    assert names(search(hhttp, h, tag="tag_hist_battery")) == {waiting}
    assert names(search(hhttp, h, tag="電池問題")) == {waiting}  # by the tag's name too
    assert waiting in names(search(hhttp, h, status="pending_manual"))
    assert complaint in names(search(hhttp, h, status="closed"))
    assert complaint not in names(search(hhttp, h, status="bot_active"))
    assert ai_only in names(search(hhttp, h, status="bot_active"))
    found = search(hhttp, h, q="帳單 投訴")
    assert names(found) == {complaint}
    assert found["items"][0]["match"] == "上個月帳單多扣了兩百，我要投訴！"
    assert names(search(hhttp, h, q="退款")) == {complaint}  # an agent's words count too
    assert names(search(hhttp, h, q="100%")) == {waiting}  # % is a character, not a wildcard
    assert names(search(hhttp, h, q="電_半")) == {waiting}
    assert names(search(hhttp, h, q="0%充")) == set()
    assert names(search(hhttp, h, q="營業時間")) == {ai_only}
    assert names(search(hhttp, h, q="投訴 營業時間")) == set()  # every word, in one chat
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    todays = search(hhttp, h, date_from=today.isoformat(), date_to=today.isoformat())
    assert {complaint, waiting, ai_only} <= names(todays)
    earlier = today - timedelta(days=400)
    assert names(search(hhttp, h, date_to=(today - timedelta(days=3)).isoformat())).isdisjoint(
        {complaint, waiting, ai_only}
    )
    assert search(hhttp, h, date_from=earlier.isoformat(), customer="小明")["total"] == 1
    both = search(hhttp, h, customer="小明", status="closed", agent="agent002", q="退款")
    assert names(both) == {complaint}


def test_paging(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], chats: dict[str, Customer]
) -> None:
    everything = search(hhttp, staff["admin"], page_size=100)
    total = everything["total"]
    assert total >= 3
    pages = [search(hhttp, staff["admin"], page=p, page_size=2) for p in range(1, total // 2 + 2)]
    seen = [item["session_name"] for page in pages for item in page["items"]]
    assert seen == [item["session_name"] for item in everything["items"]]  # newest first
    assert pages[0]["total_pages"] == -(-total // 2)
    assert search(hhttp, staff["admin"], page=total + 5, page_size=1)["items"] == []


@pytest.mark.parametrize(
    ("part", "status"), [("sales", 403), ("manager", 403), ("alice", 200), ("admin", 200)]
)
def test_agents_and_admins_only(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], chats: dict[str, Customer],
    part: str, status: int,
) -> None:  # fmt: skip
    name = chats["complaint"].session_name
    for path in ("/api/history/conversations", f"/api/history/conversations/{name}",
                 "/api/reports/daily", "/api/reports/weekly?format=csv"):  # fmt: skip
        response = hhttp.get(path, headers=staff[part])
        assert response.status_code == status, (path, response.text)
        if status == 403:
            assert response.json()["code"] == "FORBIDDEN"


def test_customers_and_strangers_are_refused(
    hhttp: httpx.Client, chats: dict[str, Customer]
) -> None:
    customer = chats["complaint"]
    for headers in (customer.headers, {}):
        response = hhttp.get(f"/api/history/conversations/{customer.session_name}",
                             headers=headers)  # fmt: skip
        assert response.status_code == 401, response.text
        assert response.json()["success"] is False


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"page": 0}, 422, "VALIDATION_ERROR"),
        ({"page_size": 101}, 422, "VALIDATION_ERROR"),
        ({"page_size": "ten"}, 422, "VALIDATION_ERROR"),
        ({"status": "sleeping"}, 422, "VALIDATION_ERROR"),
        ({"date_from": "2026-02-30"}, 422, "VALIDATION_ERROR"),
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, 400, "INVALID_INPUT"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, 400, "INVALID_INPUT"),
        ({"q": "a b c d e f"}, 400, "INVALID_INPUT"),
        ({"customer": "x" * 65}, 422, "VALIDATION_ERROR"),
    ],
)
def test_bad_search_input_in_the_envelope(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], params: dict[str, Any], status: int,
    code: str,
) -> None:  # fmt: skip
    response = hhttp.get("/api/history/conversations", params=params, headers=staff["alice"])
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["error"]


def test_unknown_conversation(hhttp: httpx.Client, staff: dict[str, dict[str, str]]) -> None:
    response = hhttp.get("/api/history/conversations/session_nobody", headers=staff["alice"])
    assert response.status_code == 404
    assert response.json()["code"] == "CONVERSATION_NOT_FOUND"
    bad = hhttp.get("/api/history/conversations/bad%20name", headers=staff["alice"])
    assert bad.status_code == 422


def test_a_streamed_turn_is_archived_after_its_done_frame(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    customer = new_customer(hhttp, nickname="串流客人")
    body = {"session_name": customer.session_name, "message": "請問有哪些吃到飽優惠？"}
    response = hhttp.post("/api/chat/stream", json=body, headers=customer.headers)
    assert response.status_code == 200 and "event: done" in response.text
    wait_archived(hhttp, staff["alice"], customer, 2)
    messages = detail(hhttp, staff["alice"], customer.session_name)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "請問有哪些吃到飽優惠？" and messages[1]["response_ms"] > 0
