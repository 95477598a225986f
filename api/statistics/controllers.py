"""`/api/statistics/*` (seed 000 §3.4.3, §7.3): store roles only; managers+ for the store views.

JSON in the service envelope; `/api/statistics/export?report=...` answers the same numbers as
CSV (UTF-8 with BOM, for Excel).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.guards import store_staff
from api.auth.services import Principal
from api.errors import error_responses
from api.runtime import Runtime
from api.statistics.reports import Report, Reports
from api.statistics.schemas import (
    DailyStatsResponse,
    DashboardResponse,
    RankingsResponse,
    StaffListResponse,
)
from api.statistics.service import Period, StoreStatistics, parse_day

STORE_ID = Parameter(
    default=None, pattern=r"^S[0-9]{3}$", description="admins: one store (default all)"
)
DAY = Parameter(default=None, description="local (Asia/Taipei) day, default today")
NUMBERS = (
    "Numbers: logins, login_minutes, last_login_at, customers_served, sessions_started, "
    "sessions_completed, sessions_abandoned, sales_confirmed, conversion_rate "
    "(sales / customers served), ai_calls, prompt_tokens, completion_tokens, total_tokens, "
    "ai_cost (USD), ai_usage_by_type."
)


def provide_reports(state: State) -> Reports:
    runtime: Runtime = state.runtime
    ttl = timedelta(minutes=runtime.settings.jwt_access_ttl_minutes)
    return Reports(StoreStatistics(runtime.sessions, ttl))


def _route(path: str, summary: str, *statuses: int) -> Any:
    return get(
        path,
        security=BEARER,
        summary=summary,
        description=NUMBERS,
        responses=error_responses(*statuses),
    )


class StatisticsController(Controller):
    path = "/api/statistics"
    tags = ("statistics",)  # type: ignore[assignment]
    guards = [store_staff]  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        "principal": AUTH_DEPENDENCIES["principal"],
        "reports": Provide(provide_reports, sync_to_thread=False),
    }

    @_route(
        "/daily-stats", "One day: totals and per staff (sales: own; manager: store)", 400, 401, 403
    )
    async def daily_stats(
        self,
        reports: Reports,
        principal: Principal,
        date: date | None = DAY,
        store_id: str | None = STORE_ID,
    ) -> DailyStatsResponse:
        body = await reports.daily_stats(principal, parse_day(date), store_id)
        return DailyStatsResponse.model_validate({"data": body})

    @_route("/my-dashboard", "The caller's today, this week and each day of the week", 401, 403)
    async def my_dashboard(self, reports: Reports, principal: Principal) -> DashboardResponse:
        return DashboardResponse.model_validate({"data": await reports.my_dashboard(principal)})

    @_route("/store-rankings", "Stores ranked by sales (manager, admin)", 400, 401, 403)
    async def store_rankings(
        self,
        reports: Reports,
        principal: Principal,
        period: Period = "today",
        date: date | None = DAY,
    ) -> RankingsResponse:
        body = await reports.store_rankings(principal, period, parse_day(date))
        return RankingsResponse.model_validate({"data": body})

    @_route("/staff-list", "The store's staff with their numbers (manager, admin)", 400, 401, 403)
    async def staff_list(
        self,
        reports: Reports,
        principal: Principal,
        period: Period = "today",
        date: date | None = DAY,
        store_id: str | None = STORE_ID,
    ) -> StaffListResponse:
        body = await reports.staff_list(principal, period, parse_day(date), store_id)
        return StaffListResponse.model_validate({"data": body})

    @get(
        "/export",
        security=BEARER,
        media_type="text/csv",
        summary="CSV of a report: daily-stats, staff-list, store-rankings, daily-rows",
        description="`daily-rows`: one line per (day, staff member) from `start` to `end` "
        "(manager, admin; ≤ 366 days). The others mirror their JSON routes and roles.",
        responses=error_responses(400, 401, 403),
    )
    async def export(
        self,
        reports: Reports,
        principal: Principal,
        report: Report = "daily-stats",
        period: Period = "today",
        date: date | None = DAY,
        start: date | None = None,
        end: date | None = None,
        store_id: str | None = STORE_ID,
    ) -> Response[str]:
        name, text = await reports.export(
            principal,
            report,
            day=parse_day(date),
            period=period,
            start=start,
            end=end,
            store_id=store_id,
        )
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        # Litestar appends "; charset=utf-8" to a text/* media type itself
        return Response(text, media_type="text/csv", headers=headers)
