"""The offline model: intents → tool calls, tool results → Markdown answers, streaming, agents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool
from langgraph.prebuilt import create_react_agent

from core.settings import Settings
from prompts import load_prompt
from tools.llm import ListUsageSink, build_chat_model, dump_context
from tools.llm.offline_detect import detect_intent

from .offline_data import COMPARISON, CONTEXT, CUSTOMER, UPGRADE, USAGE, model

TOOL_NAMES = (
    "compare_plans",
    "get_phone_details",
    "search_promotions",
    "calculate_upgrade_cost",
    "query_device_stock",
    "get_plan_details",
)


def compare(*plan_ids: str) -> dict[str, Any]:
    return {"plan_ids": list(plan_ids), "customer_usage": USAGE}


INTENT_CASES = [
    # the seed's example: 方案 A / B = first and second candidate plans
    ("方案 A 和方案 B 有什麼差異？", "compare_plans", compare("P010", "P011")),
    ("方案A跟B差在哪", "compare_plans", compare("P010", "P011")),
    ("比較第一個和第三個方案", "compare_plans", compare("P010", "P012")),
    ("P012 跟目前方案比較一下", "compare_plans", compare("P012", "P001")),
    ("比較 5G 吃到飽 1399 和 學生 599", "compare_plans", compare("P010", "P012")),
    ("幫我比較這些方案", "compare_plans", compare("P010", "P011", "P012")),
    ("What's the difference between plan A and plan C?", "compare_plans", compare("P010", "P012")),
    ("Compare P011 with the current plan", "compare_plans", compare("P011", "P001")),
    ("方案 A 和方案 B 的月租費用差多少", "compare_plans", compare("P010", "P011")),
    ("這個門號的用量和帳單", "get_phone_details", {"phone_number": "0912345678"}),
    ("查一下 0987654321 的合約到期日", "get_phone_details", {"phone_number": "0987654321"}),
    ("Show the usage and bill for this line", "get_phone_details", {"phone_number": "0912345678"}),
    (
        "推薦吃到飽的優惠",
        "search_promotions",
        {"query": "推薦吃到飽的優惠", "top_k": 5, "customer_context": CUSTOMER},
    ),
    (
        "Recommend an unlimited data promotion",
        "search_promotions",
        {
            "query": "Recommend an unlimited data promotion",
            "top_k": 5,
            "customer_context": CUSTOMER,
        },
    ),
    ("升級到方案 A 要多少費用？", "calculate_upgrade_cost", {**UPGRADE, "new_plan_id": "P010"}),
    (
        "升級費用差多少，剩 3 個月",
        "calculate_upgrade_cost",
        {**UPGRADE, "new_plan_id": "P011", "remaining_contract_months": 3},
    ),
    (
        "How much does it cost to upgrade to plan C?",
        "calculate_upgrade_cost",
        {**UPGRADE, "new_plan_id": "P012"},
    ),
    (
        "iPhone 16 Pro 還有貨嗎？",
        "query_device_stock",
        {"store_id": "S001", "device_model": "iPhone 16 Pro"},
    ),
    ("三星的手機有庫存嗎", "query_device_stock", {"store_id": "S001", "brand": "Samsung"}),
    (
        "Is the Galaxy S25 Ultra in stock?",
        "query_device_stock",
        {"store_id": "S001", "device_model": "Galaxy S25 Ultra"},
    ),
    ("庫存還有嗎", "query_device_stock", {"store_id": "S001", "device_model": "iPhone 16 Pro"}),
    ("方案 B 的內容是什麼", "get_plan_details", {"plan_id": "P011"}),
    ("方案 C 月租多少", "get_plan_details", {"plan_id": "P012"}),
]


def fake_tool(name: str, result: Any) -> StructuredTool:
    """A plain LangChain tool standing in for an MCP tool (same name, canned JSON result)."""

    def run(**kwargs: Any) -> str:
        return json.dumps(result, ensure_ascii=False)

    schema = {"type": "object", "properties": {}, "additionalProperties": True}
    return StructuredTool.from_function(
        func=run, name=name, description=f"fake {name}", args_schema=schema
    )


TOOLS = [fake_tool(name, COMPARISON if name == "compare_plans" else {}) for name in TOOL_NAMES]


def conversation(question: str, context: dict[str, Any] | None = None) -> list[BaseMessage]:
    prompt = load_prompt("free_chat_system", "v1")
    system = prompt.format_messages(
        context_json=dump_context(context or CONTEXT), today="2026-03-02", history=[]
    )
    return [*system, HumanMessage(question)]


@pytest.mark.parametrize(("question", "tool", "args"), INTENT_CASES)
def test_question_becomes_the_expected_tool_call(question: str, tool: str, args: dict[str, Any]):
    message = model().bind_tools(TOOLS).invoke(conversation(question))

    assert message.content == ""
    [call] = message.tool_calls
    assert (call["name"], call["args"]) == (tool, args)
    assert call["id"] and call["id"].startswith("call_")


@pytest.mark.parametrize("question", ["今天天氣如何", "hello there"])
def test_unrecognised_question_gets_help(question: str):
    message = model().bind_tools(TOOLS).invoke(conversation(question))

    assert message.tool_calls == []
    assert "比較方案" in message.content or "compare plans" in message.content


def test_tool_call_ids_are_deterministic():
    first = model().bind_tools(TOOLS).invoke(conversation("方案 A 和方案 B 有什麼差異？"))
    again = model().bind_tools(TOOLS).invoke(conversation("方案 A 和方案 B 有什麼差異？"))

    assert first.tool_calls[0]["id"] == again.tool_calls[0]["id"]


def test_v2_prompt_context_is_read_too():
    system = load_prompt("free_chat_system", "v2").format_messages(
        context_json=dump_context(CONTEXT), today="2026-03-02", history=[]
    )
    message = (
        model().bind_tools(TOOLS).invoke([*system, HumanMessage("方案 A 和方案 B 有什麼差異？")])
    )

    assert message.tool_calls[0]["args"]["plan_ids"] == ["P010", "P011"]


def test_missing_context_asks_instead_of_guessing():
    message = (
        model().bind_tools(TOOLS).invoke(conversation("升級要多少費用？", {"store_id": "S001"}))
    )

    assert message.tool_calls == []
    assert "目前方案" in message.content and "（離線助理）" in message.content


def test_tools_not_bound_or_refused_give_no_call():
    unbound = model().invoke(conversation("方案 A 和方案 B 有什麼差異？"))
    refused = model().bind_tools(TOOLS, tool_choice="none").invoke(conversation("方案 A 和 B 比較"))

    assert unbound.tool_calls == [] and "方案比較" in unbound.content
    assert "compare_plans" not in unbound.content  # tool ids are internal
    assert refused.tool_calls == []


def answer_turn(question: str, result: Any, **tool_message: Any) -> list[BaseMessage]:
    messages = conversation(question)
    call = model().bind_tools(TOOLS).invoke(messages)
    content = tool_message.pop("content", json.dumps(result, ensure_ascii=False))
    reply = ToolMessage(content, tool_call_id=call.tool_calls[0]["id"], **tool_message)
    return [*messages, call, reply]


def test_comparison_result_renders_a_markdown_table():
    answer = (
        model().bind_tools(TOOLS).invoke(answer_turn("方案 A 和方案 B 有什麼差異？", COMPARISON))
    )

    text = str(answer.content)
    assert answer.tool_calls == []
    assert text.startswith("（離線助理）")
    assert (
        "| 項目 | 5G 吃到飽 1399 | 5G 輕量 799 |\n|---|---|---|\n| 月租費 | NT$1,399 | NT$799 |"
        in text
    )
    assert "**建議**：5G 吃到飽 1399（P010） — 足以涵蓋每月 45GB 的用量" in text
    assert "- 5G 輕量 799：月租 NT$799，預估每月加購 NT$0，年費 NT$9,588，不足以涵蓋用量" in text


def test_english_question_gets_an_english_answer():
    messages = answer_turn("What's the difference between plan A and plan B?", COMPARISON)
    answer = model().bind_tools(TOOLS).invoke(messages)

    assert str(answer.content).startswith("(offline assistant) Here is how the plans compare")
    assert "**Recommendation**: 5G 吃到飽 1399（P010）" in str(answer.content)


def test_mcp_content_blocks_and_artifacts_are_read():
    line = {
        "phone_number": "0912345678",
        "plan_name": "4G 精省 499",
        "monthly_fee": 499,
        "contract_end": "2026-05-31",
        "data_used_gb": 41.5,
    }
    blocks = [{"type": "text", "text": json.dumps(line, ensure_ascii=False)}]
    from_blocks = answer_turn("這個門號的用量", None, content=blocks)
    from_artifact = answer_turn(
        "這個門號的用量", None, content="(see artifact)", artifact={"structured_content": line}
    )

    for messages in (from_blocks, from_artifact):
        text = str(model().bind_tools(TOOLS).invoke(messages).content)
        assert (
            "門號資料" in text
            and "| 月租費 | NT$499 |" in text
            and "| 合約到期日 | 2026-05-31 |" in text
        )


def test_list_results_and_errors_render():
    stock = {
        "result": [
            {"device_id": "D001", "model": "iPhone 16 Pro", "color": "黑", "quantity": 2},
            {"device_id": "D001", "model": "iPhone 16 Pro", "color": "白", "quantity": 1},
        ]
    }
    stocked = model().invoke(answer_turn("iPhone 16 Pro 還有貨嗎？", stock))
    failed = model().invoke(
        answer_turn("這個門號的帳單", None, content="門號不存在", status="error")
    )

    assert "| 裝置代碼 | 型號 | 顏色 | 數量 |" in str(stocked.content)
    assert "合計 3 台" in str(stocked.content)
    assert "門號資料查詢失敗：門號不存在" in str(failed.content)
    assert "get_phone_details" not in str(failed.content)  # tool ids are internal


async def test_streaming_yields_chunks_that_join_to_the_answer():
    messages = answer_turn("方案 A 和方案 B 有什麼差異？", COMPARISON)
    bound = model().bind_tools(TOOLS)

    chunks = [chunk async for chunk in bound.astream(messages)]
    whole = await bound.ainvoke(messages)

    assert len([c for c in chunks if c.content]) > 5
    assert "".join(str(c.content) for c in chunks) == whole.content
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.usage_metadata == whole.usage_metadata
    assert total.usage_metadata is not None and total.usage_metadata["input_tokens"] > 0


async def test_streamed_tool_call_aggregates():
    chunks = [c async for c in model().bind_tools(TOOLS).astream(conversation("方案 A 和 B 比較"))]
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk

    assert total.tool_calls[0]["name"] == "compare_plans"
    assert total.tool_calls[0]["args"]["plan_ids"] == ["P010", "P011"]


async def test_react_agent_runs_the_tool_loop_and_records_usage():
    sink = ListUsageSink()
    llm = build_chat_model(
        Settings(_env_file=None),
        usage_type="free_chat",
        sink=sink,  # type: ignore[call-arg]
        staff_id=3,
        session_id="renewal-1",
    )
    agent = create_react_agent(llm, TOOLS)

    state = await agent.ainvoke({"messages": conversation("方案 A 和方案 B 有什麼差異？")})

    kinds = [type(m).__name__ for m in state["messages"][-3:]]
    assert kinds == ["AIMessage", "ToolMessage", "AIMessage"]
    assert state["messages"][-2].name == "compare_plans"
    assert "| 項目 | 5G 吃到飽 1399 | 5G 輕量 799 |" in state["messages"][-1].content
    assert [r.model for r in sink.records] == ["offline", "offline"]
    assert all(r.prompt_tokens > 0 and r.completion_tokens > 0 for r in sink.records)
    assert all(r.cost == 0 and r.staff_id == 3 for r in sink.records)


def test_intent_without_tool_filter_matches_the_table():
    intent = detect_intent("方案 A 和方案 B 有什麼差異？", CONTEXT)

    assert (intent.kind, intent.tool, intent.missing) == ("compare", "compare_plans", ())


def test_ai_message_history_is_ignored_for_intent():
    messages = [
        *conversation("門號用量"),
        AIMessage("上一輪的回答"),
        HumanMessage("方案 A 和 B 比較"),
    ]

    call = model().bind_tools(TOOLS).invoke(messages)

    assert call.tool_calls[0]["name"] == "compare_plans"
