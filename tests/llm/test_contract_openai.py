"""Contract of the real-model path: the real LangChain OpenAI clients against a local fake
server speaking the chat.completions wire format (JSON and SSE), through our factory."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.llm.helpers import fallbacks, llm_settings, openai_settings
from tools.llm import FallbackChatModel, ListUsageSink, build_chat_model, build_primary_model

QUESTION = [SystemMessage("你是門市助理"), HumanMessage("方案 A 和方案 B 有什麼差異？")]
ANSWER = "方案 B 月租較高，但數據吃到飽；客戶每月用量超過 40GB 時方案 B 較划算。"


@tool
def compare_plans(plan_ids: list[str], customer_usage: dict[str, float] | None = None) -> str:
    """Compare plans side by side."""
    return "{}"


def model_for(fake: FakeOpenAI, sink: ListUsageSink, **overrides: object) -> FallbackChatModel:
    model = build_chat_model(
        openai_settings(fake, **overrides),
        usage_type="free_chat",
        sink=sink,
        staff_id=7,
        session_id="sess-1",
    )
    assert isinstance(model, FallbackChatModel)
    return model


async def test_stream_delivers_tokens_in_order_with_usage(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text=ANSWER, usage=(120, 30), piece=5))
    model = model_for(fake, sink)

    pieces = [chunk.content async for chunk in model.astream(QUESTION)]

    texts = [p for p in pieces if p]
    assert len(texts) >= 5
    assert "".join(str(t) for t in texts) == ANSWER
    request = fake.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.headers["authorization"] == "Bearer sk-test"
    [record] = sink.records
    assert (record.prompt_tokens, record.completion_tokens) == (120, 30)
    assert record.cost == Decimal("0.000600")  # 120 × 0.0025/1k + 30 × 0.01/1k
    assert (record.model, record.is_fallback, record.usage_type) == ("gpt-4o", False, "free_chat")
    assert (record.staff_id, record.session_id) == (7, "sess-1")
    assert record.latency_ms >= 0


async def test_tool_call_parses_from_streamed_deltas(fake: FakeOpenAI, sink: ListUsageSink):
    args = {"plan_ids": ["P010", "P011"], "customer_usage": {"data_gb_per_month": 45}}
    fake.script(Reply(tool_calls=[{"id": "call_abc", "name": "compare_plans", "arguments": args}]))
    model = model_for(fake, sink).bind_tools([compare_plans])

    message = await model.ainvoke(QUESTION)

    assert message.tool_calls == [
        {"name": "compare_plans", "args": args, "id": "call_abc", "type": "tool_call"}
    ]
    sent = fake.requests[0].body["tools"]
    assert [t["function"]["name"] for t in sent] == ["compare_plans"]


async def test_usage_block_becomes_usage_record_with_cost(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text="ok", usage=(1000, 500)))
    model = model_for(fake, sink, llm_prices={"gpt-4o": (0.005, 0.015)})

    message = await model.ainvoke(QUESTION, config={"metadata": {"usage_type": "comparison"}})

    assert message.usage_metadata is not None
    assert (message.usage_metadata["input_tokens"], message.usage_metadata["output_tokens"]) == (
        1000,
        500,
    )
    [record] = sink.records
    assert (record.prompt_tokens, record.completion_tokens) == (1000, 500)
    assert record.cost == Decimal("0.012500")
    assert record.usage_type == "comparison"  # per-call metadata overrides the factory's


async def test_plain_json_completion_reports_usage(fake: FakeOpenAI):
    fake.script(Reply(text=ANSWER, usage=(40, 20)))
    model = build_primary_model(openai_settings(fake))

    message = await model.ainvoke(QUESTION)

    assert message.content == ANSWER
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 60
    assert "stream" not in fake.requests[0].body or fake.requests[0].body["stream"] is False


async def test_server_error_retries_then_falls_back(fake: FakeOpenAI, sink: ListUsageSink):
    fake.default = Reply(status=500, headers={"retry-after-ms": "10"})
    before = fallbacks("server_error")
    model = model_for(fake, sink)

    message = await model.ainvoke(QUESTION)

    assert len(fake.requests) == 3  # first try + LLM_MAX_RETRIES=2
    assert "離線助理" in str(message.content)
    assert "AI 服務暫時無法回應" in str(message.content)
    assert fallbacks("server_error") == before + 1
    [record] = sink.records
    assert (record.is_fallback, record.fallback_reason, record.model) == (
        True,
        "server_error",
        "offline",
    )
    assert record.cost == Decimal("0")


@pytest.mark.slow
async def test_timeout_falls_back_within_the_deadline(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text="too late", delay=8.0))
    before = fallbacks("timeout")
    model = model_for(fake, sink)  # LLM_FALLBACK_AFTER_SECONDS=3

    started = time.monotonic()
    message = await model.ainvoke(QUESTION)
    elapsed = time.monotonic() - started

    assert 3.0 <= elapsed < 3.0 + 1.0
    assert "離線助理" in str(message.content)
    assert fallbacks("timeout") == before + 1
    assert sink.records[0].is_fallback and sink.records[0].fallback_reason == "timeout"


async def test_stream_falls_back_before_the_first_token(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text="too late", delay=5.0))
    model = model_for(fake, sink, llm_fallback_after_seconds=0.3)

    started = time.monotonic()
    chunks = [chunk async for chunk in model.astream(QUESTION)]

    assert time.monotonic() - started < 1.5
    text = "".join(str(c.content) for c in chunks)
    assert "離線助理" in text
    assert sink.records[0].is_fallback


async def test_stream_failure_after_first_token_is_raised(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text=ANSWER, error_after=3))
    model = model_for(fake, sink)

    received: list[AIMessageChunk] = []
    with pytest.raises(Exception, match="stream broke"):
        async for chunk in model.astream(QUESTION):
            received.append(chunk)
    assert "".join(str(c.content) for c in received) == ANSWER[:8]  # tokens already shown
    assert sink.records == []


async def test_invoke_failure_after_first_token_still_falls_back(fake: FakeOpenAI, sink):
    fake.script(Reply(text=ANSWER, error_after=3))
    model = model_for(fake, sink)

    message = await model.ainvoke(QUESTION)

    assert "離線助理" in str(message.content)  # nothing had reached the caller yet
    assert sink.records[0].fallback_reason == "error"


async def test_circuit_opens_after_repeated_failures(fake: FakeOpenAI, sink: ListUsageSink):
    fake.default = Reply(status=503)
    model = model_for(fake, sink, llm_max_retries=0)

    for _ in range(3):
        await model.ainvoke(QUESTION)
    served = len(fake.requests)
    await model.ainvoke(QUESTION)

    assert served == 3 and len(fake.requests) == 3  # fourth call skipped the endpoint
    assert sink.records[-1].fallback_reason == "circuit_open"


async def test_azure_request_shape(fake: FakeOpenAI, sink: ListUsageSink):
    fake.script(Reply(text=ANSWER, usage=(10, 4)))
    settings = llm_settings(
        llm_provider="azure",
        azure_openai_endpoint=fake.url,
        azure_openai_api_key="azure-key",
        azure_openai_deployment="gpt4o-prod",
        azure_openai_api_version="2024-10-21",
    )
    model = build_chat_model(settings, usage_type="report", sink=sink)

    message = await model.ainvoke(QUESTION)

    assert message.content == ANSWER
    request = fake.requests[0]
    assert request.path == "/openai/deployments/gpt4o-prod/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"]
    assert request.headers["api-key"] == "azure-key"
    assert "authorization" not in request.headers
    assert json.dumps(request.body["messages"][1], ensure_ascii=False).count("方案 A") == 1
    assert sink.records[0].usage_type == "report"
    assert (sink.records[0].prompt_tokens, sink.records[0].completion_tokens) == (10, 4)


async def test_graph_message_stream_shows_each_token_once(fake: FakeOpenAI, sink: ListUsageSink):
    from langgraph.graph import END, START, MessagesState, StateGraph

    model = model_for(fake, sink, llm_fallback_after_seconds=0.5)

    async def chat(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("chat", chat)
    builder.add_edge(START, "chat")
    builder.add_edge("chat", END)
    graph = builder.compile()

    for reply, marker in (
        (Reply(text=ANSWER), ANSWER),
        (Reply(text="late", delay=3.0), "（離線助理）"),
    ):
        fake.script(reply)
        streamed = [
            str(message.content)
            async for message, _ in graph.astream({"messages": QUESTION}, stream_mode="messages")
        ]
        text = "".join(streamed)
        assert marker in text and text.count(marker) == 1  # inner runs are not streamed twice
    assert [r.is_fallback for r in sink.records] == [False, True]


def test_sync_invoke_uses_the_primary_and_falls_back_on_errors(fake: FakeOpenAI):
    sink = ListUsageSink()
    fake.script(Reply(text=ANSWER, usage=(9, 3)), Reply(status=502))
    model = model_for(fake, sink, llm_max_retries=0)

    answered = model.invoke(QUESTION)
    degraded = model.invoke(QUESTION)

    assert answered.content == ANSWER
    assert "離線助理" in str(degraded.content)
    first = sink.records[0]
    assert (first.model, first.is_fallback, first.prompt_tokens) == ("gpt-4o", False, 9)
    assert sink.records[1].fallback_reason == "server_error"


async def test_react_agent_loop_through_the_real_client(fake: FakeOpenAI, sink: ListUsageSink):
    from langgraph.prebuilt import create_react_agent

    call = {"id": "call_1", "name": "compare_plans", "arguments": {"plan_ids": ["P010", "P011"]}}
    fake.script(Reply(tool_calls=[call], usage=(50, 10)), Reply(text=ANSWER, usage=(80, 20)))
    agent = create_react_agent(model_for(fake, sink), [compare_plans])

    state = await agent.ainvoke({"messages": QUESTION})

    assert state["messages"][-1].content == ANSWER
    assert state["messages"][-2].tool_call_id == "call_1"
    second = fake.requests[1].body["messages"]
    assert second[-1] == {"role": "tool", "tool_call_id": "call_1", "content": "{}"}
    assert [(r.prompt_tokens, r.completion_tokens) for r in sink.records] == [(50, 10), (80, 20)]
