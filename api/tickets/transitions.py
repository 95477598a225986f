"""Which ticket status may follow which (seed 003 v2.9 "工单状态流转规则").

The seed draws the main line `pending → in_progress → resolved → closed` with the two waiting
states hanging off `in_progress` (`waiting_customer`, then `waiting_parts`). Read as a user
would need it:

* waiting ends by going back to work (`in_progress`); a customer who confirms the fix while
  the ticket waits for them lets it go straight to `resolved`; parts and customer answers can
  wait on each other;
* a resolved ticket is closed, or reopened (`in_progress`) when the customer says it is not
  fixed;
* a `pending` ticket may be closed unworked (a duplicate, a mistake);
* `closed` is final; nothing else skips a step (no `pending → resolved`).

Pure: the service asks `check_transition` before its compare-and-set update.
"""

from __future__ import annotations

from typing import Final

from core.db.models.tickets import TicketStatus as S
from core.errors import Conflict

TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.PENDING: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.WAITING_PARTS, S.RESOLVED}),
    S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.WAITING_PARTS, S.RESOLVED}),
    S.WAITING_PARTS: frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES: Final = frozenset(s.value for s in S) - {S.CLOSED.value}


def allowed_next(status: str) -> list[str]:
    """The statuses `status` may move to, in the vocabulary's order."""
    targets = TRANSITIONS[status]
    return [s.value for s in S if s in targets]


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: str, target: str) -> None:
    """409 INVALID_TRANSITION naming what is allowed from `current`."""
    if can_move(current, target):
        return
    if current == target:
        message = f"工單已是 {current} 狀態 / the ticket is already {current}"
    else:
        message = f"工單狀態不可從 {current} 變更為 {target} / {current} cannot move to {target}"
    raise Conflict(
        message,
        code="INVALID_TRANSITION",
        status=current,
        requested=target,
        allowed=allowed_next(current),
    )
