"""Renewal history and the printable application form (seed 000 Sprint 6), over the real server.

Store S004's staff (E4000 manager, E4001/E4002 sales) and S003's E3001 get scripted rows on a
fixed past day H (no other suite writes that day), so every filter and page is checked to the
exact row; one real journey today is submitted and its form printed.
"""

from __future__ import annotations

import asyncio
import html
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from core.db.engine import create_engine
from core.db.models import RenewalRecord, User
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, bearer, login
from tests.api_http import ApiServer

H = date(2026, 9, 9)
TAIPEI = timedelta(hours=8)
HISTORY = "/api/renewal-workflow/history"
FULL_ID = "A123456789"


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """Local Taipei wall time → aware UTC."""
    return datetime.combine(day, time(hh, mm), tzinfo=UTC) - TAIPEI


def _db(api_server: ApiServer, *statements: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(url=api_server.env["DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                rows: list[Any] = []
                for statement in statements:
                    result = await conn.execute(statement)
                    rows = list(result.all()) if result.returns_rows else []
                return rows
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def scripted(api_server: ApiServer) -> dict[str, str]:
    """label -> session_id of rows written straight into the server's database on day H."""
    ids = dict(_db(api_server, sa.select(User.username, User.id)))
    rows = [
        ("e4001_sold", "E4001", "S004", at(H, 10), "completed", True),
        ("e4001_left", "E4001", "S004", at(H, 11), "abandoned", False),
        ("e4001_open", "E4001", "S004", at(H, 12), "in_progress", False),
        ("e4001_next_day", "E4001", "S004", at(H + timedelta(days=1), 0, 30), "completed", True),
        ("e4002_sold", "E4002", "S004", at(H, 15), "completed", True),
        ("e3001_sold", "E3001", "S003", at(H, 10), "completed", True),
    ]
    sessions, inserts = {}, []
    for label, who, store, when, status, sale in rows:
        session_id = f"renewal_{ids[who]}_{uuid.uuid4().hex[:12]}"
        sessions[label] = session_id
        customer = {"customer_id": "C900001", "name": "<script>alert(1)</script>",
                    "id_number": FULL_ID}  # fmt: skip
        inserts.append(
            sa.insert(RenewalRecord).values(
                session_id=session_id,
                staff_id=ids[who],
                store_id=store,
                status=status,
                is_sale_confirmed=sale,
                current_step="completed" if status == "completed" else "select_plan",
                phone_number="0912000111",
                selections={
                    "customer": customer,
                    "renewal_type": "single",
                    "plan": {"plan_id": "P001", "name": "4G 399", "monthly_fee": 399},
                },
                started_at=when,
                updated_at=when,
                completed_at=when + timedelta(minutes=20) if status != "in_progress" else None,
            )
        )
    _db(api_server, *inserts)
    return sessions


@pytest.fixture(scope="module")
def s004(http: httpx.Client) -> dict[str, dict[str, str]]:
    return {who: bearer(login(http, who)["access_token"]) for who in ("E4000", "E4001", "E4002")}


def listed(http: httpx.Client, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = http.get(HISTORY, params={"start": str(H), "end": str(H), **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    data: dict[str, Any] = response.json()["data"]
    return data


def labels(data: dict[str, Any], scripted: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in scripted.items()}
    return [by_id[item["session_id"]] for item in data["items"]]


def test_sales_see_their_own_history_filtered_by_day_and_outcome(
    http: httpx.Client, scripted: dict[str, str], s004: dict[str, dict[str, str]]
) -> None:
    own = listed(http, s004["E4001"])
    assert labels(own, scripted) == ["e4001_open", "e4001_left", "e4001_sold"]  # newest first
    assert (own["total"], own["page"], own["total_pages"]) == (3, 1, 1)
    assert (own["start"], own["end"]) == (str(H), str(H))
    sold = own["items"][2]
    assert sold["outcome"] == "completed" and sold["sale_confirmed"] is True
    assert sold["customer_id_masked"] == "A12****789"
    assert FULL_ID not in str(own)
    assert sold["plan"] == {"plan_id": "P001", "name": "4G 399", "monthly_fee": 399}
    assert sold["application_form"].endswith(f"/session/{scripted['e4001_sold']}/application-form")
    assert own["items"][0]["application_form"] is None  # not submitted: no form
    completed = listed(http, s004["E4001"], outcome="completed")
    assert labels(completed, scripted) == ["e4001_sold"]
    two_days = listed(http, s004["E4001"], end=str(H + timedelta(days=1)), outcome="completed")
    assert labels(two_days, scripted) == ["e4001_next_day", "e4001_sold"]


def test_managers_see_their_store_paged_and_admins_any_store(
    http: httpx.Client,
    scripted: dict[str, str],
    s004: dict[str, dict[str, str]],
    tokens: dict[str, str],
) -> None:
    first = listed(http, s004["E4000"], page_size=3)
    assert labels(first, scripted) == ["e4002_sold", "e4001_open", "e4001_left"]
    assert (first["total"], first["total_pages"]) == (4, 2)
    second = listed(http, s004["E4000"], page_size=3, page=2)
    assert labels(second, scripted) == ["e4001_sold"]
    assert {i["staff_name"] for i in first["items"]} == {"鄭凱文", "謝佩珊"}
    everyone = listed(http, bearer(tokens["admin"]), outcome="completed")
    assert {"e4001_sold", "e4002_sold", "e3001_sold"} <= set(labels(everyone, scripted))
    s003 = listed(http, bearer(tokens["admin"]), store_id="S003")
    assert labels(s003, scripted) == ["e3001_sold"]


def test_history_refusals_use_the_envelope(
    http: httpx.Client, s004: dict[str, dict[str, str]], tokens: dict[str, str]
) -> None:
    def get(headers: dict[str, str] | None, **params: Any) -> httpx.Response:
        return http.get(HISTORY, params=params, headers=headers)

    cases = [
        (get(bearer(tokens["agent"])), 403, "FORBIDDEN"),
        (get(None), 401, "UNAUTHORIZED"),
        (get(s004["E4001"], store_id="S003"), 403, "FORBIDDEN"),
        (get(s004["E4000"], store_id="S001"), 403, "FORBIDDEN"),
        (get(s004["E4001"], start="2026-13-01"), 422, "VALIDATION_ERROR"),
        (get(s004["E4001"], outcome="sold"), 422, "VALIDATION_ERROR"),
        (get(s004["E4001"], page_size=0), 422, "VALIDATION_ERROR"),
        (get(s004["E4001"], page_size=101), 422, "VALIDATION_ERROR"),
        (get(s004["E4001"], page=0), 422, "VALIDATION_ERROR"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.request.url, response.text)
        body = response.json()
        assert body["success"] is False and body["error"], body
        if code:
            assert body["code"] == code, body


def test_any_dates_answer_a_page(http: httpx.Client, s004: dict[str, dict[str, str]]) -> None:
    """Dates the schema allows are never refused: a start after the end selects no day, a
    range reaching past the service's years is clamped."""
    backwards = listed(http, s004["E4001"], start=str(H + timedelta(days=1)), end=str(H))
    assert backwards["items"] == [] and backwards["total"] == 0
    wide = listed(http, s004["E4001"], start="0001-01-01", end="9999-12-31", outcome="abandoned")
    assert wide["start"] == "2000-01-01" and wide["total"] >= 1


def form_url(session_id: str) -> str:
    return f"/api/renewal-workflow/session/{session_id}/application-form"


@pytest.mark.usefixtures("fresh_backoffice")
def test_a_submitted_renewal_prints_its_application_form(
    http: httpx.Client, s004: dict[str, dict[str, str]], tokens: dict[str, str]
) -> None:
    j = HttpJourney(http, login(http, "E4001")["access_token"])
    j.start()
    early = http.get(form_url(j.session_id), headers=j.headers)
    assert early.status_code == 409 and early.json()["code"] == "NOT_SUBMITTED"
    j.to_device_type()
    j.step("step/select-device-type", device_type="smartphone")
    j.step("step/select-device-os", os_type="ios")
    device = next(d for d in j.show["devices"] if d["in_stock"])
    color = next(c["color"] for c in device["colors"] if c["available"])
    j.step("step/select-device", device_id=device["device_id"], color=color)
    j.stream("step/list-plans")
    plan = j.show["plans"][0]
    j.step("step/select-plan", plan_id=plan["plan_id"])
    j.step("step/confirm", confirmed=True)
    done = j.step("submit", submit=True)
    reservation = done["selections"]["submission"]["reservation"]

    form = http.get(form_url(j.session_id), headers=j.headers)
    assert form.status_code == 200, form.text
    assert form.headers["content-type"] == "text/html; charset=utf-8"
    page = form.text
    assert page.startswith("<!DOCTYPE html>") and "續約申辦單" in page
    national_id = GOLDEN.eligible.national_id
    assert national_id not in page
    assert national_id[:3] + "****" + national_id[-3:] in page
    assert GOLDEN.eligible.phone in page
    for shown in (plan["plan_id"], device["model"], reservation["reservation_id"], "S004"):
        assert html.escape(str(shown)) in page, shown
    assert "<script" not in page

    # the manager of the store may print it; another salesperson or store may not
    assert http.get(form_url(j.session_id), headers=s004["E4000"]).status_code == 200
    assert http.get(form_url(j.session_id), headers=s004["E4002"]).status_code == 403
    other_manager = http.get(form_url(j.session_id), headers=bearer(tokens["other_manager"]))
    assert other_manager.status_code == 403
    assert http.get(form_url(j.session_id), headers=bearer(tokens["agent"])).status_code == 403
    missing = http.get(form_url("renewal_9_0123456789ab"), headers=j.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"

    # and it is in today's history with its form
    today = (datetime.now(UTC) + TAIPEI).date()
    mine = http.get(
        HISTORY, params={"start": str(today), "outcome": "completed"}, headers=j.headers
    )
    item = next(i for i in mine.json()["data"]["items"] if i["session_id"] == j.session_id)
    assert item["application_form"] == form_url(j.session_id)
    assert item["device"]["model"] == device["model"]


def test_a_form_escapes_every_value(
    http: httpx.Client, scripted: dict[str, str], s004: dict[str, dict[str, str]]
) -> None:
    form = http.get(form_url(scripted["e4001_sold"]), headers=s004["E4001"])
    assert form.status_code == 200, form.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in form.text
    assert "<script>" not in form.text
    assert FULL_ID not in form.text and "A12****789" in form.text
    unsubmitted = http.get(form_url(scripted["e4001_open"]), headers=s004["E4001"])
    assert unsubmitted.status_code == 409 and unsubmitted.json()["code"] == "NOT_SUBMITTED"
