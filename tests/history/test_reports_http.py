"""Reports over a scripted day: rows written for 2026-11-18 (Asia/Taipei) with known times,
then read back through `/api/reports/*` as JSON and CSV; plus today's live conversations."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import create_engine
from core.db.models import AuditEntry, ConversationMessage, ConversationRecord, Ticket
from tests.api.handoff_support import new_customer, say
from tests.api_http import ApiServer, eventually

pytestmark = pytest.mark.postgres
DAY = "2026-11-18"  # a Wednesday; its week is 11-16 .. 11-22
T0 = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def conversation(name: str, start: int, status: str) -> ConversationRecord:
    return ConversationRecord(session_name=name, customer=name, status=status,
                              started_at=at(start), last_activity_at=at(start),
                              escalations=0, episodes=0, message_count=0)  # fmt: skip


def message(name: str, seq: int, when: int, role: str, **extra: Any) -> ConversationMessage:
    return ConversationMessage(id=f"{name}_{seq}", session_name=name, seq=seq, role=role,
                               content=f"{role} {seq}", created_at=at(when), **extra)  # fmt: skip


def move(name: str, when: int, src: str, dst: str, reason: str, agent: str = "") -> AuditEntry:
    detail = {"agent": {"id": agent, "name": agent}} if agent else {}
    return AuditEntry(entity_type="chat_session", entity_id=name, status_from=src,
                      status_to=dst, operator=agent or "system", reason=reason, detail=detail,
                      created_at=at(when))  # fmt: skip


def ticket(n: int, response_due: int, responded: int, resolution_due: int,
           resolved: int | None) -> Ticket:  # fmt: skip
    return Ticket(ticket_id=f"ticket_hist_{n}", ticket_number=f"TK-20269{n:04d}", title="t",
                  description="d", category="technical", priority="high", department="technical",
                  customer_id="c", tags=[], created_by="agent001", created_by_name="Alice",
                  sla_response_due=at(response_due), sla_response_warn_at=at(response_due),
                  sla_resolution_due=at(resolution_due),
                  sla_resolution_warn_at=at(resolution_due), first_response_at=at(responded),
                  resolved_at=at(resolved) if resolved is not None else None,
                  created_at=at(0), updated_at=at(0))  # fmt: skip


B, P, L, C = "bot_active", "pending_manual", "manual_live", "closed"


def scripted_rows() -> list[Any]:
    """a: keyword → alice after 60 s → released after 300 s (resolved in 360 s) → closed;
    b: button → bob after 120 s → closed after 300 s (420 s); c: AI only; d: cancelled wait."""
    return [
        conversation("sd_a", 0, C), conversation("sd_b", 1000, C),
        conversation("sd_c", 2000, B), conversation("sd_d", 3000, B),
        message("sd_a", 0, 0, "user"), message("sd_a", 1, 2, "assistant", response_ms=800),
        message("sd_a", 2, 60, "user"), message("sd_a", 3, 61, "system"),
        message("sd_a", 4, 130, "agent", agent_id="alice"),
        message("sd_b", 0, 1000, "user"), message("sd_b", 1, 1001, "assistant", response_ms=1200),
        message("sd_b", 2, 1100, "user"), message("sd_b", 3, 1101, "system"),
        message("sd_b", 4, 1230, "agent", agent_id="bob"),
        message("sd_c", 0, 2000, "user"), message("sd_c", 1, 2001, "assistant", response_ms=400),
        message("sd_d", 0, 3000, "user"),
        move("sd_a", 61, B, P, "keyword"), move("sd_a", 121, P, L, "agent_takeover", "alice"),
        move("sd_a", 421, L, B, "released", "alice"), move("sd_a", 600, B, C, "closed"),
        move("sd_b", 1101, B, P, "user_request"), move("sd_b", 1221, P, L, "agent_takeover", "bob"),
        move("sd_b", 1521, L, C, "closed", "bob"),
        move("sd_d", 3001, B, P, "keyword"), move("sd_d", 3031, P, B, "escalation_cancelled"),
        ticket(1, 3600, 100, 86_400, 1000),  # both on time
        ticket(2, 900, 1000, 365 * 86_400, None),  # answered late; resolution not due yet
    ]  # fmt: skip


async def _write(url: str, rows: list[Any]) -> None:
    engine = create_engine(url=url)
    try:
        async with AsyncSession(engine) as db, db.begin():
            for item in rows:  # conversations before their messages (one flush per kind)
                db.add(item)
                await db.flush()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def scripted_day(history_api: ApiServer) -> None:
    asyncio.run(_write(history_api.env["DATABASE_URL"], scripted_rows()))


EXPECTED = {
    "conversations": {"started": 4, "active": 4, "escalated": 3, "closed": 2,
                      "messages": {"user": 6, "assistant": 3, "agent": 2, "system": 2}},
    "escalations": {"total": 3, "by_reason": {"keyword": 2, "user_request": 1}},
    "takeover_wait_seconds": {"count": 2, "mean": 90.0, "p50": 60, "p95": 120, "max": 120},
    "service_time_seconds": {"count": 2, "mean": 300.0, "p50": 300, "p95": 300, "max": 300},
    "resolution_time_seconds": {"count": 2, "mean": 390.0, "p50": 360, "p95": 420, "max": 420},
    "sla": {"tickets": 2,
            "response": {"met": 1, "breached": 1, "open": 0, "compliance": 0.5},
            "resolution": {"met": 1, "breached": 0, "open": 1, "compliance": 1.0}},
    "ai_quality": {"answers": 3, "avg_response_time_ms": 800.0, "p95_response_time_ms": 1200,
                   "success_rate": 0.25, "escalation_rate": 0.75,
                   "avg_messages_before_escalation": 2.33},
    "agents": [{"agent_id": "alice", "sessions_taken": 1, "messages": 1},
               {"agent_id": "bob", "sessions_taken": 1, "messages": 1}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [("daily", DAY, DAY), ("weekly", "2026-11-16", "2026-11-22"),
     ("monthly", "2026-11-01", "2026-11-30")],
)  # fmt: skip
def test_report_of_the_scripted_day(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], scripted_day: None, period: str,
    first: str, last: str,
) -> None:  # fmt: skip
    response = hhttp.get(f"/api/reports/{period}", params={"date": DAY}, headers=staff["alice"])
    assert response.status_code == 200, response.text
    report = response.json()["data"]
    assert (report["period"], report["from"], report["to"]) == (period, first, last)
    assert {key: report[key] for key in EXPECTED} == EXPECTED


def test_the_next_day_is_empty(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], scripted_day: None
) -> None:
    report = hhttp.get("/api/reports/daily?date=2026-11-19", headers=staff["admin"]).json()["data"]
    assert report["conversations"]["started"] == 0 and report["escalations"]["total"] == 0
    assert report["takeover_wait_seconds"]["p50"] is None
    assert report["ai_quality"]["success_rate"] == 0.0 and report["agents"] == []


def test_csv_has_the_same_numbers(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], scripted_day: None
) -> None:
    response = hhttp.get(f"/api/reports/daily?date={DAY}&format=csv", headers=staff["admin"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        f'filename="chat-report_daily_{DAY}_{DAY}.csv"' in response.headers["content-disposition"]
    )
    assert response.content.startswith(b"\xef\xbb\xbfsection,metric,value\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = {(section, metric): value for section, metric, value in rows[1:]}
    assert cells[("escalations", "by_reason.keyword")] == "2"
    assert cells[("takeover_wait_seconds", "p95")] == "120"
    assert cells[("resolution_time_seconds", "p50")] == "360"
    assert cells[("sla", "response.compliance")] == "0.5"
    assert cells[("ai_quality", "escalation_rate")] == "0.75"
    assert cells[("agents", "bob.sessions_taken")] == "1"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/reports/daily?date=2026-13-01", 422, "VALIDATION_ERROR"),
        ("/api/reports/daily?date=2999-01-01", 400, "INVALID_INPUT"),
        ("/api/reports/weekly?format=xml", 422, "VALIDATION_ERROR"),
        ("/api/reports/yearly", 404, None),
    ],
)
def test_bad_report_requests(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]], path: str, status: int,
    code: str | None,
) -> None:  # fmt: skip
    response = hhttp.get(path, headers=staff["alice"])
    assert response.status_code == status, response.text
    assert response.json()["success"] is False
    if code:
        assert response.json()["code"] == code


def test_todays_report_counts_a_live_conversation(
    hhttp: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    before = hhttp.get("/api/reports/daily", headers=staff["alice"]).json()["data"]
    customer = new_customer(hhttp, nickname="報表客人")
    say(hhttp, customer, "請問 5G 吃到飽方案？")
    assert say(hhttp, customer, "我要投訴你們的服務")["status"] == "pending_manual"
    expected = {"started": 1, "escalated": 1, "keyword": 1, "answers": 1}
    grew: dict[str, int] = {}

    def counted() -> bool:
        after = hhttp.get("/api/reports/daily", headers=staff["alice"]).json()["data"]
        grew.update(
            started=after["conversations"]["started"] - before["conversations"]["started"],
            escalated=after["conversations"]["escalated"] - before["conversations"]["escalated"],
            keyword=after["escalations"]["by_reason"].get("keyword", 0)
            - before["escalations"]["by_reason"].get("keyword", 0),
            answers=after["ai_quality"]["answers"] - before["ai_quality"]["answers"],
        )
        return grew == expected and after["ai_quality"]["avg_response_time_ms"] > 0

    assert eventually(counted), "not archived in time"
    assert grew == expected
