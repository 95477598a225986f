"""Daily per-staff statistics (seed 000, section 3.4) computed from the raw tables.

Days are local business days (Taiwan, UTC+8, no DST) while timestamps are stored in UTC, so the
day bucket is computed in SQL by `local_day`, which renders per dialect. The offset is inlined
as an integer literal so the SELECT and GROUP BY expressions are textually identical, which
PostgreSQL and Oracle require.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.db.models import AiUsageLog, LoginEvent, LoginLog, RenewalRecord, RenewalStatus, User

TAIPEI_OFFSET = timedelta(hours=8)
AnySelect = sa.Select[*tuple[Any, ...]]


class local_day(FunctionElement[date]):
    """The calendar day of a UTC timestamp column at a fixed UTC offset (minutes)."""

    type = sa.Date()
    name = "local_day"
    inherit_cache = True

    def __init__(self, column: Any, offset_minutes: int) -> None:
        super().__init__(column, sa.literal_column(str(int(offset_minutes))))


def _parts(element: local_day, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    column, offset = list(element.clauses)
    return compiler.process(column, **kw), int(offset.name)  # type: ignore[attr-defined]


@compiles(local_day)
def _local_day_default(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    column, minutes = _parts(element, compiler, **kw)  # PostgreSQL: timestamptz
    return f"CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '{minutes} minutes' AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    column, minutes = _parts(element, compiler, **kw)  # text 'YYYY-MM-DD HH:MM:SS' in UTC
    return f"date({column}, '{minutes:+d} minutes')"


@compiles(local_day, "oracle")
def _local_day_oracle(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    column, minutes = _parts(element, compiler, **kw)  # TIMESTAMP holding UTC
    return f"TRUNC({column} + NUMTODSINTERVAL({minutes}, 'MINUTE'))"


@dataclass
class DailyStaffStats:
    """One staff member's numbers for one local day."""

    stat_day: date
    staff_id: int
    logins: int = 0
    sessions_started: int = 0
    sessions_completed: int = 0
    sessions_abandoned: int = 0
    sales_confirmed: int = 0
    customers_served: int = 0
    ai_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ai_cost: Decimal = field(default_factory=lambda: Decimal("0"))

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def conversion_rate(self) -> float:
        """Sales / customers served, the seed's 轉換率; 0 when nobody was served."""
        return self.sales_confirmed / self.customers_served if self.customers_served else 0.0


def as_date(value: Any) -> date:
    """A day as the drivers return it (date, datetime or ISO text, by database)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def utc_bounds(start: date, end: date, offset: timedelta) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) local time, as aware UTC datetimes."""
    zone = timezone(offset)
    lower = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return lower, upper


@dataclass(frozen=True)
class StatsWindow:
    """A UTC time range, the local day offset (minutes) and an optional store/staff scope."""

    lower: datetime
    upper: datetime
    minutes: int
    store_id: str | None = None
    staff_id: int | None = None


