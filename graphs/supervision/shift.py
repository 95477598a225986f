"""Shift hours: are human agents on duty at a given instant, and when are they next?

Why pure and timezone-explicit: the service runs in UTC on servers anywhere, while agents work
local hours (Asia/Taipei by default, but a European team keeps DST). Off duty, an escalation gets
the offline auto-reply and an e-mail handoff instead of a queue slot.

Semantics:
* A window belongs to the local date it *starts* on. `end <= start` means it runs past midnight
  (22:00–06:00 ends at 06:00 the next day); `end == start` means 24 hours.
* A holiday or a disabled weekend day cancels the windows that start on that date (a Friday night
  shift still runs into Saturday morning; a Sunday night shift does not run at all).
* Local wall times are turned into instants with the zone's rules: a start inside a DST gap
  (Europe/Berlin 02:30 on the spring-forward Sunday) is moved forward by the gap (03:30 CEST),
  an ambiguous time (the repeated autumn hour) means its first occurrence.
* The config accepts the seed's short form `{start, end, timezone, weekends_disabled, holidays}`
  (one window every day) as well as per-weekday `hours`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import InvalidInput
from graphs.supervision.language import SYSTEM_MESSAGES, Language

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: Final[tuple[Weekday, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS: Final = 400  # how far `next_on_duty` looks before giving up


class NoUpcomingShift(InvalidInput):
    """The configuration has no working window in the next `SEARCH_DAYS` days."""

    code = "NO_UPCOMING_SHIFT"


class ShiftWindow(BaseModel):
    """One working window in local time; see the module doc for overnight and 24 h windows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: time
    end: time

    @field_validator("start", "end")
    @classmethod
    def _naive(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("shift times are local wall times; give the zone in `timezone`")
        return value


_OFFICE_HOURS: Final = (ShiftWindow(start=time(9), end=time(18)),)


class ShiftConfig(BaseModel):
    """Agents' working hours, holidays, offline replies and e-mail handoff recipients."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Asia/Taipei"
    hours: Mapping[Weekday, tuple[ShiftWindow, ...]] = Field(
        default_factory=lambda: dict.fromkeys(WEEKDAYS, _OFFICE_HOURS)
    )
    weekend_days: tuple[Weekday, ...] = ("sat", "sun")
    weekends_disabled: bool = True
    holidays: tuple[date, ...] = ()
    offline_messages: Mapping[Language, str] = Field(
        default_factory=lambda: dict(SYSTEM_MESSAGES["offline"])
    )
    email_to: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _seed_short_form(cls, data: Any) -> Any:
        """`{start, end, …}` (seed 003 `GET /api/shift/config`) → the same window every day."""
        if isinstance(data, Mapping) and ("start" in data or "end" in data):
            data = dict(data)
            if "hours" in data:
                raise ValueError("give either start/end or hours, not both")
            window = {"start": data.pop("start", "09:00"), "end": data.pop("end", "18:00")}
            data["hours"] = {day: [window] for day in WEEKDAYS}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("email_to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [a for a in value if "@" not in a.strip("@")]
        if bad:
            raise ValueError(f"not e-mail addresses: {bad}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def works_on(self, day: date) -> bool:
        """Whether windows starting on local `day` run (not a holiday, not a disabled weekend)."""
        if day in self.holidays:
            return False
        return not (self.weekends_disabled and WEEKDAYS[day.weekday()] in self.weekend_days)


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Local wall time → UTC instant (gap: shifted forward; ambiguous: first occurrence)."""
    return datetime.combine(day, at).replace(tzinfo=zone).astimezone(UTC)


def _windows(config: ShiftConfig, day: date) -> list[tuple[datetime, datetime]]:
    """UTC (start, end) of the windows that start on local `day`, in start order."""
    if not config.works_on(day):
        return []
    zone = config.zone
    spans = []
    for window in config.hours.get(WEEKDAYS[day.weekday()], ()):
        end_day = day if window.end > window.start else day + timedelta(days=1)
        spans.append((_instant(day, window.start, zone), _instant(end_day, window.end, zone)))
    return sorted(spans)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("a timezone-aware datetime is required", code="NAIVE_DATETIME")
    return at.astimezone(UTC)


def is_on_duty(config: ShiftConfig, at: datetime) -> bool:
    """Whether an agent shift covers the instant `at` (timezone-aware)."""
    now = _utc(at)
    today = now.astimezone(config.zone).date()
    for day in (today - timedelta(days=1), today):
        if any(start <= now < end for start, end in _windows(config, day)):
            return True
    return False


def next_on_duty(config: ShiftConfig, at: datetime) -> datetime:
    """`at` itself when on duty, else the start of the next shift, in the config's zone."""
    now = _utc(at)
    zone = config.zone
    if is_on_duty(config, now):
        return now.astimezone(zone)
    today = now.astimezone(zone).date()
    for offset in range(SEARCH_DAYS + 1):
        for start, _ in _windows(config, today + timedelta(days=offset)):
            if start > now:
                return start.astimezone(zone)
    raise NoUpcomingShift(f"no shift starts within {SEARCH_DAYS} days of {now.isoformat()}")


def offline_message(config: ShiftConfig, language: Language) -> str:
    """The configured off-duty auto-reply in `language` (built-in text if none configured)."""
    return config.offline_messages.get(language) or SYSTEM_MESSAGES["offline"][language]
