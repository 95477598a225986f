"""The pure rules behind renewal history and session expiry, table-driven."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from api.auth.services import Principal
from api.auth.tokens import Claims
from api.renewal.history import EARLIEST, history_scope, history_window
from core.db.repositories.stats import TAIPEI_OFFSET, utc_bounds
from core.errors import Forbidden
from graphs.renewal.flow import idle_expired

TODAY = date(2026, 12, 3)
D = timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (TODAY - 29 * D, TODAY)),  # the last 30 days
        (date(2026, 9, 9), date(2026, 9, 9), (date(2026, 9, 9), date(2026, 9, 9))),
        (None, date(2026, 9, 30), (date(2026, 9, 1), date(2026, 9, 30))),
        (date(2024, 1, 1), TODAY, (date(2024, 1, 1), TODAY)),  # any length: it is paged
        (TODAY, TODAY + D, (TODAY, TODAY + D)),  # tomorrow (time zones) still answers
        (date(2026, 9, 10), date(2026, 9, 9), (date(2026, 9, 10), date(2026, 9, 9))),  # no day
        (None, date(9999, 12, 31), (TODAY - 28 * D, TODAY + D)),  # clamped: no overflow
        (None, date(1, 1, 1), (EARLIEST, EARLIEST)),
        (date(1, 1, 1), None, (EARLIEST, TODAY)),
        (date(9999, 12, 31), None, (TODAY + 2 * D, TODAY)),  # after the end: no day
    ],
)
def test_history_window(start: date | None, end: date | None, expected: tuple[date, date]) -> None:
    first, last = history_window(start, end, TODAY)
    assert (first, last) == expected
    utc_bounds(first, last, TAIPEI_OFFSET)  # always a representable UTC window


def who(role: str, store: str | None = "S004", user_id: int = 7) -> Principal:
    claims = Claims(user_id, role, store, "default", 0, "access", "j", "s", 0, 0)
    return Principal(user_id=user_id, username="x", role=role, store_id=store, claims=claims)


@pytest.mark.parametrize(
    ("principal", "store_id", "expected"),
    [
        (who("sales"), None, (7, None)),  # own records, wherever they were made
        (who("sales"), "S004", (7, None)),
        (who("manager"), None, (None, "S004")),
        (who("manager"), "S004", (None, "S004")),
        (who("admin", None), None, (None, None)),
        (who("admin", None), "S003", (None, "S003")),
        (who("sales"), "S003", Forbidden),
        (who("manager"), "S001", Forbidden),
        (who("agent", None), None, Forbidden),
    ],
)
def test_history_scope(principal: Principal, store_id: str | None, expected: object) -> None:
    if expected is Forbidden:
        with pytest.raises(Forbidden):
            history_scope(principal, store_id)
    else:
        assert history_scope(principal, store_id) == expected


NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current_step", "idle", "expired"),
    [
        ("select_phone", timedelta(minutes=59), False),
        ("select_phone", timedelta(seconds=3600), False),  # exactly the limit: still alive
        ("select_phone", timedelta(seconds=3601), True),
        ("submit", timedelta(hours=5), True),
        (None, timedelta(hours=5), False),  # finished: never expires
    ],
)
def test_idle_expiry(current_step: str | None, idle: timedelta, expired: bool) -> None:
    view = {"current_step": current_step}
    assert idle_expired(view, NOW - idle, NOW, 3600) is expired
    assert idle_expired(view, None, NOW, 3600) is False  # no checkpoint time: never guessed
