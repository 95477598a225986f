"""The session and agent SSE streams over real HTTP: live events, a customer stream cut
mid-conversation and resumed with Last-Event-ID (nothing missed, nothing twice), what an
agent's workbench stream shows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.handoff_support import (
    SseReader,
    escalated,
    is_type,
    new_customer,
    on_duty,
    post,
    say,
    session_of,
    staff_headers,
)
from tests.api_http import ApiServer


@pytest.fixture(scope="module")
def staff(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> Iterator[dict[str, dict[str, str]]]:
    with on_duty(http, tokens["admin"], api_server):
        yield staff_headers(http, tokens)


def test_streams_resume_with_last_event_id_missing_nothing_repeating_nothing(
    http: httpx.Client, api_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    customer = escalated(http)
    name = customer.session_name
    path = f"/api/sessions/{name}/stream"
    start = session_of(http, name, customer.headers)["last_event_id"]
    observer = SseReader(api_server.url, path, {**customer.headers, "Last-Event-ID": start}).start()
    cut = SseReader(api_server.url, path, customer.headers).start()
    desk = SseReader(api_server.url, "/api/agent/stream", staff["alice"]).start()

    assert post(http, f"/api/sessions/{name}/takeover", staff["alice"]).status_code == 200
    for text in ("第一則", "第二則"):
        post(
            http,
            "/api/manual/messages",
            staff["alice"],
            session_name=name,
            role="agent",
            content=text,
        )
    before = cut.until(is_type("manual_message", content="第二則"))
    assert [e.event for e in before][:2] == ["status_change", "manual_message"]
    assert before[0].data["status"] == "manual_live" and before[0].data["agent_info"] == {
        "agent_id": "agent001",
        "agent_name": "客服小狐",
    }
    cut.close()  # the customer's connection drops mid-conversation

    for text in ("第三則", "第四則"):
        post(
            http,
            "/api/manual/messages",
            staff["alice"],
            session_name=name,
            role="agent",
            content=text,
        )
    post(
        http,
        "/api/manual/messages",
        customer.headers,
        session_name=name,
        role="user",
        content="我回來了",
    )
    resumed = SseReader(
        api_server.url, path, {**customer.headers, "Last-Event-ID": before[-1].id}
    ).start()
    missed = resumed.until(is_type("manual_message", content="我回來了"))
    assert [e.data["content"] for e in missed] == ["第三則", "第四則", "我回來了"]
    everything = observer.until(is_type("manual_message", content="我回來了"))
    assert [e.id for e in before + missed] == [e.id for e in everything]
    assert len({e.id for e in everything}) == len(everything)
    ids = [tuple(map(int, e.id.split("-"))) for e in everything]
    assert ids == sorted(ids)

    queue_moves = desk.until(is_type("manual_message", content="我回來了"))
    kinds = [(e.event, e.data.get("session_name")) for e in queue_moves]
    assert ("status_change", name) in kinds
    assert all(e.data["type"] != "message" for e in queue_moves)
    assert post(http, f"/api/sessions/{name}/release", staff["alice"]).status_code == 200
    released = resumed.until(is_type("status_change", status="bot_active"))
    assert released[-1].data["reason"] == "released"
    reply = say(http, customer, "謝謝，再問一下 4G 方案")
    tokens = resumed.until(is_type("done"))
    assert "".join(e.data["content"] for e in tokens if e.event == "message") == reply["answer"]
    for reader in (observer, resumed, desk):
        reader.close()


def test_agent_stream_shows_messages_of_held_chats_only(
    http: httpx.Client, api_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    mine, theirs = escalated(http), escalated(http)
    alice = SseReader(api_server.url, "/api/agent/stream", staff["alice"]).start()
    say(http, theirs, "還有人嗎？")  # still waiting: every agent's queue view hears it
    waiting = alice.until(is_type("manual_message", content="還有人嗎？"))
    assert waiting[-1].data["session_name"] == theirs.session_name
    post(http, f"/api/sessions/{mine.session_name}/takeover", staff["alice"])
    post(http, f"/api/sessions/{theirs.session_name}/takeover", staff["bob"])
    post(
        http,
        "/api/manual/messages",
        theirs.headers,
        session_name=theirs.session_name,
        role="user",
        content="給小熊的",
    )
    post(
        http,
        "/api/manual/messages",
        mine.headers,
        session_name=mine.session_name,
        role="user",
        content="給小狐的",
    )
    got = alice.until(is_type("manual_message", content="給小狐的"))
    contents = [e.data.get("content") for e in got if e.event == "manual_message"]
    assert "給小熊的" not in contents
    changes = {
        (e.data["session_name"], e.data["status"]) for e in got if e.event == "status_change"
    }
    assert (theirs.session_name, "manual_live") in changes  # queue moves of every chat
    post(
        http, f"/api/sessions/{mine.session_name}/transfer", staff["alice"], to_agent_id="agent002"
    )
    post(
        http,
        "/api/manual/messages",
        mine.headers,
        session_name=mine.session_name,
        role="user",
        content="轉走之後",
    )
    post(http, f"/api/sessions/{theirs.session_name}/release", staff["bob"])
    after = alice.until(
        is_type("status_change", session_name=theirs.session_name, status="bot_active")
    )
    assert "轉走之後" not in [e.data.get("content") for e in after]
    alice.close()
    post(http, f"/api/sessions/{mine.session_name}/release", staff["bob"])


def test_bad_last_event_id_is_refused(http: httpx.Client, staff: dict[str, dict[str, str]]) -> None:
    customer = new_customer(http)
    bad = http.get(
        f"/api/sessions/{customer.session_name}/stream",
        headers={**customer.headers, "Last-Event-ID": "yesterday"},
    )
    assert bad.status_code in (400, 422)
    unknown = http.get("/api/sessions/session_none/stream", headers=staff["alice"])
    assert unknown.status_code == 404
