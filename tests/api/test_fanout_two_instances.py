"""Two API processes on one Redis prefix and one database: whatever happens on one instance
reaches the streams held by the other, a stream resumes on the other instance with
Last-Event-ID, limits and the one-turn-at-a-time rule hold across instances, and a server with
streams that were hung up on shuts down at once.

The chat model is a local OpenAI-compatible server (tests/llm/fake_openai.py), so a test can
make one AI turn slow (double texting) without sleeping in the graph.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from core.db.migrate import seed
from core.settings import Settings
from tests.api.conftest import bearer, login
from tests.api.handoff_support import (
    ALWAYS_ON,
    SseReader,
    is_type,
    new_customer,
    say,
    session_of,
    set_shift,
)
from tests.api_http import ApiServer, api_env, start_api, stop_api
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.mcp_http import free_port, wait_for_port

pytestmark = pytest.mark.slow
AI_TEXT = "您好，這是 AI 的回覆。"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text=AI_TEXT)).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def pair(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory, fake_llm: FakeOpenAI
) -> Iterator[tuple[ApiServer, ApiServer]]:
    """Instances A and B: same Redis prefix, same (fresh) database, same secret."""
    folder = tmp_path_factory.mktemp("fanout")
    url = f"sqlite+aiosqlite:///{folder / 'switchboard.db'}"
    asyncio.run(seed(url, app_settings))
    prefix = f"sbtest-fan-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})
    servers, processes = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = api_env(settings, port, stdio_mcp=False)
            env.update(
                **fake_llm.api_env("gpt-4o-mini"),
                SSE_HEARTBEAT_SECONDS="1",
            )
            log = folder / f"api-{name}.log"
            processes.append(start_api(env, log))
            servers.append(ApiServer(f"http://127.0.0.1:{port}", processes[-1], env, log))
        for server in servers:
            wait_for_port(int(server.url.rsplit(":", 1)[1]), server.process, timeout=120)
        yield servers[0], servers[1]
    finally:
        for process in processes:
            stop_api(process)
        client = Redis.from_url("redis://127.0.0.1:6379/0")
        keys = list(client.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            client.unlink(*keys)
        client.close()


@pytest.fixture(scope="module")
def clients(pair: tuple[ApiServer, ApiServer]) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    a, b = pair
    with a.client() as http_a, b.client() as http_b:
        admin = login(http_b, "admin")["access_token"]
        set_shift(http_b, admin, ALWAYS_ON)
        yield http_a, http_b


@pytest.fixture(scope="module")
def agent(clients: tuple[httpx.Client, httpx.Client]) -> dict[str, str]:
    return bearer(login(clients[1], "agent001")["access_token"])


def post(http: httpx.Client, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    response = http.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def _times(trail: list[dict[str, Any]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for row in trail:
        out.setdefault(f"{row['status_from']}>{row['status_to']}", []).append(row["timestamp"])
    return out


def test_session_stats_of_a_scripted_set_of_chats(
    clients: tuple[httpx.Client, httpx.Client], agent: dict[str, str]
) -> None:
    """First in the module, so these four chats are all the prefix holds: the v2.5 numbers
    exactly (durations from the audit trail's own timestamps)."""
    http_a, http_b = clients
    bob = bearer(login(http_b, "agent002")["access_token"])
    one, two, three = (new_customer(http_a) for _ in range(3))
    new_customer(http_b)  # the fourth chat: opened, never written in
    say(http_a, one, "你好")
    say(http_b, one, "謝謝")
    assert say(http_a, one, "上個月帳單多扣了兩百，我要投訴！")["status"] == "pending_manual"
    say(http_a, two, "你好")
    post(http_b, "/api/manual/escalate", two.headers, session_name=two.session_name)
    say(http_a, three, "請問營業時間？")
    time.sleep(1.1)  # waiting time ≥ 1 s
    post(http_b, f"/api/sessions/{one.session_name}/takeover", agent)
    post(http_a, f"/api/sessions/{two.session_name}/takeover", agent)
    post(
        http_b,
        "/api/manual/messages",
        agent,
        session_name=one.session_name,
        role="agent",
        content="您好",
    )
    post(http_b, f"/api/sessions/{two.session_name}/transfer", agent, to_agent_id="agent002")
    time.sleep(1.1)
    post(http_a, f"/api/sessions/{one.session_name}/release", agent)
    post(http_b, f"/api/sessions/{two.session_name}/release", bob)

    stats = http_b.get("/api/sessions/stats", params={"refresh": "true"}, headers=agent)
    data = stats.json()["data"]
    t1 = _times(session_of(http_b, one.session_name, agent)["audit_trail"])
    t2 = _times(session_of(http_b, two.session_name, agent)["audit_trail"])
    takeovers = [
        t1["pending_manual>manual_live"][0] - t1["bot_active>pending_manual"][0],
        t2["pending_manual>manual_live"][0] - t2["bot_active>pending_manual"][0],
    ]
    services = [
        t1["manual_live>bot_active"][0] - t1["pending_manual>manual_live"][0],
        t2["manual_live>bot_active"][0] - t2["pending_manual>manual_live"][0],
    ]
    assert (data["total_sessions"], data["sessions_in_window"]) == (4, 4)
    assert data["by_status"] == {
        "bot_active": 4,
        "pending_manual": 0,
        "manual_live": 0,
        "closed": 0,
        "after_hours_email": 0,
    }
    assert (data["active_agents"], data["avg_waiting_time"]) == (2, 0.0)
    quality = data["ai_quality"]
    assert (quality["escalation_rate"], quality["success_rate"]) == (0.5, 0.5)
    assert quality["avg_messages_before_escalation"] == 3.5  # (5 + 2) / 2
    assert 0 < quality["avg_response_time_ms"] < 5000
    assert data["agent_efficiency"] == {
        "avg_takeover_time_sec": round(sum(takeovers) / 2, 2),
        "avg_service_time_sec": round(sum(services) / 2, 2),
        "resolution_rate": 0.5,  # chat two was transferred
        "avg_sessions_per_agent": 1.0,  # two chats served, two agents
    }
    assert min(takeovers) >= 1 and min(services) >= 1


def test_chat_on_a_agent_on_b_both_ways_then_the_ai_again(
    pair: tuple[ApiServer, ApiServer],
    clients: tuple[httpx.Client, httpx.Client],
    agent: dict[str, str],
) -> None:
    (a, b), (http_a, http_b) = pair, clients
    customer = new_customer(http_a, nickname="跨站客人")
    name = customer.session_name
    on_a = SseReader(a.url, f"/api/sessions/{name}/stream", customer.headers).start()
    observer = SseReader(b.url, f"/api/sessions/{name}/stream", customer.headers).start()
    desk = SseReader(b.url, "/api/agent/stream", agent).start()

    assert say(http_a, customer, "你好")["answer"] == AI_TEXT
    first = on_a.until(is_type("done"))
    assert "".join(e.data["content"] for e in first if e.event == "message") == AI_TEXT
    escalated = say(http_a, customer, "上個月帳單多扣了兩百，我要投訴！")
    assert escalated["status"] == "pending_manual"
    desk.until(is_type("status_change", session_name=name, status="pending_manual"))

    took = post(http_b, f"/api/sessions/{name}/takeover", agent)
    assert took.json()["data"]["session"]["assigned_agent"]["id"] == "agent001"
    live = on_a.until(is_type("status_change", status="manual_live"))
    assert live[-1].data["agent_info"]["agent_id"] == "agent001"
    post(
        http_b,
        "/api/manual/messages",
        agent,
        session_name=name,
        role="agent",
        content="您好，我是客服小狐（B 站）",
    )
    pushed = on_a.until(is_type("manual_message", role="agent"))
    assert pushed[-1].data["content"] == "您好，我是客服小狐（B 站）"
    assert pushed[-1].data["agent_name"] == "客服小狐"
    cut_at = pushed[-1].id
    on_a.close()  # the customer's connection to A drops

    post(
        http_a,
        "/api/manual/messages",
        customer.headers,
        session_name=name,
        role="user",
        content="我從 A 站回覆",
    )
    heard = desk.until(is_type("manual_message", role="user"))
    assert heard[-1].data == {**heard[-1].data, "content": "我從 A 站回覆", "session_name": name}
    post(http_b, f"/api/sessions/{name}/release", agent, reason="resolved")
    resumed = SseReader(
        b.url, f"/api/sessions/{name}/stream", {**customer.headers, "Last-Event-ID": cut_at}
    ).start()
    missed = resumed.until(is_type("status_change", status="bot_active"))
    assert [(e.event, e.data.get("role")) for e in missed] == [
        ("manual_message", "user"),
        ("done", None),
        ("status_change", None),
    ]
    notice = resumed.next()
    assert notice.data["content"] == "人工服務已結束，AI 已接管"

    again = say(http_a, customer, "那 4G 方案呢？")
    assert again["status"] == "bot_active" and again["answer"] == AI_TEXT
    tail = resumed.until(is_type("done"))
    everything = observer.until(lambda e: e.id == tail[-1].id)
    observed = [e.id for e in everything]
    assert [e.id for e in [*missed, notice, *tail]] == observed[observed.index(cut_at) + 1 :]
    assert len(set(observed)) == len(observed)
    history = session_of(http_b, name, agent)["session"]["history"]
    assert [m["role"] for m in history if m["role"] != "system"] == [
        "user",
        "assistant",
        "user",
        "agent",
        "user",
        "user",
        "assistant",
    ]
    for reader in (resumed, observer, desk):
        reader.close()


def test_double_texting_is_refused_while_the_ai_answers_across_instances(
    clients: tuple[httpx.Client, httpx.Client], fake_llm: FakeOpenAI
) -> None:
    http_a, http_b = clients
    customer = new_customer(http_a)
    fake_llm.script(Reply(text="慢慢想好的答案", delay=1.5))
    calls = len(fake_llm.requests)
    first: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: first.update(say(http_a, customer, "第一則")))
    runner.start()
    deadline = time.monotonic() + 10
    while len(fake_llm.requests) == calls:  # the model call of turn 1 has started
        assert time.monotonic() < deadline
        time.sleep(0.02)
    body = {"session_name": customer.session_name, "message": "第二則"}
    refused = http_b.post("/api/chat", json=body, headers=customer.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "RUN_IN_PROGRESS"
    assert refused.headers["Retry-After"] == "1"
    streamed = http_a.post("/api/chat/stream", json=body, headers=customer.headers)
    assert streamed.status_code == 409  # refused before any stream starts
    runner.join(10)
    assert first["answer"] == "慢慢想好的答案"
    assert say(http_b, customer, "第二則")["answer"] == AI_TEXT  # resent once `done` came
    history = session_of(http_a, customer.session_name, customer.headers)["session"]["history"]
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "第一則"),
        ("assistant", "慢慢想好的答案"),
        ("user", "第二則"),
        ("assistant", AI_TEXT),
    ]


