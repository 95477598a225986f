"""Calendar-month arithmetic for contracts (stdlib `timedelta` has no months)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Same day `months` later (or earlier); clamps 31 Jan + 1 month to 28/29 Feb."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """Same day `years` later; 29 Feb becomes 28 Feb in common years."""
    return add_months(day, 12 * years)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`, 0 when `end` is not after `start`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)
