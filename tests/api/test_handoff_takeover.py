"""Exactly one agent wins a chat: 50 agents press "take over" at the same moment, over HTTP."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.db.models import User, UserRole
from tests.api.conftest import bearer, forged_token
from tests.api.handoff_support import new_customer, on_duty
from tests.api_http import ApiServer

AGENTS = 50


def make_agents(db_url: str, n: int) -> list[tuple[int, str]]:
    """n fresh agent accounts in the server's database: (users.id, username)."""
    tag = uuid.uuid4().hex[:6]
    engine = sa.create_engine(db_url.replace("+aiosqlite", ""))
    with Session(engine) as db, db.begin():
        for i in range(n):
            db.add(
                User(
                    username=f"rush{tag}{i:02d}",
                    display_name=f"搶單客服{i:02d}",
                    role=UserRole.AGENT.value,
                    password_hash="!",
                    max_sessions=5,
                )
            )
    with engine.connect() as db:
        rows = db.execute(
            sa.select(User.id, User.username)
            .where(User.username.like(f"rush{tag}%"))
            .order_by(User.username)
        ).all()
    engine.dispose()
    return [(int(r[0]), str(r[1])) for r in rows]


def test_fifty_concurrent_takeovers_one_winner(
    http: httpx.Client, api_server: ApiServer, tokens: dict[str, str]
) -> None:
    now = int(time.time())
    agents = make_agents(api_server.env["DATABASE_URL"], AGENTS)
    headers = [
        bearer(
            forged_token(
                api_server,
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
    customer = new_customer(http)
    with on_duty(http, tokens["admin"], api_server):
        escalate = http.post(
            "/api/manual/escalate",
            headers=customer.headers,
            json={"session_name": customer.session_name},
        )
    assert escalate.status_code == 200 and escalate.json()["data"]["status"] == "pending_manual"
    path = f"/api/sessions/{customer.session_name}/takeover"
    gate = threading.Barrier(AGENTS)

    def press(h: dict[str, str]) -> httpx.Response:
        with httpx.Client(base_url=api_server.url, timeout=60) as client:
            gate.wait()
            return client.post(path, headers=h)

    with ThreadPoolExecutor(AGENTS) as pool:
        answers = list(pool.map(press, headers))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [409] * (AGENTS - 1), statuses
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"MANUAL_IN_PROGRESS"}
    winner = next(i for i, r in enumerate(answers) if r.status_code == 200)
    session = http.get(f"/api/sessions/{customer.session_name}", headers=headers[winner])
    assert session.json()["data"]["session"]["assigned_agent"]["id"] == agents[winner][1]
    trail = session.json()["data"]["audit_trail"]
    assert [a["status_to"] for a in trail] == ["pending_manual", "manual_live"]  # one takeover
