"""Usage records: cost arithmetic, the callback handler, the SQL sink and factory wiring."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from langchain_core.messages import HumanMessage

from core.db.engine import create_engine, session_factory
from core.db.models import AiUsageLog, Base, Store, User
from tests.llm.helpers import llm_settings
from tools.llm import (
    FallbackChatModel,
    ListUsageSink,
    LlmNotConfigured,
    OfflineChatModel,
    SqlUsageSink,
    UsageRecord,
    UsageSink,
    build_chat_model,
    cost_usd,
)

PRICES = {"gpt-4o": (0.0025, 0.01), "gpt-4o-mini": (0.00015, 0.0006), "offline": (0.0, 0.0)}


@pytest.mark.parametrize(
    ("model", "prompt", "completion", "cost"),
    [
        ("gpt-4o", 1000, 1000, "0.012500"),
        ("gpt-4o-2024-08-06", 1000, 0, "0.002500"),  # dated name priced by prefix
        ("gpt-4o-mini-2024-07-18", 2000, 1000, "0.000900"),  # longest prefix wins
        ("offline", 5000, 5000, "0.000000"),
        ("mystery-model", 1000, 1000, "0.000000"),
        ("gpt-4o", 1, 1, "0.000013"),  # rounded half up to 6 decimals
    ],
)
def test_cost_from_prices_per_1k(model: str, prompt: int, completion: int, cost: str):
    assert cost_usd(PRICES, model, prompt, completion) == Decimal(cost)


class BrokenSink:
    async def record(self, record: UsageRecord) -> None:
        raise RuntimeError("database down")


async def test_a_failing_sink_does_not_fail_the_answer():
    model = build_chat_model(llm_settings(), usage_type="free_chat", sink=BrokenSink())

    message = await model.ainvoke([HumanMessage("hello")])

    assert "offline assistant" in str(message.content)
    assert isinstance(BrokenSink(), UsageSink)


async def test_offline_model_records_counted_tokens_per_call():
    sink = ListUsageSink()
    model = build_chat_model(
        llm_settings(), usage_type="customer_chat", sink=sink, staff_id=None, session_id="chat-9"
    )

    message = await model.ainvoke([HumanMessage("帳單怎麼繳？")])
    await model.ainvoke(
        [HumanMessage("hi")], config={"metadata": {"staff_id": "42", "session_id": "chat-10"}}
    )

    first, second = sink.records
    usage = message.usage_metadata
    assert usage is not None
    assert (first.prompt_tokens, first.completion_tokens) == (
        usage["input_tokens"],
        usage["output_tokens"],
    )
    assert (first.model, first.cost, first.is_fallback) == ("offline", Decimal("0"), False)
    assert (first.usage_type, first.session_id, first.staff_id) == ("customer_chat", "chat-9", None)
    assert (second.staff_id, second.session_id) == (42, "chat-10")


async def test_streamed_calls_are_recorded_once():
    sink = ListUsageSink()
    model = build_chat_model(llm_settings(), sink=sink)

    chunks = [c async for c in model.astream([HumanMessage("方案比較")])]

    assert len(chunks) > 2 and len(sink.records) == 1


def test_factory_picks_the_provider():
    offline = build_chat_model(llm_settings())
    openai = build_chat_model(llm_settings(llm_provider="openai", openai_base_url="http://x/v1"))
    raw = build_chat_model(
        llm_settings(llm_provider="openai", openai_api_key="sk"), degraded_mode=False
    )

    assert isinstance(offline, OfflineChatModel)
    assert isinstance(openai, FallbackChatModel) and openai.fallback_after_seconds == 3.0
    assert type(raw).__name__ == "ChatOpenAI" and raw.callbacks


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        (
            {"llm_provider": "azure", "azure_openai_api_key": "k"},
            "AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT",
        ),
        ({"llm_provider": "openai"}, "OPENAI_API_KEY"),
    ],
)
def test_factory_names_missing_settings(overrides: dict[str, str], missing: str):
    with pytest.raises(LlmNotConfigured, match=missing):
        build_chat_model(llm_settings(**overrides))


async def test_sql_sink_writes_ai_usage_logs_on_sqlite(tmp_path: Path):
    engine = create_engine(url=f"sqlite:///{tmp_path / 'usage.db'}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            session.add(Store(store_id="S001", name="台北信義門市", city="台北市"))
            session.add(
                User(
                    username="E1001",
                    display_name="張門市",
                    role="sales",
                    password_hash="x",
                    store_id="S001",
                )
            )
        async with sessions() as session:
            staff_id = (await session.scalars(sa.select(User.id))).one()
        sink = SqlUsageSink(sessions)

        await sink.record(
            UsageRecord(
                usage_type="free_chat",
                model="gpt-4o",
                prompt_tokens=120,
                completion_tokens=30,
                cost=Decimal("0.0006"),
                latency_ms=850,
                staff_id=staff_id,
                session_id="sess-1",
            )
        )
        await sink.record(
            UsageRecord(
                usage_type="escalation_summary",
                model="offline",
                prompt_tokens=10,
                completion_tokens=5,
                cost=Decimal("0"),
                latency_ms=2,
                is_fallback=True,
            )
        )

        async with sessions() as session:
            rows = (await session.scalars(sa.select(AiUsageLog).order_by(AiUsageLog.id))).all()
        assert [
            (r.staff_id, r.usage_type, r.total_tokens, r.cost, r.is_fallback) for r in rows
        ] == [
            (staff_id, "free_chat", 150, Decimal("0.000600"), False),
            (None, "escalation_summary", 15, Decimal("0.000000"), True),
        ]
        assert rows[0].latency_ms == 850 and rows[0].session_id == "sess-1"
    finally:
        await engine.dispose()
