"""The four statistics views of seed 000 §7.3 and their CSV form, built on `StoreStatistics`."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any, Final, Literal

from api.auth.services import Principal
from api.statistics.service import (
    Numbers,
    Period,
    Scope,
    StoreStatistics,
    local_today,
    period_range,
    person,
    scope_of,
    sum_by,
    total,
)
from core.db.models import UserRole
from core.errors import Forbidden, InvalidInput

Report = Literal["daily-stats", "staff-list", "store-rankings", "daily-rows"]
NUMBER_COLUMNS: Final = (
    "logins",
    "login_minutes",
    "customers_served",
    "sessions_started",
    "sessions_completed",
    "sessions_abandoned",
    "sales_confirmed",
    "conversion_rate",
    "ai_calls",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "ai_cost",
)
STAFF_COLUMNS: Final = ("staff_id", "username", "display_name", "role", "store_id")
MAX_EXPORT_DAYS: Final = 366


def managers_only(principal: Principal) -> None:
    if principal.role not in (UserRole.MANAGER.value, UserRole.ADMIN.value):
        raise Forbidden("managers and admins only", allowed_roles=["admin", "manager"])


class Reports:
    def __init__(self, stats: StoreStatistics) -> None:
        self.stats = stats

    async def daily_stats(
        self, principal: Principal, day: date, store_id: str | None
    ) -> dict[str, Any]:
        """One day: totals and one row per staff member in the caller's scope."""
        scope = scope_of(principal, store_id)
        staff = await self.stats.per_staff(day, day, scope)
        totals = total(await self._numbers(day, day, scope))
        return {
            "date": day.isoformat(),
            "store_id": scope.store_id,
            "staff_id": scope.staff_id,
            "totals": totals.out(),
            "staff": staff,
        }

    async def _numbers(self, start: date, end: date, scope: Scope) -> list[Numbers]:
        return list((await self.stats.daily(start, end, scope)).values())

    async def my_dashboard(self, principal: Principal) -> dict[str, Any]:
        """The caller's today, this week (Monday to today) and each day of the week."""
        today = local_today()
        monday, sunday = period_range("week", today)
        scope = scope_of(principal, None, own_only=True)
        daily = await self.stats.daily(monday, sunday, scope)
        by_day = sum_by(daily, lambda key: key[0])
        days = [monday + timedelta(days=i) for i in range(7)]
        staff = await self.stats.staff(None, principal.user_id)
        return {
            "staff": person(staff[0]) if staff else {"staff_id": principal.user_id},
            "date": today.isoformat(),
            "week_start": monday.isoformat(),
            "today": by_day.get(today, Numbers()).out(),
            "this_week": total(n for d, n in by_day.items() if d <= today).out(),
            "days": [{"date": d.isoformat(), **by_day.get(d, Numbers()).out()} for d in days],
        }

    async def store_rankings(
        self, principal: Principal, period: Period, day: date
    ) -> dict[str, Any]:
        managers_only(principal)
        start, end = period_range(period, day)
        items = await self.stats.rankings(start, end)
        return {
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "items": items,
        }

    async def staff_list(
        self, principal: Principal, period: Period, day: date, store_id: str | None
    ) -> dict[str, Any]:
        managers_only(principal)
        scope = scope_of(principal, store_id)
        start, end = period_range(period, day)
        items = await self.stats.per_staff(start, end, scope)
        return {
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "store_id": scope.store_id,
            "items": items,
        }

    async def daily_rows(
        self, principal: Principal, start: date, end: date, store_id: str | None
    ) -> list[dict[str, Any]]:
        """One row per (day, staff member) with activity: the store export."""
        managers_only(principal)
        if end < start or (end - start).days >= MAX_EXPORT_DAYS:
            raise InvalidInput(f"start..end must be 1 to {MAX_EXPORT_DAYS} days", field="end")
        scope = scope_of(principal, store_id)
        people = {u.id: person(u) for u in await self.stats.staff(scope.store_id)}
        daily = await self.stats.daily(start, end, scope)
        return [
            {"date": d.isoformat(), **people.get(staff_id, {"staff_id": staff_id}), **numbers.out()}
            for (d, staff_id), numbers in sorted(daily.items())
        ]

    async def export(
        self,
        principal: Principal,
        report: Report,
        *,
        day: date,
        period: Period,
        start: date | None,
        end: date | None,
        store_id: str | None,
    ) -> tuple[str, str]:
        """(file name, CSV text) of a report."""
        if report == "daily-stats":
            rows = (await self.daily_stats(principal, day, store_id))["staff"]
            return f"daily-stats_{day}.csv", to_csv(rows, (*STAFF_COLUMNS, *NUMBER_COLUMNS))
        if report == "staff-list":
            rows = (await self.staff_list(principal, period, day, store_id))["items"]
            columns = (*STAFF_COLUMNS, "status", *NUMBER_COLUMNS, "last_login_at")
            return f"staff-list_{period}_{day}.csv", to_csv(rows, columns)
        if report == "store-rankings":
            rows = (await self.store_rankings(principal, period, day))["items"]
            ranked = ("rank", "store_id", "store_name", "staff_count", *NUMBER_COLUMNS)
            return f"store-rankings_{period}_{day}.csv", to_csv(rows, ranked)
        first, last = start or day, end or day
        rows = await self.daily_rows(principal, first, last, store_id)
        return f"daily-rows_{first}_{last}.csv", to_csv(
            rows, ("date", *STAFF_COLUMNS, *NUMBER_COLUMNS)
        )


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """UTF-8 CSV with a BOM (Excel opens Chinese names correctly), one header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return "\ufeff" + buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
