"""SLA rules (seed 003 v2.9 table) at their boundaries, with a clock the test holds."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from api.tickets.sla import (
    PRIORITY_DEFAULTS,
    SEED_TABLE,
    URGENCY,
    SlaStatus,
    plan,
    sla_status,
    terms_for,
)
from core.db.models.tickets import TicketCategory

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
M, H = timedelta(minutes=1), timedelta(hours=1)
MS = timedelta(milliseconds=1)


@pytest.mark.parametrize(
    ("category", "priority", "response", "resolution"),
    [
        # the seed's six rows, verbatim
        ("pre_sales", "normal", 2 * H, 24 * H),
        ("order_modify", "high", 30 * M, 4 * H),
        ("shipping", "high", 1 * H, 12 * H),
        ("after_sales", "normal", 4 * H, 48 * H),
        ("technical", "urgent", 15 * M, 8 * H),
        ("compliance", "high", 2 * H, 24 * H),
        # pairs the seed leaves out: the priority's default ...
        ("returns", "low", 8 * H, 96 * H),
        ("warranty", "normal", 4 * H, 48 * H),
        ("technical", "high", 1 * H, 12 * H),
        ("shipping", "urgent", 15 * M, 8 * H),
        # ... capped by a calmer priority of the same category (urgent never slower than high)
        ("order_modify", "urgent", 15 * M, 4 * H),
        ("order_modify", "normal", 4 * H, 48 * H),
    ],
)
def test_terms(category: str, priority: str, response: timedelta, resolution: timedelta) -> None:
    terms = terms_for(category, priority)
    assert (terms.response, terms.resolution) == (response, resolution)


def test_seed_rows_win_and_defaults_cover_every_pair() -> None:
    for (category, priority), terms in SEED_TABLE.items():
        assert terms_for(category, priority) == terms
    assert set(PRIORITY_DEFAULTS) == set(URGENCY)


@pytest.mark.parametrize("category", [c.value for c in TicketCategory])
def test_a_more_urgent_priority_is_never_slower(category: str) -> None:
    terms = [terms_for(category, p) for p in URGENCY]  # most urgent first
    for faster, slower in itertools.pairwise(terms):
        assert faster.response <= slower.response, category
        assert faster.resolution <= slower.resolution, category


# technical/urgent: response 15 min (warning from 11:15), resolution 8 h (warning from 6 h)
URGENT = plan("technical", "urgent", T0)


@pytest.mark.parametrize(
    ("at", "first_response", "resolved", "expected"),
    [
        (T0, None, None, SlaStatus.WITHIN),
        (T0 + 11 * M + 15 * timedelta(seconds=1) - MS, None, None, SlaStatus.WITHIN),
        (T0 + 11 * M + 15 * timedelta(seconds=1), None, None, SlaStatus.WARNING),  # 75 % used
        (T0 + 15 * M - MS, None, None, SlaStatus.WARNING),
        (T0 + 15 * M, None, None, SlaStatus.BREACHED),  # no first response in 15 min
        # answered in time: the resolution clock decides
        (T0 + 1 * H, T0 + 15 * M, None, SlaStatus.WITHIN),
        (T0 + 6 * H - MS, T0 + 5 * M, None, SlaStatus.WITHIN),
        (T0 + 6 * H, T0 + 5 * M, None, SlaStatus.WARNING),
        (T0 + 8 * H - MS, T0 + 5 * M, None, SlaStatus.WARNING),
        (T0 + 8 * H, T0 + 5 * M, None, SlaStatus.BREACHED),
        # answered late: breached for good
        (T0 + 20 * M, T0 + 15 * M + MS, None, SlaStatus.BREACHED),
        # resolved: judged at the resolution, whatever the clock says now
        (T0 + 30 * 24 * H, T0 + 5 * M, T0 + 8 * H, SlaStatus.WITHIN),
        (T0 + 30 * 24 * H, T0 + 5 * M, T0 + 8 * H + MS, SlaStatus.BREACHED),
        # resolved without a separate first response: the resolution was the answer
        (T0 + 30 * 24 * H, None, T0 + 10 * M, SlaStatus.WITHIN),
        (T0 + 30 * 24 * H, None, T0 + 16 * M, SlaStatus.BREACHED),
    ],
)
def test_status_at_the_boundaries(
    at: datetime, first_response: datetime | None, resolved: datetime | None, expected: SlaStatus
) -> None:
    got = sla_status(URGENT, at, first_response_at=first_response, resolved_at=resolved)
    assert got == expected


def test_a_raised_priority_counts_from_creation() -> None:
    normal = plan("technical", "normal", T0)
    urgent = plan("technical", "urgent", T0)
    at = T0 + 9 * H  # answered after 10 min; 9 h in: fine at normal, over at urgent
    kwargs = {"first_response_at": T0 + 10 * M, "resolved_at": None}
    assert sla_status(normal, at, **kwargs) == SlaStatus.WITHIN
    assert sla_status(urgent, at, **kwargs) == SlaStatus.BREACHED
    assert normal.resolution.due == T0 + 48 * H and urgent.resolution.due == T0 + 8 * H
