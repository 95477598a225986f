"""Step 10's summary and its money: pure arithmetic over what the tools returned."""

from __future__ import annotations

from typing import Any

CONTRACT_PERIODS = (24, 30, 36)


def device_price_for(device: dict[str, Any], contract_months: int) -> int:
    """The device's contract price for the plan's term (nearest offered term; retail if none)."""
    prices = {int(k): int(v) for k, v in device.get("contract_prices", {}).items()}
    if not prices or contract_months <= 0:
        return int(device["retail_price"])
    term = min(prices, key=lambda m: (abs(m - contract_months), m))
    return prices[term]


def costs(plan: dict[str, Any], device: dict[str, Any] | None) -> dict[str, int]:
    """Upfront = device contract price − the plan's device discount (never negative);
    contract total = monthly fee × contract months + upfront."""
    months = int(plan.get("contract_period") or 0)
    monthly = int(plan["monthly_fee"])
    upfront = 0
    device_price = 0
    if device is not None:
        device_price = device_price_for(device, months)
        upfront = max(0, device_price - int(plan.get("device_discount") or 0))
    return {
        "monthly_fee": monthly,
        "contract_months": months,
        "device_contract_price": device_price,
        "device_discount": int(plan.get("device_discount") or 0) if device else 0,
        "upfront_payment": upfront,
        "first_year_total": monthly * 12 + upfront,
        "contract_total": monthly * max(months, 12) + upfront,
        "early_termination_fee": int(plan.get("early_termination_fee") or 0),
    }


def build_summary(state: dict[str, Any]) -> dict[str, Any]:
    customer = state["customer"] or {}
    line = state.get("line") or {}
    device = state.get("selected_device")
    plan = state["selected_plan"] or {}
    return {
        "customer": {k: customer.get(k) for k in ("customer_id", "name", "id_number")},
        "line": {
            "phone_number": state.get("selected_phone"),
            "current_plan": (line.get("contract_info") or {}).get("plan_name"),
            "contract_end_date": (line.get("contract_info") or {}).get("contract_end_date"),
        },
        "renewal_type": state.get("renewal_type"),
        "device": None
        if device is None
        else {k: device.get(k) for k in ("device_id", "brand", "model", "color", "storage")},
        "plan": {
            k: plan.get(k)
            for k in ("plan_id", "name", "monthly_fee", "contract_period", "gifts", "features")
        },
        "costs": costs(plan, device),
    }
