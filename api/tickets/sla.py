"""SLA rules for tickets (seed 003 v2.9 "SLA 配置"): deadlines and the status at a given `now`.

Pure functions: the clock is a parameter, so tests pin any moment.

The seed's table names six (category, priority) pairs with a response time (first answer to
the customer) and a resolution time. Every other pair takes its priority's default (ours: the
seed is silent), capped by the seed's rows of less urgent priorities in the same category, so a
more urgent priority is never slower inside a category (order_modify/urgent: 15 min and 4 h,
since the seed gives order_modify/high 4 h; a test checks the whole matrix):

| priority | response | resolution |
|---|---|---|
| urgent | 15 min | 8 h  (the seed's technical/urgent) |
| high   | 1 h    | 12 h (the seed's shipping/high) |
| normal | 4 h    | 48 h (the seed's after_sales/normal) |
| low    | 8 h    | 96 h |

Status (the seed's words; within = on track, warning = at risk):

* `breached`: a clock ran out: no first response by its deadline (or a late one), not resolved
  by its deadline (or resolved late). Once breached, always breached.
* `warning`: a running clock has used `WARNING_SHARE` (75 %) of its time.
* `within`: otherwise. A resolved or closed ticket keeps the verdict it had when resolved.

Clocks run in wall time (no business hours, no pause while waiting for the customer): the seed
gives plain hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from core.db.models.tickets import TicketCategory as C
from core.db.models.tickets import TicketPriority as P

WARNING_SHARE: Final = 0.75


class SlaStatus(StrEnum):
    WITHIN = "within"
    WARNING = "warning"
    BREACHED = "breached"


@dataclass(frozen=True)
class SlaTerms:
    response: timedelta
    resolution: timedelta


def _terms(response_minutes: int, resolution_hours: int) -> SlaTerms:
    return SlaTerms(timedelta(minutes=response_minutes), timedelta(hours=resolution_hours))


# The seed's table, verbatim.
SEED_TABLE: Final[dict[tuple[str, str], SlaTerms]] = {
    (C.PRE_SALES, P.NORMAL): _terms(120, 24),
    (C.ORDER_MODIFY, P.HIGH): _terms(30, 4),
    (C.SHIPPING, P.HIGH): _terms(60, 12),
    (C.AFTER_SALES, P.NORMAL): _terms(240, 48),
    (C.TECHNICAL, P.URGENT): _terms(15, 8),
    (C.COMPLIANCE, P.HIGH): _terms(120, 24),
}
PRIORITY_DEFAULTS: Final[dict[str, SlaTerms]] = {
    P.URGENT: _terms(15, 8),
    P.HIGH: _terms(60, 12),
    P.NORMAL: _terms(240, 48),
    P.LOW: _terms(480, 96),
}


URGENCY: Final = (P.URGENT, P.HIGH, P.NORMAL, P.LOW)  # most urgent first


def terms_for(category: str, priority: str) -> SlaTerms:
    """Response and resolution times of a (category, priority) pair."""
    seeded = SEED_TABLE.get((category, priority))
    if seeded is not None:
        return seeded
    terms = PRIORITY_DEFAULTS[priority]
    for calmer in URGENCY[URGENCY.index(P(priority)) + 1 :]:
        cap = SEED_TABLE.get((category, calmer))
        if cap is not None:
            terms = SlaTerms(
                min(terms.response, cap.response), min(terms.resolution, cap.resolution)
            )
    return terms


@dataclass(frozen=True)
class SlaClock:
    """One deadline and the moment it turns to `warning`."""

    due: datetime
    warn_at: datetime

    @classmethod
    def starting(cls, start: datetime, length: timedelta) -> SlaClock:
        return cls(due=start + length, warn_at=start + length * WARNING_SHARE)

    def status(self, now: datetime, done_at: datetime | None) -> SlaStatus:
        """A finished clock is judged when it finished; a running one at `now`."""
        if done_at is not None:
            return SlaStatus.BREACHED if done_at > self.due else SlaStatus.WITHIN
        if now >= self.due:
            return SlaStatus.BREACHED
        return SlaStatus.WARNING if now >= self.warn_at else SlaStatus.WITHIN


@dataclass(frozen=True)
class SlaPlan:
    response: SlaClock
    resolution: SlaClock


def plan(category: str, priority: str, created_at: datetime) -> SlaPlan:
    """Both clocks of a ticket created at `created_at` (recomputed from the creation time when
    the priority changes: a raised priority can breach a ticket at once, which is the truth)."""
    terms = terms_for(category, priority)
    return SlaPlan(
        response=SlaClock.starting(created_at, terms.response),
        resolution=SlaClock.starting(created_at, terms.resolution),
    )


_RANK: Final = {SlaStatus.WITHIN: 0, SlaStatus.WARNING: 1, SlaStatus.BREACHED: 2}


def sla_status(
    sla: SlaPlan,
    now: datetime,
    *,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
) -> SlaStatus:
    """The worse of the two clocks. Once resolved, a response clock that never stopped counts
    as stopped at the resolution (a resolution answers the customer)."""
    responded = first_response_at or resolved_at
    verdicts = (
        sla.response.status(now, responded),
        sla.resolution.status(now, resolved_at),
    )
    return max(verdicts, key=_RANK.__getitem__)
