"""A line renewed in a store is not renewed again (issue 15, item 4), over real HTTP.

After a submit the CRM holds the new contract (plan, end date = today + contract months), so a
new session for the same line is refused at select-phone with RECENTLY_RENEWED, and only one
completed record, one line renewal and one device reservation exist.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import httpx
import sqlalchemy as sa

from core.db.models import RenewalRecord
from mcp_servers.backoffice.datemath import add_months
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney
from tests.api_http import ApiServer


def _at_submit(http: httpx.Client, token: str) -> HttpJourney:
    """A journey that has confirmed and waits at submit (eligibility checked, nothing held)."""
    j = HttpJourney(http, token)
    j.start()
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    j.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
    j.step("step/select-device-type", device_type="smartphone")
    j.step("step/select-device-os", os_type="ios")
    j.step("step/select-device", device_id=GOLDEN.device.device_id, color=GOLDEN.device.color)
    j.stream("step/list-plans")
    j.step("step/select-plan", plan_id=j.show["plans"][0]["plan_id"])
    j.step("step/confirm", confirmed=True)
    return j


def _submitted_with_device(http: httpx.Client, token: str) -> HttpJourney:
    j = _at_submit(http, token)
    done = j.step("submit", submit=True)
    assert done["outcome"] == "completed", done
    return j


def _count(path: Path, sql: str, *args: object) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def test_a_renewed_line_is_refused_in_the_next_session(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer, fresh_backoffice: Path
) -> None:
    first = _submitted_with_device(http, tokens["sales"])
    plan = first.view["selections"]["selected_plan"]
    renewal = first.view["selections"]["submission"]["line_renewal"]
    expected_end = add_months(date.today(), plan["contract_period"])
    assert renewal["contract_end"] == expected_end.isoformat()

    second = HttpJourney(http, tokens["sales"])
    second.start()
    second.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    card = next(p for p in second.show["phones"] if p["phone_number"] == GOLDEN.eligible.phone)
    # the CRM's data changed: new plan, new contract end, no longer due
    assert (card["plan_id"], card["contract_end_date"]) == (plan["plan_id"], str(expected_end))
    assert card["is_eligible_for_renewal"] is False

    view = second.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
    assert view["current_step"] == "select_phone"
    error = view["waiting"]["error"]
    assert error["code"] == "NOT_ELIGIBLE"
    codes = [r["code"] for r in error["eligibility"]["single"]["reasons"]]
    assert codes[0] == "RECENTLY_RENEWED" and "已於" in error["message"]
    # a replayed submit of the first session changes nothing
    again = first.post("submit", submit=True)
    assert again.status_code in (200, 409), again.text
    assert second.post("abandon").status_code == 200

    assert _count(fresh_backoffice, "SELECT count(*) FROM reservations") == 1
    assert _count(fresh_backoffice, "SELECT count(*) FROM line_renewals") == 1
    engine = sa.create_engine(api_server.env["DATABASE_URL"].replace("+aiosqlite", ""))
    try:
        with engine.connect() as db:
            statuses = db.execute(
                sa.select(RenewalRecord.session_id, RenewalRecord.status).where(
                    RenewalRecord.session_id.in_([first.session_id, second.session_id])
                )
            ).all()
    finally:
        engine.dispose()
    assert dict(statuses) == {first.session_id: "completed", second.session_id: "abandoned"}


def test_the_session_that_loses_the_line_gives_its_device_back(
    http: httpx.Client, tokens: dict[str, str], fresh_backoffice: Path
) -> None:
    first, second = _at_submit(http, tokens["sales"]), _at_submit(http, tokens["sales"])
    assert first.step("submit", submit=True)["outcome"] == "completed"

    refused = second.post("submit", submit=True)  # the line was renewed meanwhile
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "RECENTLY_RENEWED"
    holds = "SELECT count(*) FROM reservations WHERE status = ?"
    assert _count(fresh_backoffice, holds, "reserved") == 1  # the winner's
    assert _count(fresh_backoffice, holds, "released") == 1  # the loser's, given back
    assert _count(fresh_backoffice, "SELECT count(*) FROM line_renewals") == 1
    assert second.post("abandon").status_code == 200