class StatsRepository:
    """Aggregates for the statistics API; read-only."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def renewal_stmt(self, w: StatsWindow) -> AnySelect:
        day = local_day(RenewalRecord.started_at, w.minutes)
        stmt = sa.select(
            day.label("stat_day"),
            RenewalRecord.staff_id,
            sa.func.count(RenewalRecord.id).label("started"),
            _count_if(RenewalRecord.status == RenewalStatus.COMPLETED.value).label("completed"),
            _count_if(RenewalRecord.status == RenewalStatus.ABANDONED.value).label("abandoned"),
            _count_if(RenewalRecord.is_sale_confirmed == True).label("sales"),  # noqa: E712
            sa.func.count(sa.distinct(RenewalRecord.customer_ref)).label("customers"),
        ).where(RenewalRecord.started_at >= w.lower, RenewalRecord.started_at < w.upper)
        if w.store_id is not None:
            stmt = stmt.where(RenewalRecord.store_id == w.store_id)
        if w.staff_id is not None:
            stmt = stmt.where(RenewalRecord.staff_id == w.staff_id)
        return stmt.group_by(day, RenewalRecord.staff_id)

    def ai_usage_stmt(self, w: StatsWindow) -> AnySelect:
        day = local_day(AiUsageLog.created_at, w.minutes)
        stmt = sa.select(
            day.label("stat_day"),
            AiUsageLog.staff_id,
            sa.func.count(AiUsageLog.id).label("calls"),
            sa.func.coalesce(sa.func.sum(AiUsageLog.prompt_tokens), 0).label("prompt"),
            sa.func.coalesce(sa.func.sum(AiUsageLog.completion_tokens), 0).label("completion"),
            sa.func.coalesce(sa.func.sum(AiUsageLog.cost), 0).label("cost"),
        ).where(
            AiUsageLog.staff_id.is_not(None),
            AiUsageLog.created_at >= w.lower,
            AiUsageLog.created_at < w.upper,
        )
        if w.store_id is not None:
            stmt = stmt.join(User, User.id == AiUsageLog.staff_id).where(
                User.store_id == w.store_id
            )
        if w.staff_id is not None:
            stmt = stmt.where(AiUsageLog.staff_id == w.staff_id)
        return stmt.group_by(day, AiUsageLog.staff_id)

    def login_stmt(self, w: StatsWindow) -> AnySelect:
        day = local_day(LoginLog.created_at, w.minutes)
        stmt = sa.select(
            day.label("stat_day"), LoginLog.user_id, sa.func.count(LoginLog.id).label("logins")
        ).where(
            LoginLog.event == LoginEvent.LOGIN.value,
            LoginLog.success == True,  # noqa: E712
            LoginLog.user_id.is_not(None),
            LoginLog.created_at >= w.lower,
            LoginLog.created_at < w.upper,
        )
        if w.store_id is not None:
            stmt = stmt.join(User, User.id == LoginLog.user_id).where(User.store_id == w.store_id)
        if w.staff_id is not None:
            stmt = stmt.where(LoginLog.user_id == w.staff_id)
        return stmt.group_by(day, LoginLog.user_id)

    async def daily_staff_stats(
        self,
        start: date,
        end: date,
        *,
        store_id: str | None = None,
        staff_id: int | None = None,
        utc_offset: timedelta = TAIPEI_OFFSET,
    ) -> list[DailyStaffStats]:
        """Per (local day, staff) numbers for `start`..`end` inclusive, ordered by day, staff.

        Only staff with activity on a day get a row for it; the API fills empty days.
        """
        lower, upper = utc_bounds(start, end, utc_offset)
        minutes = int(utc_offset.total_seconds() // 60)
        w = StatsWindow(lower, upper, minutes, store_id=store_id, staff_id=staff_id)
        rows: dict[tuple[date, int], DailyStaffStats] = {}

        def row(day: Any, who: int) -> DailyStaffStats:
            key = (as_date(day), int(who))
            if key not in rows:
                rows[key] = DailyStaffStats(stat_day=key[0], staff_id=key[1])
            return rows[key]

        for r in await self.session.execute(self.renewal_stmt(w)):
            stats = row(r.stat_day, r.staff_id)
            stats.sessions_started = int(r.started)
            stats.sessions_completed = int(r.completed)
            stats.sessions_abandoned = int(r.abandoned)
            stats.sales_confirmed = int(r.sales)
            stats.customers_served = int(r.customers)
        for r in await self.session.execute(self.ai_usage_stmt(w)):
            stats = row(r.stat_day, r.staff_id)
            stats.ai_calls = int(r.calls)
            stats.prompt_tokens = int(r.prompt)
            stats.completion_tokens = int(r.completion)
            stats.ai_cost = Decimal(str(r.cost)).quantize(Decimal("0.000001"))
        for r in await self.session.execute(self.login_stmt(w)):
            row(r.stat_day, r.user_id).logins = int(r.logins)
        return [rows[key] for key in sorted(rows)]
