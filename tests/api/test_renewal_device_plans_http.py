"""Step 8's plans fit the device chosen at step 5 (issue 15, item 2), over real HTTP.

For A123456789's voice line: a smartphone gets no data-only plan, a tablet only data-only
plans, a watch the watch plans (the eSIM one exists and qualifies), and "no device" only plain
renewals. Every searched candidate fits (the search filters before ranking), so the top 5 are
five fitting plans where that many exist.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mcp_servers.backoffice.device_fit import DeviceChoice, fits_device
from mcp_servers.backoffice.store import BackOfficeStore
from tests.api.conftest import HttpJourney

pytestmark = pytest.mark.usefixtures("fresh_backoffice")


def _plans_for(http: httpx.Client, token: str, device: DeviceChoice) -> dict[str, Any]:
    j = HttpJourney(http, token)
    j.start()
    j.to_device_type()
    j.step("step/select-device-type", device_type=device)
    if device != "none":
        j.step("step/select-device-os", os_type="ios")
        card = next(d for d in j.show["devices"] if any(c["available"] > 0 for c in d["colors"]))
        colour = next(c["color"] for c in card["colors"] if c["available"] > 0)
        j.step("step/select-device", device_id=card["device_id"], color=colour)
    j.stream("step/list-plans")
    show = dict(j.show)
    assert j.post("abandon").status_code == 200
    return show


@pytest.mark.parametrize("device", ["smartphone", "tablet", "wearable", "none"])
def test_plans_fit_the_chosen_device(
    http: httpx.Client, tokens: dict[str, str], fresh_backoffice: Any, device: DeviceChoice
) -> None:
    catalogue = {p.plan_id: p for p in BackOfficeStore(fresh_backoffice).plans()}
    show = _plans_for(http, tokens["sales"], device)
    candidates = [c["promotion_id"] for c in show["checks"]]
    qualified = [p["plan_id"] for p in show["plans"]]
    assert qualified, show["checks"]
    misfits = [pid for pid in candidates if not fits_device(catalogue[pid], device)]
    assert misfits == [], f"{device}: {misfits}"
    if device == "smartphone":
        assert all(catalogue[pid].plan_type != "data_only" for pid in qualified)
        assert len(candidates) == 5  # plenty of phone plans: a full top 5
    elif device == "tablet":
        assert all(catalogue[pid].plan_type == "data_only" for pid in qualified)
    elif device == "wearable":
        assert "P056" in qualified  # 智慧手錶 eSIM 上網 299
    else:
        assert all(not catalogue[pid].with_device for pid in candidates)
        assert len(candidates) == 5
