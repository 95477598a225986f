"""Store statistics (seed 000 §3.4, §7.3): per staff member and day, summed as each view needs.

Numbers come from the raw tables on every call (no nightly roll-up yet): `StatsRepository`
(renewal_records, ai_usage_logs, login_logs per local day and staff) plus login time and usage
types (`queries.py`). Days are Taipei business days. Who sees what: sales their own numbers,
a manager their store, an admin any store (or all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.statistics.queries import Key, login_time, usage_by_type
from core.db.models import Store, User, UserRole
from core.db.repositories.stats import (
    TAIPEI_OFFSET,
    DailyStaffStats,
    StatsRepository,
    StatsWindow,
    utc_bounds,
)
from core.errors import Forbidden, InvalidInput

Period = Literal["today", "week", "month"]
STAFF_ROLES = (UserRole.SALES.value, UserRole.MANAGER.value)
COUNTS = (
    "logins",
    "customers_served",
    "sessions_started",
    "sessions_completed",
    "sessions_abandoned",
    "sales_confirmed",
    "ai_calls",
    "prompt_tokens",
    "completion_tokens",
)


@dataclass
class Numbers:
    """One staff member's (or a sum of) numbers over some days."""

    logins: int = 0
    login_minutes: float = 0.0
    last_login_at: int | None = None
    customers_served: int = 0
    sessions_started: int = 0
    sessions_completed: int = 0
    sessions_abandoned: int = 0
    sales_confirmed: int = 0
    ai_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ai_cost: Decimal = field(default_factory=lambda: Decimal("0"))
    ai_usage_by_type: dict[str, int] = field(default_factory=dict)

    def add(self, other: Numbers) -> Numbers:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.login_minutes += other.login_minutes
        self.ai_cost += other.ai_cost
        if other.last_login_at is not None:
            self.last_login_at = max(self.last_login_at or 0, other.last_login_at)
        for kind, n in other.ai_usage_by_type.items():
            self.ai_usage_by_type[kind] = self.ai_usage_by_type.get(kind, 0) + n
        return self

    def out(self) -> dict[str, Any]:
        rate = self.sales_confirmed / self.customers_served if self.customers_served else 0.0
        body = {name: getattr(self, name) for name in COUNTS}
        return {
            **body,
            "login_minutes": round(self.login_minutes, 1),
            "last_login_at": self.last_login_at,
            "conversion_rate": round(rate, 4),
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "ai_cost": float(self.ai_cost),
            "ai_usage_by_type": dict(self.ai_usage_by_type),
        }


def _from_row(row: DailyStaffStats) -> Numbers:
    return Numbers(**{name: getattr(row, name) for name in COUNTS}, ai_cost=row.ai_cost)


def local_today(now: datetime | None = None) -> date:
    return ((now or datetime.now(UTC)) + TAIPEI_OFFSET).date()


def period_range(period: Period, day: date) -> tuple[date, date]:
    """today: that day; week: Monday-Sunday around it; month: the calendar month."""
    if period == "today":
        return day, day
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    store_id: str | None
    staff_id: int | None


def scope_of(principal: Principal, store_id: str | None, *, own_only: bool = False) -> Scope:
    """sales (or `own_only`): themselves; manager: their store; admin: `store_id` or all."""
    if principal.role == UserRole.SALES.value or own_only:
        if store_id is not None and store_id != principal.store_id:
            raise Forbidden("staff see their own store only")
        return Scope(principal.store_id, principal.user_id)
    if principal.role == UserRole.MANAGER.value:
        if store_id is not None and store_id != principal.store_id:
            raise Forbidden("managers see their own store only")
        return Scope(principal.store_id, None)
    return Scope(store_id, None)


