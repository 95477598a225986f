"""Tenant-owned settings reach only the tenant's own chats (issue 21): shift hours, auto-reply
rules, agent availability and queue position, session statistics and the chat model.

One API process of this module's own; tenant A is `default`, tenant B is `harbor`. The model
test points B at the protocol-level fake OpenAI server (tests/llm/fake_openai.py), whose key
variable exists in the API process only under the name B's settings give.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.settings import Settings
from tests.api.handoff_support import ALWAYS_ON
from tests.api_http import ApiServer, own_api_server
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.tenants.conftest import (
    ADMIN_A,
    ADMIN_B,
    AGENT_A,
    AGENT_B,
    SITE_A,
    SITE_B,
    bearer,
    opened,
    token_of,
)

KEY_ENV = "SB_TEST_TENANT_MODEL_KEY"  # set in the API process: B's model key
UNSET_ENV = "SB_TEST_TENANT_KEY_NOT_SET"  # never set anywhere
FAKE_TEXT = "這是海港電信專屬模型的回答"
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
NEVER_ON = {"start": "09:00", "end": "18:00", "weekends_disabled": True, "weekend_days": WEEK,
            "offline_messages": {"zh-TW": "A 租戶目前下班", "zh-CN": "A 租户目前下班",
                                 "en": "Tenant A is closed"}}  # fmt: skip


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(Reply(text=FAKE_TEXT)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tenant_server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    folder = tmp_path_factory.mktemp("tenant-data")
    env = {KEY_ENV: "sk-fake-tenant-key"}
    with own_api_server(app_settings, folder, "tdata", **env) as server:
        yield server


@pytest.fixture(scope="module")
def admins(http: httpx.Client) -> dict[str, dict[str, str]]:
    """Bearer headers of both tenants' admins; both tenants' agents on duty around the clock."""
    heads = {"a": bearer(token_of(http, ADMIN_A)), "b": bearer(token_of(http, ADMIN_B))}
    for headers in heads.values():
        put_shift(http, headers, ALWAYS_ON)
    return heads


def put_shift(http: httpx.Client, headers: dict[str, str], config: dict[str, Any]) -> None:
    response = http.put("/api/shift/config", json=config, headers=headers)
    assert response.status_code == 200, response.text


def chat(http: httpx.Client, site_key: str) -> tuple[str, dict[str, str]]:
    data = opened(http, site_key)
    return data["session_name"], bearer(data["token"])


def say(http: httpx.Client, session: tuple[str, dict[str, str]], text: str) -> str:
    name, headers = session
    response = http.post("/api/chat", json={"session_name": name, "message": text},
                         headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    answer: str = response.json()["data"]["answer"]
    return answer


def escalate(http: httpx.Client, session: tuple[str, dict[str, str]]) -> dict[str, Any]:
    name, headers = session
    response = http.post("/api/manual/escalate", json={"session_name": name}, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def history(http: httpx.Client, name: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = http.get(f"/api/sessions/{name}", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["session"]["history"]
    return items


def rule(http: httpx.Client, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = http.post("/api/auto-reply-rules", json=body, headers=headers)
    assert response.status_code == 200, response.text
    rule_id: str = response.json()["data"]["id"]
    return rule_id


def stats(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/sessions/stats", params={"refresh": "true"}, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_shift_hours_are_the_tenants_own(
    http: httpx.Client, admins: dict[str, dict[str, str]]
) -> None:
    put_shift(http, admins["a"], NEVER_ON)
    try:
        read_a = http.get("/api/shift/config", headers=admins["a"]).json()["data"]
        read_b = http.get("/api/shift/config", headers=admins["b"]).json()["data"]
        assert read_a["weekend_days"] == WEEK and read_b["weekends_disabled"] is False
        a_chat, b_chat = chat(http, SITE_A), chat(http, SITE_B)
        off = escalate(http, a_chat)  # A is closed: the offline reply, no queue slot
        assert off["status"] == "bot_active"
        texts = [m["content"] for m in history(http, a_chat[0], admins["a"])]
        assert "A 租戶目前下班" in texts
        on = escalate(http, b_chat)  # B's own hours: around the clock, so it queues
        assert on["status"] == "pending_manual"
        assert "A 租戶目前下班" not in [m["content"] for m in history(http, b_chat[0],
                                                                       admins["b"])]  # fmt: skip
    finally:
        put_shift(http, admins["a"], ALWAYS_ON)


def test_auto_reply_rules_answer_only_the_tenants_chats(
    http: httpx.Client, admins: dict[str, dict[str, str]]
) -> None:
    word = f"暗號{uuid.uuid4().hex[:6]}"
    reply = f"A 的關鍵字回覆 {word}"
    rule_id = rule(http, admins["a"], {"type": "keyword", "reply_content": reply,
                                       "trigger_condition": {"keywords": [word]}})  # fmt: skip
    try:
        assert say(http, chat(http, SITE_A), f"請問{word}是什麼").strip() == reply
        assert reply not in say(http, chat(http, SITE_B), f"請問{word}是什麼")
        listed = http.get("/api/auto-reply-rules", headers=admins["b"]).json()["data"]["items"]
        assert rule_id not in [r["id"] for r in listed]
    finally:
        http.delete(f"/api/auto-reply-rules/{rule_id}", headers=admins["a"])


def waiting(http: httpx.Client, headers: dict[str, str]) -> int:
    response = http.get("/api/sessions", params={"status": "pending_manual"}, headers=headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["data"]["total"]
    return total


def test_busy_and_queue_replies_count_the_tenants_own_agents_and_queue(
    http: httpx.Client, admins: dict[str, dict[str, str]]
) -> None:
    # B's only agent is offline; A's agent is online with room: B is busy, A is not
    b_agent = bearer(token_of(http, AGENT_B))
    assert http.post("/api/agent/logout", headers=b_agent).status_code == 200
    token_of(http, AGENT_A)
    made = [
        (admins[t], rule(http, admins[t], {"type": kind, "reply_content": f"{t}:{kind}:{text}"}))
        for t in ("a", "b")
        for kind, text in (("busy", "客服忙線中"), ("queue", "您排在第 {queue_position} 位"))
    ]
    try:
        for _ in range(2):  # A's queue grows; B's queue positions must not count it
            escalate(http, chat(http, SITE_A))
        a_ahead, b_ahead = waiting(http, admins["a"]), waiting(http, admins["b"])
        assert a_ahead >= 2
        a_chat, b_chat = chat(http, SITE_A), chat(http, SITE_B)
        escalate(http, a_chat)
        escalate(http, b_chat)
        a_said = [
            m["content"] for m in history(http, a_chat[0], admins["a"]) if m.get("auto_reply")
        ]
        b_said = [
            m["content"] for m in history(http, b_chat[0], admins["b"]) if m.get("auto_reply")
        ]
        assert b_said == ["b:busy:客服忙線中", f"b:queue:您排在第 {b_ahead + 1} 位"], b_said
        assert a_said == [f"a:queue:您排在第 {a_ahead + 1} 位"], a_said
    finally:
        for headers, rule_id in made:
            http.delete(f"/api/auto-reply-rules/{rule_id}", headers=headers)


def test_session_stats_count_only_the_callers_tenant(
    http: httpx.Client, admins: dict[str, dict[str, str]]
) -> None:
    a_before, b_before = stats(http, admins["a"]), stats(http, admins["b"])
    a_chat = chat(http, SITE_A)
    say(http, a_chat, "請問帳單怎麼繳？")
    escalate(http, a_chat)
    a_after, b_after = stats(http, admins["a"]), stats(http, admins["b"])
    assert a_after["total_sessions"] == a_before["total_sessions"] + 1
    assert a_after["by_status"]["pending_manual"] == a_before["by_status"]["pending_manual"] + 1
    assert a_after["sessions_in_window"] >= a_before["sessions_in_window"] + 1
    for name in ("total_sessions", "by_status", "sessions_in_window", "active_agents"):
        assert b_after[name] == b_before[name], name
    assert b_after["ai_quality"] == b_before["ai_quality"]


def test_the_tenants_model_answers_its_chats_and_no_other(
    http: httpx.Client, admins: dict[str, dict[str, str]], fake: FakeOpenAI
) -> None:
    model = {"provider": "openai", "model": "gpt-4o-mini", "endpoint": fake.base_url,
             "api_key_env": KEY_ENV, "temperature": 0.2}  # fmt: skip
    changed = http.patch("/api/tenants/current", json={"model": model}, headers=admins["b"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["model"]["api_key_set"] is True
    try:
        before = len(fake.requests)
        b_answer = say(http, chat(http, SITE_B), "請問帳單怎麼繳？")
        assert FAKE_TEXT in b_answer
        sent = fake.requests[before:]
        assert sent and sent[0].body["model"] == "gpt-4o-mini"
        assert sent[0].headers["authorization"] == "Bearer sk-fake-tenant-key"
        assert sent[0].body["temperature"] == 0.2
        seen = len(fake.requests)
        a_answer = say(http, chat(http, SITE_A), "請問帳單怎麼繳？")
        assert FAKE_TEXT not in a_answer and a_answer.strip()
        assert len(fake.requests) == seen  # A's chat never reached B's model

        # the key variable unset in this process: the offline model answers, marked degraded
        unset = {"model": {"api_key_env": UNSET_ENV}}
        changed = http.patch("/api/tenants/current", json=unset, headers=admins["b"])
        assert changed.json()["data"]["model"]["api_key_set"] is False
        seen = len(fake.requests)
        degraded = say(http, chat(http, SITE_B), "請問帳單怎麼繳？")
        assert FAKE_TEXT not in degraded and degraded.strip()
        assert len(fake.requests) == seen
    finally:
        back = http.patch("/api/tenants/current", json={"model": {"provider": "offline"}},
                          headers=admins["b"])  # fmt: skip
        assert back.status_code == 200, back.text
    seen = len(fake.requests)
    assert FAKE_TEXT not in say(http, chat(http, SITE_B), "請問帳單怎麼繳？")
    assert len(fake.requests) == seen


def test_a_provider_this_deployment_cannot_build_is_refused(
    http: httpx.Client, admins: dict[str, dict[str, str]]
) -> None:
    body = {"model": {"provider": "anthropic", "model": "claude-sonnet-4",
                      "api_key_env": "ANTHROPIC_API_KEY"}}  # fmt: skip
    refused = http.patch("/api/tenants/current", json=body, headers=admins["b"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["success"] is False
    assert refused.json()["code"] == "MODEL_PROVIDER_UNSUPPORTED"
    current = http.get("/api/tenants/current", headers=admins["b"]).json()["data"]
    assert current["model"]["provider"] != "anthropic"  # nothing was saved
