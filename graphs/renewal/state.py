"""Renewal state (seed 000 §3.2.3): what the staff chose so far and what the tools answered.

The national ID itself is never kept: after step 1 the state holds the customer id and the
masked ID, so checkpoints in Redis carry no raw identity numbers.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class RenewalState(TypedDict, total=False):
    session_id: str
    staff_id: str
    store_id: str
    visited: list[str]  # waiting steps answered so far, in order (for "go back")
    customer: dict[str, Any] | None  # customer_id, name, id_number (masked), identities
    phones: list[dict[str, Any]]  # step 2-3 cards
    selected_phone: str | None
    line: dict[str, Any] | None  # get_phone_details of the selected line
    eligibility: dict[str, Any] | None  # check_renewal_eligibility (single and with_device)
    renewal_type: Literal["single", "with_device"] | None
    device_type: str | None
    device_os: str | None
    device_options: list[dict[str, Any]]  # step 7 cards
    selected_device: dict[str, Any] | None
    candidate_plans: list[dict[str, Any]]  # search_promotions hits
    plan_checks: list[dict[str, Any]]  # per promotion: qualified + reasons
    qualified_plans: list[dict[str, Any]]  # plan details of the qualified ones
    selected_plan: dict[str, Any] | None
    comparison: dict[str, Any] | None  # compare_plans result + narrative
    summary: dict[str, Any] | None  # step 10
    submission: dict[str, Any] | None  # reservation and record ids
    outcome: Literal["completed", "abandoned", "not_customer"] | None
    refusal: dict[str, Any] | None  # {"step", "error"}: the waiting step's last refused answer
    notice: str | None  # a message for the staff (e.g. "new sign-ups are not offered here")
