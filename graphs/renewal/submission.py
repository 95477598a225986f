"""Step 10's back-office writes: hold the device, renew the line, and undo the hold when the
line cannot be renewed. Both writes carry the session's idempotency key, so a node replayed
after a crash gets the same hold and the same renewal back instead of new ones."""

from __future__ import annotations

from typing import Any

from core.errors import SwitchboardError
from graphs.renewal.deps import ToolCaller
from graphs.renewal.state import RenewalState


async def submit_renewal(tools: ToolCaller, state: RenewalState) -> dict[str, Any]:
    """{"reservation": the device hold or None, "line_renewal": the CRM's renewal}."""
    key = f"renewal:{state['session_id']}"
    device = state.get("selected_device")
    reservation = None
    if device is not None:
        reservation = await tools.call(
            "reserve_device",
            device_id=device["device_id"],
            color=device["color"],
            quantity=1,
            staff_id=state["staff_id"],
            store_id=state["store_id"],
            idempotency_key=key,
        )
    plan = state.get("selected_plan") or {}
    try:
        renewal = await tools.call(
            "record_renewal",
            phone_number=state["selected_phone"],
            plan_id=plan["plan_id"],
            staff_id=state["staff_id"],
            store_id=state["store_id"],
            idempotency_key=key,
        )
    except SwitchboardError:
        if reservation is not None:  # e.g. another session renewed the line first
            await tools.call("release_reservation", idempotency_key=key)
        raise
    return {"reservation": reservation, "line_renewal": renewal}
