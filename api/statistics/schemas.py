"""Wire shapes of `/api/statistics/*`: typed, so the OpenAPI document (and the console's
generated client) names every field; a renamed one breaks the web build, not a page."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Period = Literal["today", "week", "month"]


class Numbers(BaseModel):
    """One staff member's numbers (or a sum) over some days."""

    logins: int
    login_minutes: float
    last_login_at: float | None
    customers_served: int
    sessions_started: int
    sessions_completed: int
    sessions_abandoned: int
    sales_confirmed: int
    conversion_rate: float
    ai_calls: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    ai_cost: float
    ai_usage_by_type: dict[str, int]


class Person(BaseModel):
    staff_id: int
    username: str
    display_name: str
    role: str
    store_id: str | None
    status: str
    is_active: bool


class StaffNumbers(Person, Numbers):
    """A staff member with their numbers (staff list, daily stats)."""


class DashboardDay(Numbers):
    date: str


class DashboardStaff(BaseModel):
    """The caller (every field but the id is missing for an account that no longer exists)."""

    staff_id: int
    username: str | None = None
    display_name: str | None = None
    role: str | None = None
    store_id: str | None = None
    status: str | None = None
    is_active: bool | None = None


class Dashboard(BaseModel):
    staff: DashboardStaff
    date: str
    week_start: str
    today: Numbers
    this_week: Numbers
    days: list[DashboardDay]


class DailyStats(BaseModel):
    date: str
    store_id: str | None
    staff_id: int | None
    totals: Numbers
    staff: list[StaffNumbers]


class RankedStore(Numbers):
    rank: int
    store_id: str
    store_name: str
    city: str
    staff_count: int


class Rankings(BaseModel):
    period: Period
    start: str
    end: str
    items: list[RankedStore]


class StaffList(BaseModel):
    period: Period
    start: str
    end: str
    store_id: str | None
    items: list[StaffNumbers]


class DashboardResponse(BaseModel):
    success: bool = True
    data: Dashboard


class DailyStatsResponse(BaseModel):
    success: bool = True
    data: DailyStats


class RankingsResponse(BaseModel):
    success: bool = True
    data: Rankings


class StaffListResponse(BaseModel):
    success: bool = True
    data: StaffList
