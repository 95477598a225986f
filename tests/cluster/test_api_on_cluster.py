"""Two API instances on a Redis Cluster: a renewal clicked through alternately on both, the
50-agent takeover race (exactly one winner), capacity across the session's and the agent's slots,
and cross-instance delivery with Last-Event-ID replay (sharded pub/sub)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.db.models import User, UserRole
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, bearer, forged_token, login
from tests.api.handoff_support import SseReader, is_type, new_customer, say, session_of
from tests.api_http import ApiServer
from tests.cluster.conftest import AI_TEXT

pytestmark = pytest.mark.slow
AGENTS = 50
Pair = tuple[ApiServer, ApiServer]
Clients = tuple[httpx.Client, httpx.Client]


def make_agents(db_url: str, n: int, max_sessions: int = 5) -> list[tuple[int, str]]:
    """n fresh agent accounts in the servers' database: (users.id, username)."""
    tag = uuid.uuid4().hex[:6]
    engine = sa.create_engine(db_url.replace("+aiosqlite", ""))
    with Session(engine) as db, db.begin():
        for i in range(n):
            db.add(User(username=f"cl{tag}{i:02d}", display_name=f"叢集客服{i:02d}",
                        role=UserRole.AGENT.value, password_hash="!",
                        max_sessions=max_sessions))  # fmt: skip
    with engine.connect() as db:
        rows = db.execute(
            sa.select(User.id, User.username)
            .where(User.username.like(f"cl{tag}%"))
            .order_by(User.username)
        ).all()
    engine.dispose()
    return [(int(r[0]), str(r[1])) for r in rows]


def agent_headers(server: ApiServer, agents: list[tuple[int, str]]) -> list[dict[str, str]]:
    now = int(time.time())
    return [
        bearer(
            forged_token(
                server,
                sub=str(uid),
                role="agent",
                store_id=None,
                iat=now,
                exp=now + 600,
                jti=uuid.uuid4().hex,
            )
        )
        for uid, _ in agents
    ]


def escalated(http: httpx.Client) -> Any:
    customer = new_customer(http)
    response = http.post("/api/manual/escalate", headers=customer.headers,
                         json={"session_name": customer.session_name})  # fmt: skip
    assert response.status_code == 200 and response.json()["data"]["status"] == "pending_manual"
    return customer


@pytest.mark.usefixtures("fresh_backoffice")
def test_a_renewal_clicked_alternately_on_both_instances(cluster_clients: Clients) -> None:
    http_a, http_b = cluster_clients
    token = login(http_a, "E1001")["access_token"]
    j = HttpJourney(http_a, token)
    j.start()
    clicks: list[tuple[str, dict[str, Any]]] = [
        ("step/query-customer", {"id_number": GOLDEN.eligible.national_id}),
        ("step/select-phone", {"phone_number": GOLDEN.eligible.phone}),
        ("step/select-device-type", {"device_type": "smartphone"}),
        ("step/select-device-os", {"os_type": "ios"}),
        (
            "step/select-device",
            {"device_id": GOLDEN.device.device_id, "color": GOLDEN.device.color},
        ),
    ]
    for n, (path, body) in enumerate(clicks):
        j.http = (http_b, http_a)[n % 2]  # every click on the other instance
        j.step(path, **body)
    assert j.view["current_step"] == "list_plans"
    j.http = http_b
    plans = j.stream("step/list-plans")
    assert [e["event"] for e in plans.events][-2:] == ["complete", "done"]
    j.http = http_a
    j.step("step/select-plan", plan_id=j.show["plans"][0]["plan_id"])
    j.http = http_b
    j.step("step/confirm", confirmed=True)
    j.http = http_a
    done = j.step("submit", submit=True)
    assert done["outcome"] == "completed"
    assert done["selections"]["submission"]["reservation"]["status"] == "reserved"
    for http in (http_a, http_b):
        got = http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers)
        assert got.json()["data"]["outcome"] == "completed"


