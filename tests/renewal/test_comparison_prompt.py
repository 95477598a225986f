"""Step 9 with a real model client (issue 15, item 3): the prompt carries the computed numbers.

The compare node calls the real Promotion server, then the real `ChatOpenAI` client pointed at a
protocol-level fake OpenAI server; the request the fake receives must hold the recommendation
computed from the table (P032 at NT$14,148, NT$2,640 less than P029) in its own block, the
instruction to restate it, and no internal tool id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from graphs.renewal.deps import NoRecords, RenewalDeps
from graphs.renewal.nodes import RenewalNodes
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.llm.helpers import openai_settings
from tools.llm import ListUsageSink, build_chat_model, reset_breakers
from tools.mcp import McpToolbox


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(Reply(text="建議 5G 999 超值搭機")).start()
    reset_breakers()
    try:
        yield server
    finally:
        server.stop()


def _prompt_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content")) for m in body["messages"])


async def test_the_real_model_gets_the_computed_recommendation(
    toolbox: McpToolbox, fake: FakeOpenAI
) -> None:
    settings = openai_settings(fake)
    nodes = RenewalNodes(
        RenewalDeps(
            tools=toolbox,
            records=NoRecords(),
            chat_model=lambda usage_type, state: build_chat_model(
                settings, usage_type=usage_type, sink=ListUsageSink()
            ),
        )
    )
    state: dict[str, Any] = {
        "session_id": "renewal_test_000000000000",
        "comparison": {"plan_ids": ["P029", "P032"]},
        "line": {"usage_info": {"data_used_gb": 85.4, "voice_used_minutes": 320}},
        "visited": ["select_plan"],
    }
    out = await nodes.compare_plans(state)  # type: ignore[arg-type]

    assert out["comparison"]["narrative"] == "建議 5G 999 超值搭機"
    assert len(fake.requests) == 1
    text = _prompt_text(fake.requests[0].body)
    block = re.search(r"<recommendation>\s*(\{.*?\})\s*</recommendation>", text, re.S)
    assert block is not None, text
    recommendation = json.loads(block.group(1))
    assert recommendation["best_for_customer"] == "P032"
    assert (recommendation["annual_cost"], recommendation["runner_up_annual_cost"]) == (
        14148,
        16788,
    )
    assert recommendation["annual_saving"] == 2640 and "最低" in recommendation["criterion"]
    assert "照 <recommendation>" in text  # the model restates it instead of choosing again
    assert "compare_plans" not in text
