"""Store statistics (seed 000 §3.4, §7.3) against a scripted day of activity.

Rows are written straight into the server's database for a fixed past day D (Taipei time), so
no other suite's activity falls into it: logins and logouts, renewals started, completed,
abandoned and sold, AI calls of several types; plus rows just across midnight (the next local
day), a failed login and a customer-chat AI call (no staff) that must not count. Then every
view is checked to the exact number. `my-dashboard` uses today's rows of E2002, whom no other
suite logs in as.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.db.models import AiUsageLog, LoginLog, RenewalRecord, User
from tests.api.conftest import bearer, login
from tests.api_http import ApiServer

D = date(2026, 10, 14)  # a Wednesday
TAIPEI = timedelta(hours=8)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """Local Taipei wall time → aware UTC."""
    return datetime.combine(day, time(hh, mm), tzinfo=UTC) - TAIPEI


class Script:
    def __init__(self, db: Session) -> None:
        self.db = db
        self.ids = {u: i for i, u in db.execute(sa.select(User.id, User.username))}

    def login(self, who: str, when: datetime, event: str = "login", ok: bool = True) -> None:
        self.db.add(
            LoginLog(user_id=self.ids[who], username=who, event=event, success=ok, created_at=when)
        )

    def renewal(
        self, who: str, store: str, when: datetime, status: str, customer: str, sale: bool = False
    ) -> None:
        self.db.add(
            RenewalRecord(
                session_id=f"renewal_{self.ids[who]}_{uuid.uuid4().hex[:12]}",
                staff_id=self.ids[who],
                store_id=store,
                customer_ref=customer,
                status=status,
                is_sale_confirmed=sale,
                started_at=when,
                completed_at=when + timedelta(minutes=20) if status != "in_progress" else None,
                selections={},
            )
        )

    def ai(
        self, who: str | None, when: datetime, kind: str, tokens: tuple[int, int], cost: str
    ) -> None:
        self.db.add(
            AiUsageLog(
                staff_id=self.ids[who] if who else None,
                usage_type=kind,
                model="gpt-4o-mini",
                prompt_tokens=tokens[0],
                completion_tokens=tokens[1],
                cost=Decimal(cost),
                latency_ms=100,
                created_at=when,
            )
        )


def local_now() -> datetime:
    return datetime.now(UTC) + TAIPEI


@pytest.fixture(scope="module")
def scripted(api_server: ApiServer) -> dict[str, int]:
    engine = sa.create_engine(api_server.env["DATABASE_URL"].replace("+aiosqlite", ""))
    with Session(engine) as db, db.begin():
        s = Script(db)
        s.login("E2001", at(D, 8, 59), "failed", ok=False)
        s.login("E2001", at(D, 9))
        s.login("E2001", at(D, 12), "logout")
        s.login("E2001", at(D, 13))  # never logs out: counts the token's 120 minutes
        s.login("E2000", at(D, 8))
        s.login("E2000", at(D, 8, 30), "logout")
        s.renewal("E2001", "S002", at(D, 10), "completed", "C1", sale=True)
        s.renewal("E2001", "S002", at(D, 11), "abandoned", "C2")
        s.renewal("E2001", "S002", at(D, 23, 30), "in_progress", "C1")
        s.renewal("E2001", "S002", at(D + timedelta(days=1), 0, 30), "completed", "C6")
        s.renewal("E2000", "S002", at(D, 15), "completed", "C3", sale=True)
        s.renewal("E3001", "S003", at(D, 10), "completed", "C4", sale=True)
        s.renewal("E3001", "S003", at(D, 11), "completed", "C5", sale=True)
        s.ai("E2001", at(D, 10, 5), "free_chat", (100, 50), "0.001")
        s.ai("E2001", at(D, 10, 6), "comparison", (200, 100), "0.002")
        s.ai("E2001", at(D, 23, 59), "free_chat", (10, 5), "0.0001")
        s.ai("E2001", at(D + timedelta(days=1), 0, 10), "free_chat", (1, 1), "0.00001")
        s.ai(None, at(D, 12), "customer_chat", (999, 999), "1")  # a website chat: no staff
        today = local_now().date()
        early = min(
            datetime.combine(today, time(0, 1), tzinfo=UTC) - TAIPEI,
            datetime.now(UTC) - timedelta(seconds=1),
        )
        s.renewal("E2002", "S002", early, "completed", "C9", sale=True)
        s.ai("E2002", early, "recommendation", (40, 20), "0.0005")
        monday = today - timedelta(days=today.weekday())
        if monday < today:
            s.renewal("E2002", "S002", at(monday, 10), "abandoned", "C8")
        ids = dict(s.ids)
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def staff(http: httpx.Client, scripted: dict[str, int]) -> dict[str, dict[str, str]]:
    return {who: bearer(login(http, who)["access_token"]) for who in ("E2000", "E2001", "E2002")}


E2001_ON_D = {
    "logins": 2,
    "login_minutes": 300.0,
    "customers_served": 2,
    "sessions_started": 3,
    "sessions_completed": 1,
    "sessions_abandoned": 1,
    "sales_confirmed": 1,
    "conversion_rate": 0.5,
    "ai_calls": 3,
    "prompt_tokens": 310,
    "completion_tokens": 155,
    "total_tokens": 465,
    "ai_cost": 0.0031,
    "ai_usage_by_type": {"free_chat": 2, "comparison": 1},
    "last_login_at": int(at(D, 13).timestamp()),
}


def get(http: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = http.get(f"/api/statistics/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def numbers(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in E2001_ON_D}


def test_a_sales_person_sees_their_own_day(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    day = get(http, "daily-stats", staff["E2001"], date=str(D))
    assert [r["username"] for r in day["staff"]] == ["E2001"]
    assert numbers(day["staff"][0]) == E2001_ON_D
    assert numbers(day["totals"]) == E2001_ON_D
    refused = http.get(
        "/api/statistics/daily-stats", params={"store_id": "S003"}, headers=staff["E2001"]
    )
    assert refused.status_code == 403


def test_a_manager_sees_the_store(http: httpx.Client, staff: dict[str, dict[str, str]]) -> None:
    day = get(http, "daily-stats", staff["E2000"], date=str(D))
    assert day["store_id"] == "S002"
    rows = {r["username"]: r for r in day["staff"]}
    assert set(rows) == {"E2000", "E2001", "E2002"}
    assert numbers(rows["E2001"]) == E2001_ON_D
    assert rows["E2000"]["login_minutes"] == 30.0 and rows["E2000"]["sales_confirmed"] == 1
    assert rows["E2002"]["sessions_started"] == 0 and rows["E2002"]["logins"] == 0
    totals = day["totals"]
    assert (
        totals["logins"],
        totals["login_minutes"],
        totals["sessions_started"],
        totals["sessions_completed"],
        totals["sales_confirmed"],
        totals["customers_served"],
    ) == (3, 330.0, 4, 2, 2, 3)
    assert totals["conversion_rate"] == round(2 / 3, 4)
    other = http.get(
        "/api/statistics/daily-stats", params={"store_id": "S003"}, headers=staff["E2000"]
    )
    assert other.status_code == 403


def test_store_rankings_order_by_sales_then_conversion(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    ranked = get(http, "store-rankings", staff["E2000"], date=str(D), period="today")
    assert (ranked["start"], ranked["end"]) == (str(D), str(D))
    order = [
        (r["rank"], r["store_id"], r["sales_confirmed"], r["conversion_rate"])
        for r in ranked["items"]
    ]
    assert order == [
        (1, "S003", 2, 1.0),
        (2, "S002", 2, round(2 / 3, 4)),
        (3, "S001", 0, 0.0),
        (4, "S004", 0, 0.0),
        (5, "S005", 0, 0.0),
    ]
    assert ranked["items"][1]["ai_calls"] == 3 and ranked["items"][1]["staff_count"] == 3
    sales = http.get("/api/statistics/store-rankings", headers=staff["E2001"])
    assert sales.status_code == 403


def test_staff_list_for_the_week_and_its_csv(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    week = get(http, "staff-list", staff["E2000"], date=str(D), period="week")
    assert (week["start"], week["end"]) == ("2026-10-12", "2026-10-18")
    e2001 = next(r for r in week["items"] if r["username"] == "E2001")
    assert (
        e2001["sessions_started"],
        e2001["sessions_completed"],
        e2001["customers_served"],
        e2001["ai_calls"],
        e2001["total_tokens"],
    ) == (4, 2, 3, 4, 467)
    exported = http.get(
        "/api/statistics/export",
        headers=staff["E2000"],
        params={"report": "staff-list", "date": str(D), "period": "week"},
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"  # charset said once
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    row = next(r for r in table if r["username"] == "E2001")
    assert (row["sessions_started"], row["ai_calls"], row["display_name"]) == ("4", "4", "劉家豪")
    rows = http.get(
        "/api/statistics/export",
        headers=staff["E2000"],
        params={"report": "daily-rows", "start": str(D), "end": str(D + timedelta(days=1))},
    ).text
    lines = list(csv.DictReader(io.StringIO(rows.lstrip("\ufeff"))))
    assert [(r["date"], r["username"], r["sessions_started"]) for r in lines] == [
        (str(D), "E2000", "1"),
        (str(D), "E2001", "3"),
        (str(D + timedelta(days=1)), "E2001", "1"),
    ]


def test_my_dashboard_today_and_this_week(
    http: httpx.Client, staff: dict[str, dict[str, str]]
) -> None:
    board = get(http, "my-dashboard", staff["E2002"])
    today = local_now().date()
    assert board["date"] == str(today) and board["staff"]["username"] == "E2002"
    assert (
        board["today"]["sessions_completed"],
        board["today"]["sales_confirmed"],
        board["today"]["ai_calls"],
        board["today"]["logins"],
    ) == (1, 1, 1, 1)
    assert board["today"]["ai_usage_by_type"] == {"recommendation": 1}
    monday_extra = 1 if today.weekday() > 0 else 0
    assert board["this_week"]["sessions_started"] == 1 + monday_extra
    assert board["this_week"]["sessions_abandoned"] == monday_extra
    assert board["days"][0]["date"] == board["week_start"]
    assert len(board["days"]) == 7
    assert sum(d["sessions_started"] for d in board["days"]) == 1 + monday_extra
