"""POS MCP server: devices, store stock, reservations, recommendations (seed 000 §3.5.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from core.errors import InvalidInput
from mcp_servers.backoffice.access import (
    default_store,
    device_by_id,
    store_id_checked,
    today,
)
from mcp_servers.pos.recommend import Recommendation, UsagePattern, recommend
from mcp_servers.pos.reservations import Reservation, release, reserve, stock_levels
from mcp_servers.server import build_server, tools_of

mcp = build_server(
    "pos",
    "門市 POS：查設備庫存、設備規格與價格、推薦機種、預留設備。"
    " Store POS: device stock, specs, pricing, recommendations, reservations.",
)
CONTRACT_PERIODS = (24, 30, 36)
tool = tools_of(mcp)  # writes: never sent twice
read_tool = tools_of(mcp, read_only=True)  # reads: sent again after a restart


class StockRow(BaseModel):
    device_id: str
    model: str
    brand: str
    device_type: str
    color: str
    storage: str
    stock_quantity: int
    reserved_quantity: int
    available_quantity: int


class DeviceInfo(BaseModel):
    device_id: str
    device_type: str
    os_type: str
    brand: str
    model: str
    storage: str
    specifications: dict[str, str]
    pricing: dict[str, int]
    available_colors: list[str]
    release_year: int
    is_recommended: bool


class Installment(BaseModel):
    period: int
    monthly_payment: int
    total_payment: int


class DevicePricing(BaseModel):
    device_id: str
    retail_price: int
    contract_period: int
    contract_price: int
    contract_prices: dict[str, int]
    installment_options: list[Installment]


@read_tool
async def query_device_stock(
    store_id: str, device_model: str | None = None, brand: str | None = None
) -> list[StockRow]:
    """查詢門市設備庫存（可依型號關鍵字或品牌篩選）。Stock in one store per device and colour:
    units, reserved units and available units."""
    store = default_store()
    store_id = store_id_checked(store, store_id)
    devices = {d.device_id: d for d in store.devices(brand=brand)}
    if device_model:
        needle = device_model.lower().replace(" ", "")
        devices = {k: d for k, d in devices.items() if needle in d.model.lower().replace(" ", "")}
    rows = stock_levels(store, store_id, list(devices))
    return [
        StockRow(
            device_id=row.device_id,
            model=devices[row.device_id].model,
            brand=devices[row.device_id].brand,
            device_type=devices[row.device_id].device_type,
            color=row.color,
            storage=f"{devices[row.device_id].storage_gb}GB",
            stock_quantity=row.stock_quantity,
            reserved_quantity=row.reserved_quantity,
            available_quantity=row.available_quantity,
        )
        for row in rows
    ]


@read_tool
async def get_device_info(device_id: str) -> DeviceInfo:
    """查詢設備規格、價格與顏色。Specs, retail and contract prices and colours of a device."""
    device = device_by_id(default_store(), device_id)
    pricing = {"retail_price": device.retail_price}
    pricing.update({f"contract_price_{m}m": p for m, p in sorted(device.contract_prices.items())})
    return DeviceInfo(
        device_id=device.device_id,
        device_type=device.device_type,
        os_type=device.os_type,
        brand=device.brand,
        model=device.model,
        storage=f"{device.storage_gb}GB",
        specifications=device.specs,
        pricing=pricing,
        available_colors=device.colors,
        release_year=device.release_year,
        is_recommended=device.is_recommended,
    )


@tool
async def reserve_device(
    device_id: str,
    color: str,
    quantity: Annotated[int, Field(ge=1, le=10)],
    staff_id: Annotated[str, Field(min_length=1, max_length=32)],
    store_id: str | None = None,
    idempotency_key: Annotated[str | None, Field(max_length=64)] = None,
    hold_seconds: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 4 * 3600,
) -> Reservation:
    """預留設備庫存。Hold units of a device colour for a sale (default 4 hours). Give the staff's
    store_id to reserve there; reuse an idempotency_key to get the same reservation back instead
    of holding more. Errors: OUT_OF_STOCK, NOT_FOUND, INVALID_INPUT."""
    store = default_store()
    device = device_by_id(store, device_id)
    if color not in device.colors:
        raise InvalidInput(f"{device.model} 沒有「{color}」/ colour not offered: {device.colors}")
    if store_id is not None:
        store_id = store_id_checked(store, store_id)
    return reserve(
        store.path,
        device_id=device.device_id,
        color=color,
        quantity=quantity,
        staff_id=staff_id,
        store_id=store_id,
        idempotency_key=idempotency_key,
        hold=timedelta(seconds=hold_seconds),
    )


@tool
async def release_reservation(
    idempotency_key: Annotated[str, Field(min_length=1, max_length=64)],
) -> Reservation:
    """釋放設備預留。Give back a hold made by reserve_device with this idempotency_key, when the
    sale it was for cannot complete. Releasing twice returns the same released hold.
    Errors: NOT_FOUND."""
    return release(default_store().path, idempotency_key)


@read_tool
async def get_recommended_devices(
    os_type: Literal["android", "ios"],
    price_range: tuple[int, int] | None = None,
    customer_usage_pattern: UsagePattern | None = None,
    device_type: Literal["smartphone", "tablet", "wearable"] | None = None,
    store_id: str | None = None,
) -> list[Recommendation]:
    """推薦機種。Rank devices of one OS (and type) by the customer's usage, price range (NT$ min,
    max), the store's picks, freshness and stock (in `store_id` when given, else any store);
    each pick carries its units free to sell per colour."""
    if price_range is not None and price_range[0] > price_range[1]:
        raise InvalidInput("價格區間下限大於上限 / price_range min > max")
    store = default_store()
    if store_id is not None:
        store_id = store_id_checked(store, store_id)
    devices = store.devices(device_type=device_type, os_type=os_type)
    available: dict[str, dict[str, int]] = {}
    for row in stock_levels(store, store_id, [d.device_id for d in devices]):
        colours = available.setdefault(row.device_id, {})
        colours[row.color] = colours.get(row.color, 0) + row.available_quantity
    return recommend(
        devices, os_type, available, today().year, price_range, customer_usage_pattern, limit=10
    )


@read_tool
async def get_device_pricing(device_id: str, contract_period: int) -> DevicePricing:
    """設備在 24/30/36 期合約下的價格與分期。Device price with a 24, 30 or 36 month contract
    and the interest-free instalments for that period."""
    if contract_period not in CONTRACT_PERIODS:
        raise InvalidInput("合約期數需為 24、30 或 36 / contract_period must be 24, 30 or 36")
    device = device_by_id(default_store(), device_id)
    price = device.contract_prices[contract_period]
    return DevicePricing(
        device_id=device.device_id,
        retail_price=device.retail_price,
        contract_period=contract_period,
        contract_price=price,
        contract_prices={str(m): p for m, p in sorted(device.contract_prices.items())},
        installment_options=[
            Installment(
                period=contract_period,
                monthly_payment=-(-price // contract_period),
                total_payment=price,
            ),
            Installment(period=12, monthly_payment=-(-price // 12), total_payment=price),
        ],
    )
