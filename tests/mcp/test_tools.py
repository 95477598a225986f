"""All eighteen back-office tools through real MCP transports (stdio and streamable HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import InvalidInput, NotFound
from mcp_servers.backoffice.golden import GOLDEN
from tools.mcp import McpToolbox

TOOLS = {
    "get_customer", "list_customer_phones", "get_phone_details", "check_renewal_eligibility",
    "check_promotion_eligibility", "query_device_stock", "get_device_info", "reserve_device",
    "get_recommended_devices", "get_device_pricing", "search_promotions", "get_plan_details",
    "compare_plans", "calculate_upgrade_cost",
    "check_promotion_eligibility_batch", "get_plan_details_batch", "record_renewal",
    "release_reservation",
}  # fmt: skip


def test_eighteen_tools_are_loaded_as_langchain_tools(toolbox: McpToolbox) -> None:
    tools = toolbox.langchain_tools()
    assert {t.name for t in tools} == TOOLS
    assert all(t.description for t in tools)


async def test_customer_lookup_masks_the_national_id(any_toolbox: McpToolbox) -> None:
    customer = await any_toolbox.call("get_customer", id_number=GOLDEN.eligible.national_id)
    assert customer["customer_id"] == GOLDEN.eligible.customer_id
    assert customer["name"] == GOLDEN.eligible.name
    assert customer["id_number"] == "A12****789"


@pytest.mark.parametrize(
    ("id_number", "error"),
    [
        (GOLDEN.not_customer, NotFound),
        ("A123456788", InvalidInput),  # bad checksum
        ("1234567890", InvalidInput),  # bad format
        ("", InvalidInput),
    ],
)
async def test_customer_lookup_errors_carry_codes(
    any_toolbox: McpToolbox, id_number: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await any_toolbox.call("get_customer", id_number=id_number)


async def test_wrong_argument_types_are_invalid_input(any_toolbox: McpToolbox) -> None:
    with pytest.raises(InvalidInput, match="id_number"):
        await any_toolbox.call("get_customer", id_number=12345)
    with pytest.raises(InvalidInput):
        await any_toolbox.call("list_customer_phones")


async def test_phone_cards_and_details(any_toolbox: McpToolbox) -> None:
    cards = await any_toolbox.call("list_customer_phones", customer_id=GOLDEN.eligible.customer_id)
    by_number = {c["phone_number"]: c for c in cards}
    main = by_number[GOLDEN.eligible.phone]
    assert main["days_until_expiry"] == 30
    assert main["contract_status"] == "expiring"
    assert main["is_eligible_for_renewal"] is True
    assert by_number[GOLDEN.eligible_second_phone]["is_eligible_for_renewal"] is False
    details = await any_toolbox.call("get_phone_details", phone_number=GOLDEN.eligible.phone)
    assert details["contract_info"]["plan_id"] == GOLDEN.eligible.plan_id
    assert details["billing_info"]["outstanding_balance"] == 0
    assert set(details["usage_info"]) >= {"data_used_gb", "voice_used_minutes"}
    with pytest.raises(InvalidInput):
        await any_toolbox.call("get_phone_details", phone_number="12345")
    with pytest.raises(NotFound):
        await any_toolbox.call("get_phone_details", phone_number="0900000000")


@pytest.mark.parametrize(
    ("phone", "renewal_type", "eligible", "codes"),
    [
        (GOLDEN.eligible.phone, "with_device", True, []),
        (GOLDEN.debt.phone, "single", False, ["OUTSTANDING_BALANCE"]),
        (GOLDEN.blacklisted.phone, "single", False, ["BLACKLISTED"]),
        (GOLDEN.far_expiry.phone, "single", False, ["CONTRACT_NOT_DUE"]),
    ],
)
async def test_renewal_eligibility_of_the_golden_lines(
    any_toolbox: McpToolbox, phone: str, renewal_type: str, eligible: bool, codes: list[str]
) -> None:
    result = await any_toolbox.call(
        "check_renewal_eligibility", phone_number=phone, renewal_type=renewal_type
    )
    assert result["is_eligible"] is eligible
    assert [r["code"] for r in result["reasons"]] == codes
    assert all(r["remedy"] for r in result["reasons"])


async def test_promotion_eligibility_follows_identity_rules(any_toolbox: McpToolbox) -> None:
    student = await any_toolbox.call(
        "check_promotion_eligibility",
        phone_number=GOLDEN.student.phone,
        promotion_id=GOLDEN.student_plan_id,
    )
    assert student["is_qualified"] is True
    adult = await any_toolbox.call(
        "check_promotion_eligibility",
        phone_number=GOLDEN.eligible.phone,
        promotion_id=GOLDEN.student_plan_id,
    )
    assert adult["is_qualified"] is False
    assert "required_identity" in {m["requirement"] for m in adult["missing_requirements"]}
    with pytest.raises(NotFound):
        await any_toolbox.call(
            "check_promotion_eligibility", phone_number=GOLDEN.student.phone, promotion_id="P999"
        )


async def test_batch_twins_answer_as_their_single_calls_in_the_order_asked(
    any_toolbox: McpToolbox,
) -> None:
    phone, ids = GOLDEN.eligible.phone, [GOLDEN.student_plan_id, GOLDEN.eligible.plan_id, "P004"]
    checks = await any_toolbox.call(
        "check_promotion_eligibility_batch", phone_number=phone, promotion_ids=ids
    )
    singles = [
        await any_toolbox.call("check_promotion_eligibility", phone_number=phone, promotion_id=i)
        for i in ids
    ]
    assert checks == singles
    assert [c["promotion_id"] for c in checks] == ids
    assert len({c["is_qualified"] for c in checks}) == 2  # the batch is not one verdict copied
    plans = await any_toolbox.call("get_plan_details_batch", plan_ids=ids[::-1])
    assert plans == [await any_toolbox.call("get_plan_details", plan_id=i) for i in ids[::-1]]
    with pytest.raises(NotFound, match="P999"):
        await any_toolbox.call(
            "check_promotion_eligibility_batch", phone_number=phone, promotion_ids=["P004", "P999"]
        )
    with pytest.raises(NotFound, match="P999"):
        await any_toolbox.call("get_plan_details_batch", plan_ids=["P999"])


async def test_device_tools(any_toolbox: McpToolbox) -> None:
    stock = await any_toolbox.call("query_device_stock", store_id="S001", brand="Apple")
    assert stock and all(row["brand"] == "Apple" for row in stock)
    assert all(
        row["available_quantity"] == row["stock_quantity"] - row["reserved_quantity"]
        for row in stock
    )
    info = await any_toolbox.call("get_device_info", device_id=GOLDEN.device.device_id)
    assert GOLDEN.device.color in info["available_colors"]
    pricing = await any_toolbox.call(
        "get_device_pricing", device_id=GOLDEN.device.device_id, contract_period=30
    )
    assert pricing["contract_price"] == pricing["contract_prices"]["30"]
    assert pricing["contract_price"] < pricing["retail_price"]
    with pytest.raises(InvalidInput, match="24"):
        await any_toolbox.call(
            "get_device_pricing", device_id=GOLDEN.device.device_id, contract_period=12
        )
    picks = await any_toolbox.call(
        "get_recommended_devices",
        os_type="ios",
        price_range=[20000, 50000],
        customer_usage_pattern={"data_gb_per_month": 80, "priorities": ["camera"]},
        store_id="S001",
    )
    assert picks and all(p["brand"] == "Apple" for p in picks)
    scores = [p["recommendation_score"] for p in picks]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(InvalidInput):
        await any_toolbox.call("get_recommended_devices", os_type="symbian")
    with pytest.raises(NotFound):
        await any_toolbox.call("query_device_stock", store_id="S999")


async def test_promotion_tools(any_toolbox: McpToolbox) -> None:
    hits = await any_toolbox.call(
        "search_promotions",
        query="學生 吃到飽",
        customer_context={"identities": ["student"], "renewal_type": "single"},
    )
    assert 1 <= len(hits) <= 5
    assert GOLDEN.student_plan_id in [h["promotion_id"] for h in hits]
    details = await any_toolbox.call("get_plan_details", plan_id=GOLDEN.student_plan_id)
    assert details["features"]["data"] == "unlimited"
    comparison = await any_toolbox.call(
        "compare_plans",
        plan_ids=[GOLDEN.eligible.plan_id, GOLDEN.student_plan_id],
        customer_usage={"data_gb_per_month": 40},
    )
    assert len(comparison["comparison_table"]["headers"]) == 3
    assert comparison["recommendation"]["best_for_customer"] in {
        GOLDEN.eligible.plan_id, GOLDEN.student_plan_id,
    }  # fmt: skip
    cost = await any_toolbox.call(
        "calculate_upgrade_cost",
        current_plan_id="P004",
        new_plan_id=GOLDEN.eligible.plan_id,
        remaining_contract_months=3,
    )
    assert cost["total_cost"] == (
        cost["upgrade_fee"] + cost["prorated_cost"] + cost["early_termination_charge"]
    )


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("compare_plans", {"plan_ids": []}),
        ("compare_plans", {"plan_ids": ["P001"]}),
        ("calculate_upgrade_cost",
         {"current_plan_id": "P001", "new_plan_id": "P002", "remaining_contract_months": -1}),
        ("search_promotions", {"query": ""}),
        ("get_plan_details_batch", {"plan_ids": []}),
        ("get_plan_details_batch", {"plan_ids": ["P001"] * 21}),
        ("check_promotion_eligibility_batch",
         {"phone_number": "0912345678", "promotion_ids": []}),
        ("search_promotions", {"query": "5G", "top_k": 0}),
        ("reserve_device",
         {"device_id": "D003", "color": "宇宙橙色", "quantity": 0, "staff_id": "E1001"}),
        ("reserve_device",
         {"device_id": "D003", "color": "螢光粉", "quantity": 1, "staff_id": "E1001"}),
    ],
)  # fmt: skip
async def test_bad_arguments_are_refused_with_invalid_input(
    any_toolbox: McpToolbox, tool: str, arguments: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput):
        await any_toolbox.call(tool, **arguments)


async def test_langchain_tool_returns_error_message_instead_of_raising(
    toolbox: McpToolbox,
) -> None:
    tool = next(t for t in toolbox.langchain_tools(["get_customer"]))
    message = await tool.ainvoke(
        {"type": "tool_call", "id": "call-1", "name": "get_customer",
         "args": {"id_number": GOLDEN.not_customer}}
    )  # fmt: skip
    assert message.status == "error"
    assert "NOT_FOUND" in str(message.content)
