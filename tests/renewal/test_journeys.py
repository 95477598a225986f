"""Every branch of the renewal flow, as a staff member would click through it."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from core.db.models.renewal import CustomerServiceLog, RenewalRecord
from core.errors import InvalidInput, OutOfStock, WrongStep
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.steps import Step
from graphs.runtime import GraphRuntime
from mcp_servers.backoffice.golden import GOLDEN
from tests.renewal.conftest import Journey

pytestmark = pytest.mark.usefixtures("fresh_backoffice")


async def record(runtime: GraphRuntime, session_id: str) -> RenewalRecord:
    async with runtime.sessions() as db:
        found = await db.scalar(select(RenewalRecord).where(RenewalRecord.session_id == session_id))
        assert found is not None
        return found


async def to_device_type(j: Journey, phone: str = GOLDEN.eligible.phone) -> None:
    await j.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    await j.answer(Step.SELECT_PHONE, phone_number=phone)


async def test_start_waits_for_the_national_id(journey: Journey) -> None:
    assert journey.step == "query_customer"
    waiting = journey.view["waiting"]
    assert waiting["step_number"] == 1
    assert "id_number" in waiting["input_schema"]["properties"]


async def test_non_customer_gets_a_polite_notice_and_the_flow_ends(
    journey: Journey, graph_runtime: GraphRuntime
) -> None:
    view = await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.not_customer)
    assert view["current_step"] is None
    assert view["outcome"] == "not_customer"
    assert "不提供新申辦" in view["notice"]


async def test_invalid_national_id_is_refused_and_the_step_keeps_waiting(journey: Journey) -> None:
    with pytest.raises(InvalidInput, match="檢查碼"):
        await journey.answer(Step.QUERY_CUSTOMER, id_number="A123456788")
    view = await journey.flow.view(journey.session_id)
    assert view["current_step"] == "query_customer"
    await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    assert journey.step == "select_phone"


async def test_customer_is_shown_masked_with_line_cards(journey: Journey) -> None:
    await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    assert journey.show["customer"]["id_number"] == "A12****789"
    numbers = [p["phone_number"] for p in journey.show["phones"]]
    assert set(numbers) == {GOLDEN.eligible.phone, GOLDEN.eligible_second_phone}
    snapshot = await journey.flow.graph.aget_state(journey.flow.config(journey.session_id))
    assert GOLDEN.eligible.national_id not in str(snapshot.values)  # never checkpointed in clear


async def test_ineligible_line_shows_every_reason_and_can_be_abandoned(
    journey: Journey, graph_runtime: GraphRuntime
) -> None:
    await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.debt.national_id)
    view = await journey.answer(Step.SELECT_PHONE, phone_number=GOLDEN.debt.phone)
    assert view["current_step"] == "select_phone"  # still choosing a line
    error = view["waiting"]["error"]
    assert error["code"] == "NOT_ELIGIBLE"
    reasons = error["eligibility"]["single"]["reasons"]
    assert [r["code"] for r in reasons] == ["OUTSTANDING_BALANCE"]
    assert "繳清" in reasons[0]["remedy"]
    done = await journey.answer(Step.SELECT_PHONE, action="abandon", reason="customer will pay")
    assert done["outcome"] == "abandoned"
    assert (await record(graph_runtime, journey.session_id)).status == "abandoned"


def tool_calls(tool: str) -> float:
    return sum(
        REGISTRY.get_sample_value("switchboard_mcp_tool_calls_total", {"tool": tool, "outcome": o})
        or 0.0
        for o in ("ok", "refused", "unavailable")
    )


async def test_each_answer_calls_its_tools_once_however_many_were_refused_before(
    journey: Journey,
) -> None:
    """A refused answer must not be replayed (with its tool calls) by the next answer."""
    await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.debt.national_id)
    before = tool_calls("check_renewal_eligibility")
    for attempt in range(1, 5):
        view = await journey.answer(Step.SELECT_PHONE, phone_number=GOLDEN.debt.phone)
        assert view["waiting"]["error"]["code"] == "NOT_ELIGIBLE"
        # single + with_device, once per attempt (a replaying node would make 2, 4, 6, 8 more)
        assert tool_calls("check_renewal_eligibility") - before == 2 * attempt
    done = await journey.answer(Step.SELECT_PHONE, action="abandon")
    assert done["outcome"] == "abandoned"
    assert tool_calls("check_renewal_eligibility") - before == 8


async def test_line_of_another_customer_is_refused(journey: Journey) -> None:
    await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    with pytest.raises(InvalidInput, match="不屬於"):
        await journey.answer(Step.SELECT_PHONE, phone_number=GOLDEN.debt.phone)


async def test_answer_for_another_step_is_wrong_step(journey: Journey) -> None:
    with pytest.raises(WrongStep) as caught:
        await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="none")
    assert caught.value.details["current_step"] == "query_customer"


@pytest.mark.parametrize(
    "value",
    [{"device_type": "laptop"}, {"foo": 1}, {"device_type": "none", "extra": True}],
)
async def test_wrong_resume_value_is_refused_and_nothing_moves(
    journey: Journey, value: dict[str, object]
) -> None:
    await to_device_type(journey)
    with pytest.raises(InvalidInput):
        await journey.flow.answer(journey.session_id, Step.SELECT_DEVICE_TYPE, value)
    view = await journey.flow.view(journey.session_id)
    assert view["current_step"] == "select_device_type"
    assert view["selections"]["renewal_type"] is None


async def test_plain_renewal_skips_devices_and_completes(
    journey: Journey, graph_runtime: GraphRuntime
) -> None:
    await to_device_type(journey)
    assert journey.show["device_allowed"] is True
    await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="none")
    assert journey.step == "list_plans"
    await journey.answer(Step.LIST_PLANS)
    assert journey.step == "select_plan"
    plans = journey.show["plans"]
    checks = journey.show["checks"]
    assert plans and len(checks) <= 5
    assert {p["plan_id"] for p in plans} == {c["promotion_id"] for c in checks if c["is_qualified"]}
    assert all(not c["reasons"] for c in checks if c["is_qualified"])
    await journey.answer(Step.SELECT_PLAN, plan_id=plans[0]["plan_id"])
    summary = journey.show["summary"]
    assert summary["device"] is None
    assert summary["costs"]["upfront_payment"] == 0
    assert summary["customer"]["id_number"] == "A12****789"
    await journey.answer(Step.CONFIRM, confirmed=True)
    done = await journey.answer(Step.SUBMIT, submit=True)
    assert done["outcome"] == "completed"
    assert done["selections"]["submission"]["reservation"] is None
    row = await record(graph_runtime, journey.session_id)
    assert (row.status, row.is_sale_confirmed) == ("completed", True)


async def stock_of(runtime: GraphRuntime, device_id: str, color: str) -> int:
    rows = await runtime.toolbox.call("query_device_stock", store_id="S001")
    return next(r["available_quantity"] for r in rows
                if (r["device_id"], r["color"]) == (device_id, color))  # fmt: skip


async def test_renewal_with_device_compares_plans_reserves_and_records(
    journey: Journey, graph_runtime: GraphRuntime
) -> None:
    device = GOLDEN.device
    before = await stock_of(graph_runtime, device.device_id, device.color)
    await to_device_type(journey)
    await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="smartphone")
    await journey.answer(Step.SELECT_DEVICE_OS, os_type="ios")
    cards = {d["device_id"]: d for d in journey.show["devices"]}
    assert device.device_id in cards
    stock = await graph_runtime.toolbox.call("query_device_stock", store_id="S001")
    units = {(r["device_id"], r["color"]): r["available_quantity"] for r in stock}
    for card in cards.values():  # each card's colours show this store's free units
        assert [c["available"] for c in card["colors"]] == [
            units.get((card["device_id"], c["color"]), 0) for c in card["colors"]]  # fmt: skip
        assert card["in_stock"] == any(c["available"] for c in card["colors"])
    assert any(d["is_recommended"] for d in cards.values())
    assert all(d["brand"] == "Apple" for d in cards.values())
    await journey.answer(Step.SELECT_DEVICE, device_id=device.device_id, color=device.color)
    await journey.answer(Step.LIST_PLANS)
    plans = [p["plan_id"] for p in journey.show["plans"]]
    assert len(plans) >= 2, journey.show["checks"]
    await journey.answer(Step.SELECT_PLAN, compare=plans[:2])
    assert journey.step == "select_plan"
    comparison = journey.show["comparison"]
    assert comparison["recommendation"]["best_for_customer"] in plans[:2]
    assert "離線" in comparison["narrative"]  # the offline model says who answered
    await journey.answer(
        Step.SELECT_PLAN, plan_id=comparison["recommendation"]["best_for_customer"]
    )
    costs = journey.show["summary"]["costs"]
    assert costs["device_contract_price"] > 0
    await journey.answer(Step.CONFIRM, confirmed=True)
    done = await journey.answer(Step.SUBMIT, submit=True)
    reservation = done["selections"]["submission"]["reservation"]
    assert reservation["status"] == "reserved"
    assert await stock_of(graph_runtime, device.device_id, device.color) == before - 1
    async with graph_runtime.sessions() as db:
        logs = (await db.scalars(select(CustomerServiceLog).where(
            CustomerServiceLog.session_id == journey.session_id))).all()  # fmt: skip
    assert [log.action for log in logs] == ["renewal_submitted"]


async def test_going_back_changes_the_device_and_clears_later_choices(journey: Journey) -> None:
    await to_device_type(journey)
    await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="smartphone")
    await journey.answer(Step.SELECT_DEVICE_OS, os_type="ios")
    await journey.answer(Step.SELECT_DEVICE, device_id=GOLDEN.device.device_id,
                         color=GOLDEN.device.color)  # fmt: skip
    await journey.answer(Step.LIST_PLANS)
    assert set(journey.view["waiting"]["back_to"]) >= {"select_phone", "select_device"}
    with pytest.raises(InvalidInput, match="cannot go back"):
        await journey.answer(Step.SELECT_PLAN, action="back", to="select_plan")
    view = await journey.answer(Step.SELECT_PLAN, action="back", to="select_device_os")
    assert view["current_step"] == "select_device_os"
    assert view["selections"]["selected_device"] is None
    await journey.answer(Step.SELECT_DEVICE_OS, os_type="android")
    android = GOLDEN.android_device
    assert android.device_id in {d["device_id"] for d in journey.show["devices"]}
    await journey.answer(Step.SELECT_DEVICE, device_id=android.device_id, color=android.color)
    assert journey.view["selections"]["selected_device"]["device_id"] == android.device_id


async def test_sold_out_colour_is_refused_at_step_7(journey: Journey) -> None:
    await to_device_type(journey)
    await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="smartphone")
    await journey.answer(Step.SELECT_DEVICE_OS, os_type="ios")
    sold_out = GOLDEN.sold_out
    cards = {d["device_id"]: d for d in journey.show["devices"]}
    if sold_out.device_id not in cards:
        pytest.skip("sold-out device not among the recommendations")
    with pytest.raises(OutOfStock):
        await journey.answer(Step.SELECT_DEVICE, device_id=sold_out.device_id,
                             color=sold_out.color)  # fmt: skip
    assert (await journey.flow.view(journey.session_id))["current_step"] == "select_device"


async def test_blacklisted_line_cannot_renew(flow: RenewalFlow) -> None:
    j = Journey(flow)
    await j.start()
    await j.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.blacklisted.national_id)
    view = await j.answer(Step.SELECT_PHONE, phone_number=GOLDEN.blacklisted.phone)
    codes = [r["code"] for r in view["waiting"]["error"]["eligibility"]["single"]["reasons"]]
    assert codes == ["BLACKLISTED"]


async def test_list_plans_reads_only_the_promotions_the_earlier_steps_did_not(
    journey: Journey,
) -> None:
    """Step 4 read the line and both renewal types' eligibility: step 8 reports them from the
    state and spends its calls on the search and the two batch checks only."""
    tools = ("get_phone_details", "check_renewal_eligibility", "search_promotions",
             "check_promotion_eligibility_batch", "get_plan_details_batch")  # fmt: skip
    await to_device_type(journey)
    await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="none")
    before = {tool: tool_calls(tool) for tool in tools}
    await journey.answer(Step.LIST_PLANS)
    made = {tool: tool_calls(tool) - before[tool] for tool in tools}
    assert made == {"get_phone_details": 0, "check_renewal_eligibility": 0,
                    "search_promotions": 1, "check_promotion_eligibility_batch": 1,
                    "get_plan_details_batch": 1}  # fmt: skip
    assert journey.show["plans"]
