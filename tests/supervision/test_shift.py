"""Shift hours: on duty / next on duty across zones, overnight shifts, holidays, weekends, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.errors import InvalidInput
from graphs.supervision.shift import (
    NoUpcomingShift,
    ShiftConfig,
    ShiftWindow,
    is_on_duty,
    next_on_duty,
    offline_message,
)

TPE = ZoneInfo("Asia/Taipei")
BER = ZoneInfo("Europe/Berlin")

OFFICE = ShiftConfig(holidays=(date(2026, 1, 1),))  # Taipei, Mon–Fri 09:00–18:00
NIGHT = ShiftConfig.model_validate(  # the seed's short form: 22:00–06:00 every working day
    {"start": "22:00", "end": "06:00", "timezone": "Asia/Taipei", "weekends_disabled": True,
     "holidays": ["2026-01-01"]}
)  # fmt: skip
BERLIN = ShiftConfig(timezone="Europe/Berlin")
BERLIN_NIGHT = ShiftConfig(
    timezone="Europe/Berlin",
    hours={day: (ShiftWindow(start=time(22), end=time(6)),) for day in ("sat", "sun")},
    weekends_disabled=False,
)
SPLIT = ShiftConfig(
    hours={
        "mon": (ShiftWindow(start=time(14), end=time(18)), ShiftWindow(start=time(9), end=time(12)))
    }
)


def tpe(*args: int) -> datetime:
    return datetime(*args, tzinfo=TPE)  # type: ignore[misc]


def ber(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BER, fold=fold)  # type: ignore[misc]


# 2026-01-05 is a Monday, 2026-01-01 a Thursday (holiday), 2026-01-03/04 the weekend.
@pytest.mark.parametrize(
    ("config", "at", "on_duty"),
    [
        (OFFICE, tpe(2026, 1, 5, 8, 59), False),
        (OFFICE, tpe(2026, 1, 5, 9, 0), True),  # start inclusive
        (OFFICE, tpe(2026, 1, 5, 17, 59), True),
        (OFFICE, tpe(2026, 1, 5, 18, 0), False),  # end exclusive
        (OFFICE, datetime(2026, 1, 5, 1, 0, tzinfo=UTC), True),  # 09:00 in Taipei
        (OFFICE, datetime(2026, 1, 5, 0, 59, tzinfo=UTC), False),
        (OFFICE, tpe(2026, 1, 1, 10, 0), False),  # holiday
        (OFFICE, tpe(2026, 1, 3, 10, 0), False),  # Saturday
        (OFFICE, tpe(2026, 1, 4, 10, 0), False),  # Sunday
        (OFFICE.model_copy(update={"weekends_disabled": False}), tpe(2026, 1, 3, 10, 0), True),
        (NIGHT, tpe(2026, 1, 5, 23, 0), True),  # Monday night
        (NIGHT, tpe(2026, 1, 6, 5, 59), True),  # …crossing midnight into Tuesday
        (NIGHT, tpe(2026, 1, 6, 6, 0), False),
        (NIGHT, tpe(2026, 1, 5, 12, 0), False),
        (NIGHT, tpe(2026, 1, 3, 2, 0), True),  # Friday's shift runs into Saturday
        (NIGHT, tpe(2026, 1, 3, 23, 0), False),  # no Saturday shift
        (NIGHT, tpe(2026, 1, 5, 2, 0), False),  # Sunday's shift is cancelled
        (NIGHT, tpe(2026, 1, 1, 23, 0), False),  # holiday's own shift cancelled
        (NIGHT, tpe(2026, 1, 2, 3, 0), False),  # …including its early-morning part
        (NIGHT, tpe(2026, 1, 1, 3, 0), True),  # the night before the holiday still runs
        (SPLIT, tpe(2026, 1, 5, 13, 0), False),  # lunch break
        (SPLIT, tpe(2026, 1, 5, 15, 0), True),
        # Europe/Berlin: 2026-03-29 and 2026-10-25 are the DST switch Sundays.
        (BERLIN, datetime(2026, 3, 27, 8, 30, tzinfo=UTC), True),  # Fri 09:30 CET
        (BERLIN, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True),  # Mon 09:30 CEST
        (BERLIN, datetime(2026, 3, 30, 6, 30, tzinfo=UTC), False),  # Mon 08:30 CEST
        (BERLIN, datetime(2026, 3, 23, 7, 30, tzinfo=UTC), False),  # same UTC, Mon 08:30 CET
        (BERLIN, datetime(2026, 3, 23, 8, 0, tzinfo=UTC), True),  # Mon 09:00 CET
        (BERLIN_NIGHT, ber(2026, 3, 29, 3, 30), True),  # after the spring-forward gap
        (BERLIN_NIGHT, ber(2026, 3, 29, 5, 59), True),
        (BERLIN_NIGHT, ber(2026, 3, 29, 6, 0), False),
        (BERLIN_NIGHT, ber(2026, 10, 25, 2, 30, fold=0), True),  # first 02:30 (CEST)
        (BERLIN_NIGHT, ber(2026, 10, 25, 2, 30, fold=1), True),  # repeated 02:30 (CET)
        (BERLIN_NIGHT, ber(2026, 10, 25, 6, 0), False),
    ],
)
def test_is_on_duty(config: ShiftConfig, at: datetime, on_duty: bool) -> None:
    assert is_on_duty(config, at) is on_duty


def test_overnight_shift_lengths_follow_dst() -> None:
    """22:00–06:00 is 7 hours on the spring-forward night and 9 on the fall-back night."""
    spring_start = next_on_duty(BERLIN_NIGHT, ber(2026, 3, 28, 12, 0))
    assert spring_start == ber(2026, 3, 28, 22, 0)
    assert is_on_duty(BERLIN_NIGHT, datetime(2026, 3, 29, 3, 59, tzinfo=UTC))  # 05:59 CEST
    assert not is_on_duty(BERLIN_NIGHT, datetime(2026, 3, 29, 4, 0, tzinfo=UTC))
    assert is_on_duty(BERLIN_NIGHT, datetime(2026, 10, 25, 4, 59, tzinfo=UTC))  # 05:59 CET
    assert not is_on_duty(BERLIN_NIGHT, datetime(2026, 10, 25, 5, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("config", "at", "expected"),
    [
        (OFFICE, tpe(2026, 1, 5, 10, 0), tpe(2026, 1, 5, 10, 0)),  # on duty: now
        (OFFICE, tpe(2026, 1, 5, 7, 0), tpe(2026, 1, 5, 9, 0)),
        (OFFICE, tpe(2026, 1, 5, 19, 0), tpe(2026, 1, 6, 9, 0)),
        (OFFICE, tpe(2026, 1, 2, 19, 0), tpe(2026, 1, 5, 9, 0)),  # Friday evening → Monday
        (OFFICE, tpe(2025, 12, 31, 19, 0), tpe(2026, 1, 2, 9, 0)),  # skips the holiday
        (NIGHT, tpe(2026, 1, 3, 12, 0), tpe(2026, 1, 5, 22, 0)),
        (SPLIT, tpe(2026, 1, 5, 12, 30), tpe(2026, 1, 5, 14, 0)),
        (SPLIT, tpe(2026, 1, 5, 8, 0), tpe(2026, 1, 5, 9, 0)),
        (BERLIN, datetime(2026, 3, 27, 18, 0, tzinfo=UTC), ber(2026, 3, 30, 9, 0)),
    ],
)
def test_next_on_duty(config: ShiftConfig, at: datetime, expected: datetime) -> None:
    result = next_on_duty(config, at)
    assert result == expected
    assert result.tzinfo == config.zone
    assert is_on_duty(config, result)


def test_next_on_duty_gives_up_without_any_shift() -> None:
    with pytest.raises(NoUpcomingShift):
        next_on_duty(ShiftConfig(hours={}), tpe(2026, 1, 5, 10, 0))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput):
        is_on_duty(OFFICE, datetime(2026, 1, 5, 10, 0))


@pytest.mark.parametrize(
    "data",
    [
        {"timezone": "Mars/Olympus"},
        {"email_to": ["not-an-address"]},
        {"start": "09:00", "hours": {}},
        {"hours": {"someday": []}},
        {"holidays": ["next tuesday"]},
    ],
)
def test_invalid_configs_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ShiftConfig.model_validate(data)


def test_config_round_trips_through_json() -> None:
    config = ShiftConfig(email_to=("support@example.com",), holidays=(date(2026, 2, 17),))
    assert ShiftConfig.model_validate_json(config.model_dump_json()) == config


def test_offline_messages_per_language() -> None:
    custom = ShiftConfig(offline_messages={"en": "Back at 9."})
    assert offline_message(custom, "en") == "Back at 9."
    assert offline_message(custom, "zh-TW").startswith("目前為非服務時間")
    assert offline_message(ShiftConfig(), "zh-CN").startswith("目前为非服务时间")
