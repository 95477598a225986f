"""Which plans fit the device chosen at step 5: a pure rule over the plan sheet's fields.

The sheet has no device column, so the rule reads what the plans say about themselves:
* no device (單純續約): the plan is not a device-purchase plan;
* a smartphone: the plan carries voice (a data-only plan would take calls off a voice line);
* a tablet: a data-only plan that is not a watch eSIM plan (平板上網);
* a wearable: a plan made for watches (tag 穿戴: the watch eSIM plan, or phone + watch).
The Promotion server filters its search with it (so the top 5 are fitting plans) and the CRM's
promotion check reports a misfit as a reason.
"""

from __future__ import annotations

from typing import Literal

from mcp_servers.backoffice.records import Plan

DeviceChoice = Literal["none", "smartphone", "tablet", "wearable"]
WEARABLE_TAG = "穿戴"
DEVICE_LABELS: dict[DeviceChoice, str] = {
    "none": "單純續約（不搭配裝置）",
    "smartphone": "手機",
    "tablet": "平板",
    "wearable": "穿戴裝置",
}


def is_data_only(plan: Plan) -> bool:
    """No voice at all: the data-only plan type, or no minutes and no free on-net calls."""
    return plan.plan_type == "data_only" or (plan.voice_minutes == 0 and not plan.on_net_free)


def is_for_wearables(plan: Plan) -> bool:
    return WEARABLE_TAG in plan.tags


def device_misfit(plan: Plan, device: DeviceChoice) -> str | None:
    """Why `plan` does not fit `device` (zh-TW, for staff), or None when it fits."""
    if device == "none":
        return "此方案限搭配購買裝置" if plan.with_device else None
    if device == "smartphone":
        return "純上網方案（無語音），不適用手機" if is_data_only(plan) else None
    if device == "tablet":
        if not is_data_only(plan):
            return "平板適用純上網方案，此方案含語音"
        return "此方案為穿戴裝置專用" if is_for_wearables(plan) else None
    return None if is_for_wearables(plan) else "此方案不支援穿戴裝置（手錶 eSIM／一號多機）"


def fits_device(plan: Plan, device: DeviceChoice) -> bool:
    return device_misfit(plan, device) is None
