"""Ticket status transitions (seed 003 v2.9 工单状态流转规则), the whole matrix."""

from __future__ import annotations

import itertools

import pytest

from api.tickets.transitions import allowed_next, can_move, check_transition
from core.db.models.tickets import TicketStatus
from core.errors import Conflict

ALLOWED = {
    ("pending", "in_progress"),
    ("pending", "closed"),
    ("in_progress", "waiting_customer"),
    ("in_progress", "waiting_parts"),
    ("in_progress", "resolved"),
    ("waiting_customer", "in_progress"),
    ("waiting_customer", "waiting_parts"),
    ("waiting_customer", "resolved"),
    ("waiting_parts", "in_progress"),
    ("waiting_parts", "waiting_customer"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
}
STATUSES = [s.value for s in TicketStatus]


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_matrix(current: str, target: str) -> None:
    expected = (current, target) in ALLOWED
    assert can_move(current, target) is expected
    if expected:
        check_transition(current, target)
    else:
        with pytest.raises(Conflict) as refused:
            check_transition(current, target)
        assert refused.value.code == "INVALID_TRANSITION"
        assert refused.value.details["allowed"] == allowed_next(current)
        assert refused.value.details["status"] == current


def test_the_seed_main_line_is_walkable_and_closed_is_final() -> None:
    line = ["pending", "in_progress", "resolved", "closed"]
    assert all(can_move(a, b) for a, b in itertools.pairwise(line))
    assert allowed_next("closed") == []
    assert not can_move("pending", "resolved")  # no skipping the work
