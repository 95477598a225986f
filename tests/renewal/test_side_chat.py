"""The staff's side chat: tool choice with the offline model, and the workflow stays put."""

from __future__ import annotations

from typing import Any

import pytest

from graphs.renewal.steps import Step
from graphs.runtime import GraphRuntime
from graphs.side_chat.service import SideChat, SideChatClosed
from mcp_servers.backoffice.golden import GOLDEN
from tests.renewal.conftest import Journey


@pytest.fixture
def side_chat(graph_runtime: GraphRuntime, journey: Journey) -> SideChat:
    return SideChat(graph_runtime.side_chat, journey.flow)


async def ask(chat: SideChat, session_id: str, question: str) -> dict[str, Any]:
    events = [event async for event in chat.stream(session_id, question)]
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer"
    return {"events": events, **events[-1][1]}


async def at_select_plan(j: Journey) -> None:
    await j.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    await j.answer(Step.SELECT_PHONE, phone_number=GOLDEN.eligible.phone)
    await j.answer(Step.SELECT_DEVICE_TYPE, device_type="none")
    await j.answer(Step.LIST_PLANS)


async def test_side_chat_is_closed_before_step_5(side_chat: SideChat, journey: Journey) -> None:
    with pytest.raises(SideChatClosed):
        await ask(side_chat, journey.session_id, "這個門號用量多少？")


async def test_seed_example_compares_the_first_two_plans(
    side_chat: SideChat, journey: Journey
) -> None:
    await at_select_plan(journey)
    plans = [p["plan_id"] for p in journey.show["plans"]]
    assert len(plans) >= 2
    reply = await ask(side_chat, journey.session_id, "方案 A 和方案 B 有什麼差異？")
    assert reply["tool_calls"] == ["compare_plans"]
    tool_event = next(data for kind, data in reply["events"] if kind == "tool")
    assert tool_event["args"]["plan_ids"] == plans[:2]
    assert "|" in reply["content"]  # a Markdown table
    assert "離線" in reply["content"]
    assert (await journey.flow.view(journey.session_id))["current_step"] == "select_plan"


@pytest.mark.parametrize(
    ("question", "tool"),
    [
        ("這個門號這個月用量和帳單多少？", "get_phone_details"),
        ("有沒有吃到飽的優惠推薦？", "search_promotions"),
        ("How much would it cost to upgrade to the first plan?", "calculate_upgrade_cost"),
        ("iPhone 17 Pro 門市還有庫存嗎？", "query_device_stock"),
    ],
)
async def test_offline_model_picks_the_matching_tool(
    side_chat: SideChat, journey: Journey, question: str, tool: str
) -> None:
    await at_select_plan(journey)
    reply = await ask(side_chat, journey.session_id, question)
    assert reply["tool_calls"] == [tool]
    results = [data for kind, data in reply["events"] if kind == "tool_result"]
    assert results and results[0]["status"] == "success", results


async def test_side_chat_keeps_its_own_history(side_chat: SideChat, journey: Journey) -> None:
    await at_select_plan(journey)
    await ask(side_chat, journey.session_id, "方案 A 和方案 B 有什麼差異？")
    await ask(side_chat, journey.session_id, "有沒有吃到飽的優惠推薦？")
    history = await side_chat.history(journey.session_id)
    assert [m["role"] for m in history].count("human") == 2
    renewal_state = await journey.flow.graph.aget_state(journey.flow.config(journey.session_id))
    assert "messages" not in renewal_state.values


async def test_every_model_call_writes_a_usage_row(
    side_chat: SideChat, journey: Journey, graph_runtime: GraphRuntime
) -> None:
    from sqlalchemy import select

    from core.db.models.renewal import AiUsageLog

    await at_select_plan(journey)
    plans = [p["plan_id"] for p in journey.show["plans"]]
    await journey.answer(Step.SELECT_PLAN, compare=plans[:2])
    await ask(side_chat, journey.session_id, "方案 A 和方案 B 有什麼差異？")
    async with graph_runtime.sessions() as db:
        rows = (await db.scalars(select(AiUsageLog).where(
            AiUsageLog.session_id == journey.session_id))).all()  # fmt: skip
    kinds = sorted(r.usage_type for r in rows)
    # one comparison narrative; the side chat calls the model twice (tool call, then answer)
    assert kinds == ["comparison", "free_chat", "free_chat"]
    assert all(r.prompt_tokens > 0 and r.completion_tokens > 0 for r in rows)
    assert all(r.staff_id == 2 for r in rows)
