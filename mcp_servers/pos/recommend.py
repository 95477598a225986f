"""Device recommendation: a transparent score staff can explain to a customer.

score = 0.35 usage fit + 0.25 price fit + 0.2 store pick (is_recommended) + 0.1 freshness
        + 0.1 in stock; every component is in [0, 1], so the score is too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from mcp_servers.backoffice.records import Device

Priority = Literal["camera", "gaming", "battery", "budget", "business", "large_screen"]

# Words in a device's specs that show it serves a priority (zh-TW specs as the POS holds them).
PRIORITY_HINTS: dict[Priority, tuple[str, ...]] = {
    "camera": ("相機", "鏡頭", "MP", "光學", "變焦", "徠卡", "蔡司"),
    "gaming": ("Pro", "Ultra", "Snapdragon", "A18", "A19", "天璣", "電競", "120Hz"),
    "battery": ("mAh", "電池", "續航"),
    "budget": (),
    "business": ("S Pen", "DeX", "企業", "Fold"),
    "large_screen": ("6.7", "6.8", "6.9", "Ultra", "Plus", "Max", "Fold"),
}


class UsagePattern(BaseModel):
    """What the staff know of the customer's habits; every field optional."""

    data_gb_per_month: float | None = Field(None, ge=0)
    voice_minutes_per_month: int | None = Field(None, ge=0)
    priorities: list[Priority] = []


class Recommendation(BaseModel):
    device_id: str
    brand: str
    model: str
    device_type: str
    storage_gb: int
    colors: list[str]
    retail_price: int
    contract_prices: dict[int, int]  # card data, so a picker needs no get_device_info per device
    recommendation_score: float
    recommendation_reason: str
    is_in_stock: bool
    # units free to sell per colour (in the asked store): a picker needs no query_device_stock
    available_by_color: dict[str, int]
    is_recommended: bool


def _price_fit(price: int, price_range: tuple[int, int] | None) -> float:
    if price_range is None:
        return 0.5
    low, high = price_range
    if low <= price <= high:
        return 1.0
    distance = (low - price) if price < low else (price - high)
    return max(0.0, 1.0 - distance / max(high, 1))


def _usage_fit(device: Device, usage: UsagePattern | None) -> tuple[float, list[str]]:
    if usage is None:
        return 0.5, []
    text = " ".join([device.model, *device.specs.values()])
    reasons: list[str] = []
    hits = 0
    for priority in usage.priorities:
        hints = PRIORITY_HINTS[priority]
        if priority == "budget" and device.retail_price <= 15000:
            hits += 1
            reasons.append("價格親民")
        elif hints and any(h in text for h in hints):
            hits += 1
            reasons.append({"camera": "相機規格出色", "gaming": "效能強適合遊戲",
                            "battery": "電池續航佳", "business": "適合商務使用",
                            "large_screen": "大螢幕"}.get(priority, priority))  # fmt: skip
    heavy_data = (usage.data_gb_per_month or 0) >= 30
    if heavy_data and device.storage_gb >= 256:
        hits += 1
        reasons.append("大容量適合您的高數據用量")
    wanted = len(usage.priorities) + (1 if heavy_data else 0)
    return (hits / wanted if wanted else 0.5), reasons


def recommend(
    devices: list[Device],
    os_type: str,
    available: Mapping[str, Mapping[str, int]],
    current_year: int,
    price_range: tuple[int, int] | None = None,
    usage: UsagePattern | None = None,
    limit: int = 5,
) -> list[Recommendation]:
    """Rank devices of one OS; ties break on device_id so answers are stable.

    `available` holds units free to sell per device and colour; a device is in stock when any
    colour has one.
    """
    ranked: list[tuple[float, str, Recommendation]] = []
    for device in devices:
        if device.os_type != os_type:
            continue
        usage_fit, reasons = _usage_fit(device, usage)
        by_color = {c: available.get(device.device_id, {}).get(c, 0) for c in device.colors}
        in_stock = any(by_color.values())
        freshness = max(0.0, 1.0 - (current_year - device.release_year) / 3)
        score = (
            0.35 * usage_fit
            + 0.25 * _price_fit(device.retail_price, price_range)
            + 0.2 * (1.0 if device.is_recommended else 0.0)
            + 0.1 * freshness
            + 0.1 * (1.0 if in_stock else 0.0)
        )
        if device.is_recommended:
            reasons.append("門市主推機種")
        if price_range and _price_fit(device.retail_price, price_range) == 1.0:
            reasons.append("符合預算")
        item = Recommendation(
            device_id=device.device_id,
            brand=device.brand,
            model=device.model,
            device_type=device.device_type,
            storage_gb=device.storage_gb,
            colors=device.colors,
            retail_price=device.retail_price,
            contract_prices=device.contract_prices,
            recommendation_score=round(score, 3),
            recommendation_reason="、".join(reasons) or "同系統熱門機種",
            is_in_stock=in_stock,
            available_by_color=by_color,
            is_recommended=device.is_recommended,
        )
        ranked.append((-score, device.device_id, item))
    ranked.sort(key=lambda row: (row[0], row[1]))
    return [row[2] for row in ranked[:limit]]
