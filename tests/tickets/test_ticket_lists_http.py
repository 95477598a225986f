"""Listing (filters, keyword, paging, sort) and SLA status over HTTP, with a clock the test
controls: tickets are aged by moving their stored times back, the server reads its own now."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.tickets.sla import plan
from core.settings import Settings
from tests.tickets.conftest import Desk, run_sql
from tests.tickets.support import create, ok

MARGIN = timedelta(seconds=3)  # request latency is far below this


def age(settings: Settings, ticket: dict[str, Any], by: timedelta, **done: timedelta) -> None:
    """Make the ticket `by` old: creation and SLA clocks move back together; `done` names
    first_response_at / resolved_at as offsets from the new creation time."""
    created = datetime.now(UTC) - by
    sla = plan(ticket["category"], ticket["priority"], created)
    values: dict[str, object] = {
        "created_at": created,
        "sla_response_due": sla.response.due,
        "sla_response_warn_at": sla.response.warn_at,
        "sla_resolution_due": sla.resolution.due,
        "sla_resolution_warn_at": sla.resolution.warn_at,
        **{name: created + offset for name, offset in done.items()},
    }
    sets = ", ".join(f"{name} = :{name}" for name in values)
    asyncio.run(
        run_sql(
            settings,
            f"UPDATE tickets SET {sets} WHERE ticket_id = :tid",
            tid=ticket["ticket_id"],
            **values,
        )
    )


def listed(desk: Desk, **query: Any) -> dict[str, Any]:
    return ok(desk.http.get("/api/tickets", params=query, headers=desk.as_("agent")))


M, H = timedelta(minutes=1), timedelta(hours=1)
# technical/urgent (seed row): response 15 min (warning after 11:15), resolution 8 h (after 6 h)
CASES = [
    (11 * M + 15 * timedelta(seconds=1) - MARGIN, {}, "within"),
    (11 * M + 15 * timedelta(seconds=1) + MARGIN, {}, "warning"),
    (15 * M - MARGIN, {}, "warning"),
    (15 * M + MARGIN, {}, "breached"),
    (6 * H - MARGIN, {"first_response_at": 5 * M}, "within"),
    (6 * H + MARGIN, {"first_response_at": 5 * M}, "warning"),
    (8 * H + MARGIN, {"first_response_at": 5 * M}, "breached"),
    (2 * H, {"first_response_at": 16 * M}, "breached"),  # answered late
    (30 * 24 * H, {"first_response_at": 5 * M, "resolved_at": 8 * H - M}, "within"),
    (30 * 24 * H, {"first_response_at": 5 * M, "resolved_at": 8 * H + M}, "breached"),
]


@pytest.mark.parametrize(("old", "done", "expected"), CASES)
def test_sla_status_at_the_boundaries(
    desk: Desk,
    ticket_settings: Settings,
    old: timedelta,
    done: dict[str, timedelta],
    expected: str,
) -> None:
    marker = uuid.uuid4().hex[:12]
    ticket = create(desk.http, desk.as_("agent"), priority="urgent", title=f"SLA {marker}")
    age(ticket_settings, ticket, old, **done)
    read = ok(desk.http.get(f"/api/tickets/{ticket['ticket_id']}", headers=desk.as_("agent")))
    assert read["sla_status"] == expected
    for status in ("within", "warning", "breached"):
        found = listed(desk, keyword=marker, sla_status=status)["items"]
        assert [t["ticket_id"] for t in found] == ([ticket["ticket_id"]] if status == expected
                                                   else []), status  # fmt: skip


def test_filters_paging_and_sort(desk: Desk, ticket_settings: Settings) -> None:
    marker = uuid.uuid4().hex[:12]
    made = [
        create(desk.http, desk.as_("agent"), title=f"{marker} 一", priority="low",
               category="shipping", department="logistics"),
        create(desk.http, desk.as_("agent"), title=f"{marker} 二", priority="urgent",
               category="technical"),
        create(desk.http, desk.as_("agent"), title=f"{marker} 三", priority="normal",
               category="returns", department="warehouse", customer_id="CUST-Ünique-9"),
        create(desk.http, desk.as_("agent"), title=f"{marker} 四", priority="high",
               category="technical"),
    ]  # fmt: skip
    ids = [t["ticket_id"] for t in made]
    path = f"/api/tickets/{ids[1]}"
    ok(desk.http.post(f"{path}/assign", json={"assignee_id": "agent002"},
                      headers=desk.as_("agent")))  # fmt: skip
    ok(desk.http.post(f"{path}/status", json={"status": "in_progress"}, headers=desk.as_("agent")))

    def ids_of(**query: Any) -> list[str]:
        return [t["ticket_id"] for t in listed(desk, keyword=marker, **query)["items"]]

    assert ids_of() == ids[::-1]  # newest first by default
    assert ids_of(sort="created_at") == ids
    assert ids_of(sort="priority") == [ids[1], ids[3], ids[2], ids[0]]
    assert ids_of(sort="-priority") == [ids[0], ids[2], ids[3], ids[1]]
    assert ids_of(status="in_progress") == [ids[1]]
    assert ids_of(assignee_id="agent002") == [ids[1]]
    assert ids_of(category="technical", sort="created_at") == [ids[1], ids[3]]
    assert ids_of(priority="low") == [ids[0]] and ids_of(department="warehouse") == [ids[2]]
    assert ids_of(status="closed") == []
    assert [t["ticket_id"] for t in listed(desk, keyword="cust-ünique-9")["items"]] == [ids[2]]
    assert listed(desk, keyword="%")["total"] >= 0  # literal, not a wildcard
    assert listed(desk, keyword=f"{marker}%")["items"] == []

    page = listed(desk, keyword=marker, page=2, page_size=3, sort="created_at")
    assert [t["ticket_id"] for t in page["items"]] == [ids[3]]
    assert (page["total"], page["page"], page["page_size"], page["total_pages"]) == (4, 2, 3, 2)
    assert listed(desk, keyword=marker, page=3, page_size=3)["items"] == []
    item = page["items"][0]
    assert set(item) >= {"ticket_id", "ticket_number", "title", "status", "priority",
                         "sla_status", "created_at", "version"}  # fmt: skip
    assert "activity_log" not in item

    # created range: move the first ticket to last year
    last_year = datetime.now(UTC) - timedelta(days=400)
    asyncio.run(run_sql(ticket_settings, "UPDATE tickets SET created_at = :at WHERE ticket_id = :t",
                        at=last_year, t=ids[0]))  # fmt: skip
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert ids_of(created_from=since, sort="created_at") == ids[1:]
    until = (last_year + timedelta(days=1)).replace(tzinfo=None).isoformat()  # no offset: UTC
    assert ids_of(created_to=until) == [ids[0]]


def test_session_filter(desk: Desk) -> None:
    from tests.api.handoff_support import new_customer

    customer = new_customer(desk.http)
    ticket = create(desk.http, desk.as_("agent"), session_id=customer.session_name)
    found = listed(desk, session_id=customer.session_name)
    assert found["total"] == 1 and found["items"][0]["ticket_id"] == ticket["ticket_id"]


def test_a_fresh_ticket_is_within_and_listed_first(desk: Desk) -> None:
    started = time.time()
    ticket = create(desk.http, desk.as_("admin"))
    first = listed(desk, page_size=1)["items"][0]
    assert first["ticket_id"] == ticket["ticket_id"] and first["sla_status"] == "within"
    assert first["created_at"] >= started - 1