def test_the_chat_limit_is_shared_by_the_instances(
    clients: tuple[httpx.Client, httpx.Client],
) -> None:
    http_a, http_b = clients
    customer = new_customer(http_a)
    for n in range(20):
        say((http_a, http_b)[n % 2], customer, f"第 {n} 則")
    body = {"session_name": customer.session_name, "message": "第 21 則"}
    for http in (http_a, http_b):
        refused = http.post("/api/chat", json=body, headers=customer.headers)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_idle_streams_get_heartbeats(
    pair: tuple[ApiServer, ApiServer], clients: tuple[httpx.Client, httpx.Client]
) -> None:
    customer = new_customer(clients[0])
    reader = SseReader(
        pair[0].url, f"/api/sessions/{customer.session_name}/stream", customer.headers
    ).start()
    time.sleep(2.5)
    reader.close()
    assert reader.pings >= 2 and reader.seen == []


def test_hung_up_streams_leave_nothing_behind(
    pair: tuple[ApiServer, ApiServer],
    clients: tuple[httpx.Client, httpx.Client],
    agent: dict[str, str],
) -> None:
    """Clients that hang up right after connecting (the racy moment): the server still stops
    at once, with no stream task left waiting (graceful shutdown would wait 10 s for one)."""
    a, _ = pair
    customer = new_customer(clients[0])
    paths = [
        (f"/api/sessions/{customer.session_name}/stream", customer.headers),
        ("/api/agent/stream", agent),
    ]
    with httpx.Client(base_url=a.url) as http:
        for n in range(40):
            path, headers = paths[n % 2]
            with http.stream("GET", path, headers=headers) as response:
                assert response.status_code == 200
    time.sleep(0.5)
    started = time.monotonic()
    stop_api(a.process)
    assert time.monotonic() - started < 5
    assert "graceful shutdown exceeded" not in Path(a.log).read_text(errors="replace")
