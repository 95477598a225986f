"""Each read-only side-chat tool, reached by a realistic staff question through the real side
chat: renewal at step 8 (golden customer, plans on screen), real MCP servers, offline model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from graphs.renewal.flow import RenewalFlow
from graphs.renewal.steps import Step
from graphs.runtime import GraphRuntime
from graphs.side_chat.service import SideChat
from mcp_servers.backoffice.golden import GOLDEN

STAFF_ID, STORE = 2, "S001"


@dataclass
class Screen:
    chat: SideChat
    session_id: str
    plans: list[str]  # plan ids on screen, in display order


@pytest.fixture(scope="module")
async def screen(graph_runtime: GraphRuntime) -> AsyncIterator[Screen]:
    """One renewal waiting at step 8; the side chat answers each question on its own."""
    flow = RenewalFlow(graph_runtime.renewal, graph_runtime.sessions)
    view = await flow.start(STAFF_ID, STORE)
    session = view["session_id"]
    await flow.answer(session, Step.QUERY_CUSTOMER, {"id_number": GOLDEN.eligible.national_id})
    await flow.answer(session, Step.SELECT_PHONE, {"phone_number": GOLDEN.eligible.phone})
    await flow.answer(session, Step.SELECT_DEVICE_TYPE, {"device_type": "none"})
    view = await flow.answer(session, Step.LIST_PLANS, {})
    plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    assert len(plans) >= 3
    yield Screen(SideChat(graph_runtime.side_chat, flow), session, plans)


async def ask(screen: Screen, question: str) -> dict[str, Any]:
    events = [event async for event in screen.chat.stream(screen.session_id, question)]
    calls = [data for kind, data in events if kind == "tool"]
    results = [data for kind, data in events if kind == "tool_result"]
    return {"calls": calls, "results": results, "answer": events[-1][1]["content"]}


# (question, tool, what the answer must say); the plan letters are the plans on screen
CASES = [
    ("合約還剩幾個月？", "get_phone_details", ["到期", "個月"]),
    ("客戶名下還有其他門號嗎", "list_customer_phones", [GOLDEN.eligible.phone, "個門號"]),
    ("客戶符合方案 B 的資格嗎", "check_promotion_eligibility", ["資格"]),
    ("iPhone 17 Pro 還有銀色嗎", "query_device_stock", ["銀色", "台"]),
    ("i16 pro 螢幕多大", "get_device_info", ["iPhone 16 Pro", "吋"]),
    ("How much is the iPhone 17 on a 36-month contract?", "get_device_pricing", ["36", "NT$"]),
    ("推薦兩萬以下的安卓手機", "get_recommended_devices", ["推薦機種", "NT$"]),
    ("有送 Netflix 的方案嗎", "search_promotions", ["NT$"]),
    ("方案 A 有送什麼贈品", "get_plan_details", ["贈品", "月租"]),
    ("Compare plan A and plan C", "compare_plans", ["|", "NT$"]),
    ("换成第二个方案要多少钱？", "calculate_upgrade_cost", ["手續費", "NT$"]),
]


@pytest.mark.parametrize(("question", "tool", "must_say"), CASES)
async def test_a_staff_question_reaches_its_tool(
    screen: Screen, question: str, tool: str, must_say: list[str]
) -> None:
    reply = await ask(screen, question)

    assert [c["name"] for c in reply["calls"]] == [tool]
    assert [r["status"] for r in reply["results"]] == ["success"]
    missing = [word for word in must_say if word not in reply["answer"]]
    assert not missing, reply["answer"]
    assert GOLDEN.eligible.national_id not in reply["answer"]


async def test_plan_letters_are_the_plans_on_screen(screen: Screen) -> None:
    compared = await ask(screen, "Compare plan A and plan C")
    upgrade = await ask(screen, "換到第二個方案要補多少錢？")

    assert compared["calls"][0]["args"]["plan_ids"] == [screen.plans[0], screen.plans[2]]
    assert upgrade["calls"][0]["args"]["new_plan_id"] == screen.plans[1]


async def test_a_write_request_gets_no_call_and_says_why(screen: Screen) -> None:
    reply = await ask(screen, "幫我把 iPhone 17 Pro 預留一台給客人")

    assert reply["calls"] == []
    assert "只能查詢" in reply["answer"] and "比較方案" in reply["answer"]


async def test_a_question_it_cannot_route_is_answered_honestly(screen: Screen) -> None:
    reply = await ask(screen, "What's the weather like today?")

    assert reply["calls"] == []
    assert "can't answer that offline" in reply["answer"]