class StoreStatistics:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], access_ttl: timedelta) -> None:
        self.sessions = sessions
        self.access_ttl = access_ttl

    async def daily(self, start: date, end: date, scope: Scope) -> dict[Key, Numbers]:
        """Numbers per (local day, staff id) with any activity in [start, end]."""
        lower, upper = utc_bounds(start, end, TAIPEI_OFFSET)
        minutes = int(TAIPEI_OFFSET.total_seconds() // 60)
        w = StatsWindow(lower, upper, minutes, store_id=scope.store_id, staff_id=scope.staff_id)
        async with self.sessions() as db:
            rows = await StatsRepository(db).daily_staff_stats(
                start, end, store_id=scope.store_id, staff_id=scope.staff_id
            )
            logins = await login_time(db, w, session_limit=self.access_ttl, now=datetime.now(UTC))
            kinds = await usage_by_type(db, w)
        out: dict[Key, Numbers] = {(r.stat_day, r.staff_id): _from_row(r) for r in rows}
        for key, value in logins.minutes.items():
            out.setdefault(key, Numbers()).login_minutes = value
        for user_id, at in logins.last_login.items():
            day = (at + TAIPEI_OFFSET).date()
            out.setdefault((day, user_id), Numbers()).last_login_at = int(at.timestamp())
        for key, counts in kinds.items():
            out.setdefault(key, Numbers()).ai_usage_by_type = counts
        return out

    async def staff(self, store_id: str | None, staff_id: int | None = None) -> list[User]:
        """Store staff (sales and managers) of a store, or of every store."""
        stmt = sa.select(User).where(User.role.in_(STAFF_ROLES))
        if store_id is not None:
            stmt = stmt.where(User.store_id == store_id)
        if staff_id is not None:
            stmt = stmt.where(User.id == staff_id)
        async with self.sessions() as db:
            return list((await db.scalars(stmt.order_by(User.store_id, User.username))).all())

    async def stores(self) -> list[Store]:
        async with self.sessions() as db:
            return list((await db.scalars(sa.select(Store).order_by(Store.store_id))).all())

    async def per_staff(self, start: date, end: date, scope: Scope) -> list[dict[str, Any]]:
        """One row per staff member in scope (zeros included), numbers summed over the days."""
        sums = sum_by(await self.daily(start, end, scope), lambda key: key[1])
        return [
            {**person(user), **sums.get(user.id, Numbers()).out()}
            for user in await self.staff(scope.store_id, scope.staff_id)
        ]

    async def rankings(self, start: date, end: date) -> list[dict[str, Any]]:
        """Every store, best first: sales, then conversion rate, then completed sessions."""
        staff = await self.staff(None)
        store_of = {u.id: u.store_id for u in staff}
        daily = await self.daily(start, end, Scope(None, None))
        sums = sum_by(daily, lambda key: store_of.get(key[1]))
        rows = []
        for store in await self.stores():
            numbers = sums.get(store.store_id, Numbers()).out()
            members = sum(1 for u in staff if u.store_id == store.store_id and u.is_active)
            rows.append(
                {
                    "store_id": store.store_id,
                    "store_name": store.name,
                    "city": store.city,
                    "staff_count": members,
                    **numbers,
                }
            )
        rows.sort(
            key=lambda r: (
                -r["sales_confirmed"],
                -r["conversion_rate"],
                -r["sessions_completed"],
                r["store_id"],
            )
        )
        return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]


def sum_by(daily: dict[Key, Numbers], group: Any) -> dict[Any, Numbers]:
    sums: dict[Any, Numbers] = defaultdict(Numbers)
    for key, numbers in daily.items():
        sums[group(key)].add(numbers)
    return dict(sums)


def total(rows: Iterable[Numbers]) -> Numbers:
    out = Numbers()
    for row in rows:
        out.add(row)
    return out


def person(user: User) -> dict[str, Any]:
    return {
        "staff_id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "store_id": user.store_id,
        "status": user.status,
        "is_active": user.is_active,
    }


def parse_day(value: date | None) -> date:
    day = value or local_today()
    if day > local_today() + timedelta(days=1) or day.year < 2000:
        raise InvalidInput(f"date: {day} is out of range", field="date")
    return day
