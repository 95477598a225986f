"""Device recommendation scoring."""

from __future__ import annotations

from typing import Any

from mcp_servers.backoffice.records import Device
from mcp_servers.pos.recommend import UsagePattern, recommend


def device(device_id: str, **changes: Any) -> Device:
    base = dict(
        device_id=device_id, device_type="smartphone", os_type="android", brand="Samsung",
        model=f"Galaxy {device_id}", colors=["黑色"], storage_gb=128,
        specs={"相機": "50MP 主鏡頭", "電池": "4000mAh"}, retail_price=20000,
        contract_prices={24: 10000, 30: 8000, 36: 6000}, release_year=2026,
    )  # fmt: skip
    return Device(**{**base, **changes})


def stocked(*device_ids: str) -> dict[str, dict[str, int]]:
    return {d: {"黑色": 2} for d in device_ids}


def test_only_devices_of_the_requested_os_are_ranked() -> None:
    devices = [device("D1"), device("D2", os_type="ios", brand="Apple")]
    assert [r.device_id for r in recommend(devices, "ios", {}, 2026)] == ["D2"]


def test_recommended_in_stock_and_in_budget_devices_rank_first() -> None:
    devices = [
        device("D1", retail_price=45000),
        device("D2", is_recommended=True, retail_price=18000),
        device("D3", retail_price=19000),
    ]
    ranked = recommend(devices, "android", stocked("D2", "D3"), 2026, price_range=(10000, 25000))
    assert [r.device_id for r in ranked] == ["D2", "D3", "D1"]
    assert "門市主推機種" in ranked[0].recommendation_reason
    assert ranked[2].is_in_stock is False
    assert (ranked[0].available_by_color, ranked[2].available_by_color) == (
        {"黑色": 2},
        {"黑色": 0},
    )
    assert all(0 <= r.recommendation_score <= 1 for r in ranked)


def test_heavy_data_user_gets_large_storage_first() -> None:
    devices = [device("D1", storage_gb=128), device("D2", storage_gb=512)]
    usage = UsagePattern(data_gb_per_month=80)
    ranked = recommend(devices, "android", stocked("D1", "D2"), 2026, usage=usage)
    assert ranked[0].device_id == "D2"
    assert "高數據用量" in ranked[0].recommendation_reason


def test_old_devices_lose_to_new_ones_all_else_equal() -> None:
    ranked = recommend([device("D1", release_year=2023), device("D2")], "android", {}, 2026)
    assert [r.device_id for r in ranked] == ["D2", "D1"]


def test_a_device_whose_colours_are_all_sold_out_is_not_in_stock() -> None:
    devices = [device("D1", colors=["黑色", "白色"])]
    [sold_out] = recommend(devices, "android", {"D1": {"黑色": 0, "白色": 0}}, 2026)
    [one_left] = recommend(devices, "android", {"D1": {"白色": 1}}, 2026)
    assert (sold_out.is_in_stock, sold_out.available_by_color) == (False, {"黑色": 0, "白色": 0})
    assert (one_left.is_in_stock, one_left.available_by_color) == (True, {"黑色": 0, "白色": 1})
    assert one_left.recommendation_score > sold_out.recommendation_score
