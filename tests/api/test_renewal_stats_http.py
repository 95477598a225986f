"""Renewals driven over HTTP show up in the statistics as served customers (seed 000 §3.4).

The seed counts 每日服務客戶數 and 轉換率 = 銷售數 / 服務客戶數; a customer served twice by the
same staff member on the same day is one customer. The numbers are read before and after, so
the other suites' renewals on the same server do not matter.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from core.db.models import RenewalRecord
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, bearer
from tests.api_http import ApiServer

pytestmark = pytest.mark.usefixtures("fresh_backoffice")
COUNTED = ("customers_served", "sessions_started", "sales_confirmed")


def _stats(http: httpx.Client, path: str, token: str, **params: Any) -> dict[str, Any]:
    response = http.get(f"/api/statistics/{path}", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _views(http: httpx.Client, tokens: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The staff member's numbers today in the four views (own dashboard, manager's views)."""
    board = _stats(http, "my-dashboard", tokens["sales_2"])
    daily = _stats(http, "daily-stats", tokens["manager"])
    staff = _stats(http, "staff-list", tokens["manager"])
    ranks = _stats(http, "store-rankings", tokens["manager"])
    me = board["staff"]["staff_id"]
    return {
        "my-dashboard": board["today"],
        "daily-stats": next(s for s in daily["staff"] if s["staff_id"] == me),
        "staff-list": next(s for s in staff["items"] if s["staff_id"] == me),
        "store-rankings": next(s for s in ranks["items"] if s["store_id"] == "S001"),
    }


def _plain_renewal(http: httpx.Client, token: str) -> HttpJourney:
    j = HttpJourney(http, token)
    j.start()
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    j.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
    j.step("step/select-device-type", device_type="none")
    j.stream("step/list-plans")
    plan = j.show["plans"][0]["plan_id"]
    j.step("step/select-plan", plan_id=plan)
    j.step("step/confirm", confirmed=True)
    assert j.step("submit", submit=True)["outcome"] == "completed"
    return j


def test_a_served_customer_counts_once_per_staff_and_day(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> None:
    before = _views(http, tokens)
    done = _plain_renewal(http, tokens["sales_2"])
    # the same customer again, same staff, same day: one more session, not one more customer
    again = HttpJourney(http, tokens["sales_2"])
    again.start()
    again.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    assert again.post("abandon", reason="客戶改天再來").status_code == 200
    after = _views(http, tokens)

    for view in before:
        delta = {k: after[view][k] - before[view][k] for k in COUNTED}
        assert delta == {"customers_served": 1, "sessions_started": 2, "sales_confirmed": 1}, view
        served, sales = after[view]["customers_served"], after[view]["sales_confirmed"]
        assert after[view]["conversion_rate"] == round(sales / served, 4) > 0, view

    # the rows name the customer (CRM id) and only the masked national ID
    engine = sa.create_engine(api_server.env["DATABASE_URL"].replace("+aiosqlite", ""))
    try:
        with engine.connect() as db:
            rows = db.execute(
                sa.select(RenewalRecord.customer_ref, RenewalRecord.customer_id_masked).where(
                    RenewalRecord.session_id.in_([done.session_id, again.session_id])
                )
            ).all()
    finally:
        engine.dispose()
    assert len(rows) == 2
    assert {tuple(r) for r in rows} == {(GOLDEN.eligible.customer_id, "A12****789")}
