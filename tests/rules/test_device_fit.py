"""Plans fit the device chosen at step 5 (issue 15, item 2): the rule, table-driven.

Plans are the real catalogue's; the CRM's promotion check reports a misfit as a reason.
"""

from __future__ import annotations

from datetime import date

import pytest

from mcp_servers.backoffice.device_fit import DeviceChoice, device_misfit, fits_device
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.crm.eligibility import check_promotion

TODAY = date(2026, 12, 1)
DATA = generate(20261121, TODAY)
PLANS = {p.plan_id: p for p in DATA.plans}

# (plan, device, fits): P012 5G voice tariff, P015 data-only tariff, P029/P032 phone purchase
# plans, P033 phone + watch, P035 plain renewal, P055 tablet purchase (data only), P056 watch eSIM
CASES: list[tuple[str, DeviceChoice, bool]] = [
    ("P012", "none", True),
    ("P035", "none", True),
    ("P029", "none", False),  # a device-purchase plan is not a plain renewal
    ("P055", "none", False),
    ("P029", "smartphone", True),
    ("P033", "smartphone", True),
    ("P055", "smartphone", False),  # the issue: a data-only tablet plan for an iPhone
    ("P056", "smartphone", False),
    ("P015", "smartphone", False),
    ("P055", "tablet", True),
    ("P015", "tablet", True),
    ("P029", "tablet", False),  # voice plan
    ("P056", "tablet", False),  # a watch eSIM plan
    ("P056", "wearable", True),  # the issue: the watch plan exists
    ("P033", "wearable", True),
    ("P029", "wearable", False),
    ("P055", "wearable", False),
]


@pytest.mark.parametrize(
    ("plan_id", "device", "fits"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_plan_fits_device(plan_id: str, device: DeviceChoice, fits: bool) -> None:
    plan = PLANS[plan_id]
    assert fits_device(plan, device) is fits
    assert (device_misfit(plan, device) is None) is fits


@pytest.mark.parametrize("device", ["none", "smartphone", "tablet", "wearable"])
def test_every_device_choice_has_fitting_plans(device: DeviceChoice) -> None:
    assert any(fits_device(p, device) for p in PLANS.values())


def test_the_crm_check_names_the_misfit() -> None:
    line = next(x for x in DATA.lines if x.phone_number == GOLDEN.eligible.phone)
    customer = next(c for c in DATA.customers if c.customer_id == line.customer_id)
    tablet_plan = PLANS["P055"]
    as_phone = check_promotion(line, customer, tablet_plan, TODAY, "with_device", "smartphone")
    as_tablet = check_promotion(line, customer, tablet_plan, TODAY, "with_device", "tablet")
    assert not as_phone.is_qualified
    assert [m.requirement for m in as_phone.missing_requirements] == ["device_type"]
    assert "無語音" in as_phone.reasons[0]
    assert as_tablet.is_qualified
    unchanged = check_promotion(line, customer, tablet_plan, TODAY, "with_device")
    assert unchanged.is_qualified  # without a device choice the rule is not applied
