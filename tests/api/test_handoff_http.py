"""Seed 003 P0/P1 over real HTTP: escalate, read, take over, talk both ways, transfer, release,
the queue, shift hours, the off-hours mail handoff, session stats (streams: see
test_handoff_streams)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis

from graphs.supervision.outbox import RedisOutbox
from tests.api.handoff_support import (
    ALWAYS_ON,
    escalated,
    new_customer,
    on_duty,
    post,
    say,
    session_of,
    set_shift,
    staff_headers,
)
from tests.api_http import ApiServer

ALICE, BOB = {"id": "agent001", "name": "客服小狐"}, {"id": "agent002", "name": "客服小熊"}


@pytest.fixture(scope="module")
def staff(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[dict[str, dict[str, str]]]:
    with on_duty(http, tokens["admin"], api_server):
        yield staff_headers(http, tokens)


def test_p0_escalate_take_over_talk_both_ways_and_release(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    customer = escalated(http)
    name = customer.session_name
    again = post(http, "/api/manual/escalate", customer.headers, session_name=name)
    assert again.status_code == 409 and again.json()["code"] == "MANUAL_IN_PROGRESS"
    seen = session_of(http, name, customer.headers)
    assert seen["inbox"] is None and seen["last_event_id"]  # the inbox is for staff
    assert [a["status_to"] for a in seen["audit_trail"]] == ["pending_manual"]
    inbox = session_of(http, name, staff["alice"])["inbox"]
    assert inbox["action_request"]["action"] == "takeover"

    took = post(http, f"/api/sessions/{name}/takeover", staff["alice"])
    assert took.status_code == 200, took.text
    assert took.json()["data"]["changed"] is True
    assert took.json()["data"]["session"]["assigned_agent"] == ALICE
    retry = post(http, f"/api/sessions/{name}/takeover", staff["alice"])
    assert retry.status_code == 200 and retry.json()["data"]["changed"] is False
    late = post(http, f"/api/sessions/{name}/takeover", staff["bob"])
    assert late.status_code == 409 and late.json()["code"] == "MANUAL_IN_PROGRESS"

    said = post(
        http,
        "/api/manual/messages",
        staff["alice"],
        session_name=name,
        role="agent",
        content="您好，我是客服小狐",
    )
    assert said.status_code == 200, said.text
    assert said.json()["data"]["message_id"].startswith("msg_")
    not_yours = post(
        http,
        "/api/manual/messages",
        staff["bob"],
        session_name=name,
        role="agent",
        content="我也來",
    )
    assert not_yours.status_code == 403 and not_yours.json()["code"] == "NOT_ASSIGNED_AGENT"
    reply = post(
        http,
        "/api/manual/messages",
        customer.headers,
        session_name=name,
        role="user",
        content="帳單多扣錢了",
    )
    assert reply.status_code == 200, reply.text
    assert (
        post(
            http,
            "/api/manual/messages",
            customer.headers,
            session_name=name,
            role="agent",
            content="冒充",
        ).status_code
        == 403
    )
    assert (
        post(
            http,
            "/api/manual/messages",
            staff["alice"],
            session_name=name,
            role="user",
            content="冒充",
        ).status_code
        == 403
    )
    also_user = say(http, customer, "還在嗎？")  # /api/chat while live: stored, no AI
    assert also_user["answer"] == "" and also_user["status"] == "manual_live"

    history = session_of(http, name, customer.headers)["session"]["history"]
    spoken = [(m["role"], m["content"]) for m in history if m["role"] != "system"]
    assert spoken[-3:] == [
        ("agent", "您好，我是客服小狐"),
        ("user", "帳單多扣錢了"),
        ("user", "還在嗎？"),
    ]
    assert reply.json()["data"]["message_id"] == next(
        m["id"] for m in history if m["content"] == "帳單多扣錢了"
    )

    wrong = post(http, f"/api/sessions/{name}/release", staff["bob"], reason="resolved")
    assert wrong.status_code == 403 and wrong.json()["code"] == "NOT_ASSIGNED_AGENT"
    released = post(
        http,
        f"/api/sessions/{name}/release",
        staff["alice"],
        agent_id="agent001",
        reason="resolved",
    )
    assert released.status_code == 200, released.text
    session = released.json()["data"]
    assert session["status"] == "bot_active" and session["assigned_agent"] is None
    assert session["history"][-1]["content"] == "人工服務已結束，AI 已接管"
    assert say(http, customer, "那 4G 方案呢？")["answer"]  # the AI is back
    trail = session_of(http, name, staff["alice"])["audit_trail"]
    assert [(a["status_to"], a["reason"]) for a in trail] == [
        ("pending_manual", "user_request"),
        ("manual_live", "agent_takeover"),
        ("bot_active", "released"),
    ]


def test_agents_act_as_themselves_admins_may_name_an_agent(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    name = escalated(http).session_name
    forged = post(http, f"/api/sessions/{name}/takeover", staff["bob"], agent_id="agent001")
    assert forged.status_code == 403
    unknown = post(http, f"/api/sessions/{name}/takeover", staff["admin"], agent_id="nobody")
    assert unknown.status_code == 404 and unknown.json()["code"] == "AGENT_NOT_FOUND"
    dispatched = post(http, f"/api/sessions/{name}/takeover", staff["admin"], agent_id="agent002")
    assert dispatched.status_code == 200
    assert dispatched.json()["data"]["session"]["assigned_agent"] == BOB
    moved = post(http, f"/api/sessions/{name}/transfer", staff["bob"], to_agent_id="agent001")
    assert moved.status_code == 200 and moved.json()["data"]["assigned_agent"] == ALICE
    back = post(http, f"/api/sessions/{name}/transfer", staff["bob"], to_agent_id="agent001")
    assert back.status_code == 403  # bob no longer holds it
    closed = post(http, f"/api/sessions/{name}/release", staff["admin"], agent_id="agent001")
    assert closed.status_code == 200 and closed.json()["data"]["status"] == "bot_active"
    assert post(http, "/api/sessions/session_nope/takeover", staff["alice"]).status_code == 404


def test_the_queue_lists_the_longest_waiting_first(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    first, second = escalated(http), escalated(http)
    listed = http.get(
        "/api/sessions",
        params={"status": "pending_manual", "page_size": 100},
        headers=staff["alice"],
    ).json()["data"]
    names = [s["session_name"] for s in listed["items"]]
    assert names.index(first.session_name) < names.index(second.session_name)
    waits = [s["waiting_seconds"] for s in listed["items"]]
    assert waits == sorted(waits, reverse=True)
    item = listed["items"][names.index(first.session_name)]
    assert set(item) >= {
        "session_name",
        "status",
        "escalation",
        "waiting_seconds",
        "assigned_agent",
        "last_message_preview",
    }
    assert item["escalation"]["reason"] == "user_request" and item["assigned_agent"] is None
    by_keyword = http.get(
        "/api/sessions", params={"keyword": second.session_name.upper()}, headers=staff["alice"]
    ).json()["data"]
    assert [s["session_name"] for s in by_keyword["items"]] == [second.session_name]
    paged = http.get(
        "/api/sessions", params={"page": 2, "page_size": 1}, headers=staff["alice"]
    ).json()["data"]
    assert len(paged["items"]) == 1 and paged["total"] >= 2 and paged["page"] == 2
    bad = http.get("/api/sessions", params={"status": "sleeping"}, headers=staff["alice"])
    assert bad.status_code in (400, 422)


def test_shift_config_round_trip(http: httpx.Client, staff: dict[str, dict[str, str]]) -> None:
    got = http.get("/api/shift/config", headers=staff["alice"]).json()["data"]
    assert set(got) >= {"start", "end", "timezone", "weekends_disabled", "holidays"}
    office = {
        "start": "09:00",
        "end": "18:00",
        "timezone": "Asia/Taipei",
        "weekends_disabled": True,
        "holidays": ["2026-12-25"],
    }
    saved = http.put("/api/shift/config", json=office, headers=staff["admin"])
    assert saved.status_code == 200, saved.text
    data = saved.json()["data"]
    assert (data["start"], data["end"], data["holidays"]) == ("09:00", "18:00", ["2026-12-25"])
    assert data["hours"]["sat"] == [{"start": "09:00", "end": "18:00"}]
    assert http.put("/api/shift/config", json=office, headers=staff["alice"]).status_code == 403
    bad_zone = http.put(
        "/api/shift/config", json={**office, "timezone": "Mars/Base"}, headers=staff["admin"]
    )
    assert bad_zone.status_code == 400 and "timezone" in bad_zone.json()["error"]
    both = {**office, "hours": {"mon": [{"start": "09:00", "end": "12:00"}]}}
    assert http.put("/api/shift/config", json=both, headers=staff["admin"]).status_code == 400
    set_shift(http, staff["admin"]["Authorization"].split()[1], ALWAYS_ON)


def test_off_hours_escalation_and_mail_handoff(
    http: httpx.Client, api_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    admin_token = staff["admin"]["Authorization"].split()[1]
    set_shift(
        http,
        admin_token,
        {
            "start": "09:00",
            "end": "18:00",
            "holidays": holidays,
            "email_to": ["night-desk@example.com"],
        },
    )
    try:
        customer = new_customer(http)
        name = customer.session_name
        asked = post(http, "/api/manual/escalate", customer.headers, session_name=name)
        assert asked.status_code == 200 and asked.json()["data"]["status"] == "bot_active"
        assert asked.json()["data"]["mail"]["sent"] is True  # the graph mailed the desk
        again = post(http, f"/api/sessions/{name}/email", customer.headers)
        assert again.status_code == 409 and again.json()["code"] == "MAIL_ALREADY_SENT"
        forced = post(http, f"/api/sessions/{name}/email", staff["alice"], force=True)
        assert forced.status_code == 200, forced.text
        mail = forced.json()["data"]
        assert mail["email_to"] == ["night-desk@example.com"] and mail["mail_id"].startswith(
            "mail_"
        )
        redis = Redis.from_url("redis://127.0.0.1:6379/0")
        queue = RedisOutbox(redis, api_server.env["REDIS_KEY_PREFIX"]).key("default")  # type: ignore[arg-type]
        rows: list[bytes] = redis.lrange(queue, 0, -1)  # type: ignore[assignment]
        outbox = [r.decode() for r in rows]
        assert any(mail["mail_id"] in r and name in r for r in outbox)
        trail = session_of(http, name, staff["alice"])["audit_trail"]
        assert [a["reason"] for a in trail] == ["after_hours_email", "after_hours_email"]
        assert (
            post(http, f"/api/sessions/{name}/email", customer.headers, force=True).status_code
            == 403
        )
        fresh = new_customer(http)
        handed = post(http, f"/api/sessions/{fresh.session_name}/email", fresh.headers)
        assert handed.status_code == 200
        seen = session_of(http, fresh.session_name, fresh.headers)["session"]["mail"]
        assert seen["sent"] is True and seen["mail_id"] == handed.json()["data"]["mail_id"]
    finally:
        set_shift(http, admin_token, ALWAYS_ON)
    on_duty = post(http, f"/api/sessions/{customer.session_name}/email", customer.headers)
    assert on_duty.status_code == 409 and on_duty.json()["code"] == "ON_DUTY"


def test_session_stats_answer_the_seed_fields(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    data = http.get(
        "/api/sessions/stats", params={"refresh": "true"}, headers=staff["alice"]
    ).json()["data"]
    assert set(data) >= {
        "total_sessions",
        "by_status",
        "active_agents",
        "avg_waiting_time",
        "ai_quality",
        "agent_efficiency",
    }
    assert set(data["ai_quality"]) == {
        "avg_response_time_ms",
        "success_rate",
        "escalation_rate",
        "avg_messages_before_escalation",
    }
    assert set(data["agent_efficiency"]) == {
        "avg_takeover_time_sec",
        "avg_service_time_sec",
        "resolution_rate",
        "avg_sessions_per_agent",
    }
    assert data["total_sessions"] >= 1 and data["ai_quality"]["avg_response_time_ms"] > 0
    assert set(data["by_status"]) >= {
        "bot_active",
        "pending_manual",
        "manual_live",
        "closed",
        "after_hours_email",
    }
    cached = http.get("/api/sessions/stats", headers=staff["alice"]).json()["data"]
    assert cached["generated_at"] == data["generated_at"]  # within the minute: the cache
