"""What `StatsRepository` does not aggregate: time logged in and AI calls by usage type.

Login time (seed 000 §3.4 總登入時長): each successful login lasts until the user's next
logout; if another login or nothing comes first, until the next login, the access token's
lifetime or now, whichever is earliest (a closed browser never logs out). A login counts on the
local day it started.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AiUsageLog, LoginEvent, LoginLog, User
from core.db.repositories.stats import StatsWindow, as_date, local_day

Key = tuple[date, int]


@dataclass
class LoginTime:
    minutes: dict[Key, float]
    last_login: dict[int, datetime]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _scoped(stmt: Any, user_column: Any, w: StatsWindow) -> Any:
    if w.store_id is not None:
        stmt = stmt.join(User, User.id == user_column).where(User.store_id == w.store_id)
    if w.staff_id is not None:
        stmt = stmt.where(user_column == w.staff_id)
    return stmt


async def login_time(
    db: AsyncSession, w: StatsWindow, *, session_limit: timedelta, now: datetime
) -> LoginTime:
    offset = timedelta(minutes=w.minutes)
    stmt = _scoped(
        sa.select(LoginLog.user_id, LoginLog.event, LoginLog.created_at).where(
            LoginLog.success == True,  # noqa: E712
            LoginLog.user_id.is_not(None),
            LoginLog.event.in_([LoginEvent.LOGIN.value, LoginEvent.LOGOUT.value]),
            LoginLog.created_at >= w.lower,
            LoginLog.created_at < w.upper + session_limit,
        ),
        LoginLog.user_id,
        w,
    ).order_by(LoginLog.user_id, LoginLog.created_at, LoginLog.id)
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for user_id, event, at in await db.execute(stmt):
        events[int(user_id)].append((str(event), _aware(at)))
    minutes: dict[Key, float] = defaultdict(float)
    last: dict[int, datetime] = {}
    for user_id, rows in events.items():
        for i, (event, at) in enumerate(rows):
            if event != LoginEvent.LOGIN.value or not (w.lower <= at < w.upper):
                continue
            last[user_id] = at
            end = min(at + session_limit, now)
            if i + 1 < len(rows):
                end = (
                    min(end, rows[i + 1][1])
                    if rows[i + 1][0] == LoginEvent.LOGIN.value
                    else rows[i + 1][1]
                )
            day = (at + offset).date()
            minutes[(day, user_id)] += max(0.0, (end - at).total_seconds() / 60)
    return LoginTime(dict(minutes), last)


async def usage_by_type(db: AsyncSession, w: StatsWindow) -> dict[Key, dict[str, int]]:
    """AI calls per (local day, staff) and usage type (free_chat, comparison, ...)."""
    day = local_day(AiUsageLog.created_at, w.minutes)
    stmt = _scoped(
        sa.select(
            day.label("d"), AiUsageLog.staff_id, AiUsageLog.usage_type, sa.func.count(AiUsageLog.id)
        ).where(
            AiUsageLog.staff_id.is_not(None),
            AiUsageLog.created_at >= w.lower,
            AiUsageLog.created_at < w.upper,
        ),
        AiUsageLog.staff_id,
        w,
    ).group_by(day, AiUsageLog.staff_id, AiUsageLog.usage_type)
    out: dict[Key, dict[str, int]] = defaultdict(dict)
    for d, staff_id, usage_type, count in await db.execute(stmt):
        key = (as_date(d), int(staff_id))
        out[key][str(usage_type)] = int(count)
    return dict(out)
