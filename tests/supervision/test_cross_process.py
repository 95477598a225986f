"""Separate OS processes on one Redis: exactly one takeover wins a race of twenty, and a session
escalated in one process is taken over, released and escalated again by others."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from graphs.supervision.service import SupervisionService
from tests.supervision.conftest import Harness
from tests.supervision.helpers import ALICE, BOB, chat

pytestmark = pytest.mark.slow


class Workers:
    """Worker processes forked from one forkserver that preloaded the service code."""

    def __init__(self, harness: Harness, database_url: str) -> None:
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["tests.supervision.workers"])
        self.base = {"prefix": harness.prefix, "database_url": database_url,
                     "outbox": str(harness.outbox_path)}  # fmt: skip
        self.processes: list[Any] = []

    def run(self, jobs: list[dict[str, Any]], timeout: float = 90) -> list[dict[str, Any]]:
        """Start every job, wait until all are ready, fire them at once, collect results."""
        from tests.supervision.workers import run

        ready, results, go = self.ctx.Queue(), self.ctx.Queue(), self.ctx.Event()
        started = []
        for job in jobs:
            process = self.ctx.Process(target=run, args=({**self.base, **job}, ready, go, results))
            process.start()
            started.append(process)
        self.processes += started
        pids = {ready.get(timeout=timeout) for _ in jobs}
        assert pids == {p.pid for p in started}
        go.set()
        out = [results.get(timeout=timeout) for _ in jobs]
        for process in started:
            process.join(timeout=timeout)
            assert process.exitcode == 0
        return out

    def close(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.kill()


@pytest.fixture
def workers(harness: Harness, app_settings: Settings) -> Iterator[Workers]:
    pool = Workers(harness, app_settings.database_url)
    yield pool
    pool.close()


async def test_twenty_processes_race_to_take_over_one_chat_and_one_wins(
    service: SupervisionService, workers: Workers
) -> None:
    session = await service.new_conversation({"nickname": "搶手客戶"})
    await chat(service, session, "我要找真人客服")
    racers = [{"id": f"racer{i:02d}", "name": f"Racer {i}", "max_sessions": 5} for i in range(20)]
    results = workers.run([{"action": "takeover", "session": session, "agent": a}
                           for a in racers])  # fmt: skip
    winners = [r for r in results if r["ok"]]
    losers = [r for r in results if not r["ok"]]
    assert len(winners) == 1, results
    assert winners[0]["status"] == "manual_live"
    assert {r["code"] for r in losers} == {"MANUAL_IN_PROGRESS"} and len(losers) == 19
    where = [r["lost_at"] for r in losers]
    print("lost at:", {w: where.count(w) for w in ("claim", "status check")})
    assert len({r["pid"] for r in results}) == 20 and os.getpid() not in {r["pid"] for r in results}

    got = await service.get_session(session)
    assert got["session"]["assigned_agent"]["id"] == winners[0]["agent"]
    takeovers = [a for a in got["audit_trail"] if a["reason"] == "agent_takeover"]
    assert len(takeovers) == 1 and takeovers[0]["operator"] == winners[0]["agent"]
    joined = [m for m in got["session"]["history"] if "已加入對話" in m["content"]]
    assert len(joined) == 1
    holder = await service.claims.holder(session)
    assert holder is not None and holder.agent_id == winners[0]["agent"]
    for racer in racers:
        expected = {session} if racer["id"] == winners[0]["agent"] else set()
        assert await service.sessions_of(racer["id"]) == expected


async def test_escalated_in_one_process_taken_over_in_another_released_and_again(
    service: SupervisionService, workers: Workers, tmp_path: Path
) -> None:
    session = await service.new_conversation({"nickname": "跨程序"})
    await chat(service, session, "帳單怎麼繳？")
    [escalated] = workers.run([{"action": "escalate", "session": session}])
    [taken] = workers.run([{"action": "takeover", "session": session, "agent": ALICE}])
    assert escalated["status"] == "pending_manual" and taken["status"] == "manual_live"
    assert escalated["pid"] != taken["pid"]
    await service.agent_message(session, ALICE, "您好，我來處理")
    await service.release(session, ALICE)  # a third process
    [asked] = workers.run([{"action": "say", "session": session, "text": "我還是要找真人"}])
    assert asked["status"] == "pending_manual"
    [again] = workers.run([{"action": "takeover", "session": session, "agent": BOB}])
    assert again["status"] == "manual_live"
    [done] = workers.run([{"action": "release", "session": session, "agent": BOB}])
    assert done["status"] == "bot_active"

    got = await service.get_session(session)
    assert [(m["role"], m["content"]) for m in got["session"]["history"]] == [
        ("user", "帳單怎麼繳？"),
        ("assistant", got["session"]["history"][1]["content"]),
        ("system", "已為您轉接人工客服，請稍候。"),
        ("system", "客服人員 客服小狐 已加入對話。"),
        ("agent", "您好，我來處理"),
        ("system", "人工服務已結束，AI 已接管"),
        ("user", "我還是要找真人"),
        ("system", "已為您轉接人工客服，請稍候。"),
        ("system", "客服人員 客服小熊 已加入對話。"),
        ("system", "人工服務已結束，AI 已接管"),
    ]
    assert [(a["operator"], a["reason"]) for a in got["audit_trail"]] == [
        ("user", "user_request"), ("agent001", "agent_takeover"), ("agent001", "released"),
        ("user", "user_request"), ("agent002", "agent_takeover"), ("agent002", "released"),
    ]  # fmt: skip
    assert got["session"]["escalation_epoch"] == 2
