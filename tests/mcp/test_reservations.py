"""reserve_device: atomic across server processes, expiring, idempotent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.errors import Conflict, OutOfStock
from mcp_servers.backoffice.golden import GOLDEN
from tools.mcp import McpToolbox

LAST = GOLDEN.last_unit


async def available(box: McpToolbox, device_id: str, color: str) -> int:
    rows = await box.call("query_device_stock", store_id="S001")
    return next(
        r["available_quantity"] for r in rows if (r["device_id"], r["color"]) == (device_id, color)
    )


def reserve_args(**changes: object) -> dict[str, object]:
    return {"device_id": LAST.device_id, "color": LAST.color, "quantity": 1,
            "staff_id": "E1001", "store_id": LAST.store_id, **changes}  # fmt: skip


async def test_two_processes_racing_for_the_last_unit_one_wins(
    fresh_backoffice: Path, toolbox: McpToolbox, http_toolbox: McpToolbox
) -> None:
    assert await available(toolbox, LAST.device_id, LAST.color) == 1
    results = await asyncio.gather(
        toolbox.call("reserve_device", **reserve_args()),
        http_toolbox.call("reserve_device", **reserve_args(staff_id="E1002")),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, OutOfStock)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert winners[0]["status"] == "reserved"
    assert await available(toolbox, LAST.device_id, LAST.color) == 0


async def test_sold_out_colour_is_out_of_stock(fresh_backoffice: Path, toolbox: McpToolbox) -> None:
    sold_out = GOLDEN.sold_out
    with pytest.raises(OutOfStock):
        await toolbox.call(
            "reserve_device", **reserve_args(device_id=sold_out.device_id, color=sold_out.color)
        )


async def test_expired_reservation_frees_its_stock(
    fresh_backoffice: Path, toolbox: McpToolbox
) -> None:
    first = await toolbox.call("reserve_device", **reserve_args(hold_seconds=1))
    assert await available(toolbox, LAST.device_id, LAST.color) == 0
    with pytest.raises(OutOfStock):
        await toolbox.call("reserve_device", **reserve_args())
    await asyncio.sleep(1.3)
    assert await available(toolbox, LAST.device_id, LAST.color) == 1
    second = await toolbox.call("reserve_device", **reserve_args())
    assert second["reservation_id"] != first["reservation_id"]


async def test_same_idempotency_key_returns_the_same_reservation(
    fresh_backoffice: Path, toolbox: McpToolbox, http_toolbox: McpToolbox
) -> None:
    device = GOLDEN.device
    args = reserve_args(device_id=device.device_id, color=device.color, idempotency_key="sale-42")
    before = await available(toolbox, device.device_id, device.color)
    first = await toolbox.call("reserve_device", **args)
    again = await http_toolbox.call("reserve_device", **args)
    assert again["reservation_id"] == first["reservation_id"]
    assert await available(toolbox, device.device_id, device.color) == before - 1
    with pytest.raises(Conflict):
        await toolbox.call("reserve_device", **{**args, "quantity": 2})