def test_fifty_agents_on_two_instances_one_winner(
    cluster_pair: Pair, cluster_clients: Clients
) -> None:
    (a, b), (http_a, _) = cluster_pair, cluster_clients
    agents = make_agents(a.env["DATABASE_URL"], AGENTS)
    headers = agent_headers(a, agents)
    customer = escalated(http_a)
    path = f"/api/sessions/{customer.session_name}/takeover"
    gate = threading.Barrier(AGENTS)

    def press(n: int) -> httpx.Response:
        with httpx.Client(base_url=(a, b)[n % 2].url, timeout=60) as client:
            gate.wait()
            return client.post(path, headers=headers[n])

    with ThreadPoolExecutor(AGENTS) as pool:
        answers = list(pool.map(press, range(AGENTS)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [409] * (AGENTS - 1), statuses
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"MANUAL_IN_PROGRESS"}
    winner = next(i for i, r in enumerate(answers) if r.status_code == 200)
    state = session_of(http_a, customer.session_name, headers[winner])
    assert state["session"]["assigned_agent"]["id"] == agents[winner][1]
    assert [row["status_to"] for row in state["audit_trail"]] == ["pending_manual", "manual_live"]


def test_capacity_holds_across_instances_and_frees_on_release(
    cluster_pair: Pair, cluster_clients: Clients
) -> None:
    """A one-chat agent: the second takeover (on the other instance) is refused and leaves the
    chat free for others; after the release on B, a takeover on A succeeds."""
    (a, _), (http_a, http_b) = cluster_pair, cluster_clients
    [solo], [other] = (
        make_agents(a.env["DATABASE_URL"], 1, 1),
        make_agents(a.env["DATABASE_URL"], 1),
    )
    solo_h, other_h = agent_headers(a, [solo])[0], agent_headers(a, [other])[0]
    first, second = escalated(http_a), escalated(http_b)
    took = http_a.post(f"/api/sessions/{first.session_name}/takeover", headers=solo_h)
    assert took.status_code == 200, took.text
    refused = http_b.post(f"/api/sessions/{second.session_name}/takeover", headers=solo_h)
    assert refused.status_code == 409 and refused.json()["code"] == "AGENT_AT_CAPACITY"
    by_other = http_a.post(f"/api/sessions/{second.session_name}/takeover", headers=other_h)
    assert by_other.status_code == 200, by_other.text  # the refused claim was given back
    released = http_b.post(f"/api/sessions/{first.session_name}/release", headers=solo_h, json={})
    assert released.status_code == 200, released.text
    third = escalated(http_b)
    again = http_a.post(f"/api/sessions/{third.session_name}/takeover", headers=solo_h)
    assert again.status_code == 200, again.text


def test_events_cross_instances_and_resume_with_last_event_id(
    cluster_pair: Pair, cluster_clients: Clients
) -> None:
    (a, b), (http_a, http_b) = cluster_pair, cluster_clients
    agent = bearer(login(http_b, "agent001")["access_token"])
    customer = new_customer(http_a, nickname="叢集客人")
    name = customer.session_name
    on_a = SseReader(a.url, f"/api/sessions/{name}/stream", customer.headers).start()
    observer = SseReader(b.url, f"/api/sessions/{name}/stream", customer.headers).start()
    desk = SseReader(b.url, "/api/agent/stream", agent).start()

    assert say(http_a, customer, "你好")["answer"] == AI_TEXT
    first = on_a.until(is_type("done"))
    assert "".join(e.data["content"] for e in first if e.event == "message") == AI_TEXT
    assert say(http_a, customer, "上個月帳單多扣了兩百，我要投訴！")["status"] == "pending_manual"
    desk.until(is_type("status_change", session_name=name, status="pending_manual"))
    took = http_b.post(f"/api/sessions/{name}/takeover", headers=agent)
    assert took.status_code == 200, took.text
    on_a.until(is_type("status_change", status="manual_live"))
    body = {"session_name": name, "role": "agent", "content": "您好，B 站客服"}
    assert http_b.post("/api/manual/messages", json=body, headers=agent).status_code == 200
    pushed = on_a.until(is_type("manual_message", role="agent"))
    cut_at = pushed[-1].id
    on_a.close()  # the customer's connection to A drops

    body = {"session_name": name, "role": "user", "content": "我從 A 站回覆"}
    assert (
        http_a.post("/api/manual/messages", json=body, headers=customer.headers).status_code == 200
    )
    desk.until(is_type("manual_message", role="user"))
    released = http_b.post(f"/api/sessions/{name}/release", headers=agent, json={})
    assert released.status_code == 200, released.text
    resumed = SseReader(
        b.url, f"/api/sessions/{name}/stream", {**customer.headers, "Last-Event-ID": cut_at}
    ).start()
    missed = resumed.until(is_type("status_change", status="bot_active"))
    assert [(e.event, e.data.get("role")) for e in missed] == [
        ("manual_message", "user"),
        ("done", None),
        ("status_change", None),
    ]
    everything = observer.until(lambda e: e.id == missed[-1].id)
    observed = [e.id for e in everything]
    assert [e.id for e in missed] == observed[observed.index(cut_at) + 1 :]
    assert len(set(observed)) == len(observed)
    for reader in (resumed, observer, desk):
        reader.close()
