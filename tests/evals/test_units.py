"""Pieces of the suites that need no servers: references, matching, scoring, the judge."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from core.settings import get_settings
from evals.runner.cache import ResultCache
from evals.runner.environment import RecordingTools, args_match, resolve_refs
from evals.runner.schema import AnswerRow, RenewalRow
from evals.runner.suite import Resources, RunContext
from evals.suites.answers import AnswersSuite, judge, parse_verdict
from evals.suites.renewal import collapse, score_journey
from evals.suites.side_chat import Reply, mentions

REFS = {"plans": ["P036", "P061", "P010"], "store_id": "S001"}


def test_references_resolve_to_items_slices_and_values() -> None:
    value = {
        "plan_id": "$plans[1]",
        "compare": "$plans[:2]",
        "ids": ["$plans[0]", "x"],
        "store": "$store_id",
        "literal": "$ 5",
        "n": 3,
    }
    assert resolve_refs(value, REFS) == {
        "plan_id": "P061",
        "compare": ["P036", "P061"],
        "ids": ["P036", "x"],
        "store": "S001",
        "literal": "$ 5",
        "n": 3,
    }
    with pytest.raises(KeyError, match="unknown reference"):
        resolve_refs("$devices[0]", REFS)


def test_args_match_is_a_subset_match() -> None:
    actual = {"store_id": "S001", "device_model": "iPhone 17 Pro", "extra": 1}
    assert args_match({"device_model": "iphone 17 pro"}, actual)
    assert args_match({}, actual)
    assert not args_match({"store_id": "S002"}, actual)
    assert not args_match({"brand": "Apple"}, actual)
    assert not args_match({"plan_ids": ["A", "B"]}, {"plan_ids": ["B", "A"]})  # order matters


def test_mentions_any_of_and_forbidden_words() -> None:
    text = "月租 NT$1,399，用量 85.4 GB"
    assert mentions(text, ["nt$", ["1399", "1,399"]], ["A123456789"]) == []
    assert mentions(text, [["吃到飽", "unlimited"]], ["85.4"]) == [
        "missing '吃到飽 | unlimited'",
        "mentions '85.4'",
    ]


def test_collapse_keeps_order_and_drops_consecutive_repeats() -> None:
    assert collapse(["a", "a", "b", "a", "c", "c"]) == ["a", "b", "a", "c"]


def journey_row(**overrides: Any) -> RenewalRow:
    row: dict[str, Any] = {
        "id": "j",
        "answers": [{"step": "query_customer", "value": {"id_number": "A123456789"}}],
        "expected_steps": ["query_customer", "select_phone"],
        "expected_outcome": None,
        "expected_tools": ["get_customer", "list_customer_phones"],
        "expected_tool_args": [{"tool": "get_customer", "args": {"id_number": "A123456789"}}],
        **overrides,
    }
    return RenewalRow.model_validate(row)


def test_journey_scores_strict_and_unordered_separately() -> None:
    calls = [("list_customer_phones", {}), ("get_customer", {"id_number": "A123456789"})]
    scores, missing = score_journey(
        journey_row(), ["select_phone", "query_customer"], calls, None, [], {}
    )
    assert scores == {
        "trajectory_strict": 0.0,
        "trajectory_unordered": 1.0,
        "tools_strict": 0.0,
        "tools_unordered": 1.0,
        "tool_args": 1.0,
        "outcome": 1.0,
    }
    assert missing == []
    scores, missing = score_journey(
        journey_row(),
        ["query_customer", "select_phone"],
        [("get_customer", {"id_number": "B1"})],
        "completed",
        [],
        {},
    )
    assert scores["tools_unordered"] == 0.0 and scores["outcome"] == 0.0
    assert missing == ["get_customer({'id_number': 'A123456789'})"]


def test_recording_proxy_keeps_the_toolcaller_protocol() -> None:
    class Inner:
        async def call(self, tool: str, **arguments: Any) -> Any:
            return {"tool": tool, **arguments}

    recorder = RecordingTools(Inner())
    assert asyncio.run(recorder.call("get_customer", id_number="X")) == {
        "tool": "get_customer",
        "id_number": "X",
    }
    assert recorder.calls == [("get_customer", {"id_number": "X"})]


@pytest.mark.parametrize(
    ("reply", "score"),
    [('{"score": 4, "reason": "ok"}', 4), ('Sure!\n```json\n{"score": 2}\n```', 2)],
)
def test_judge_verdicts_are_parsed(reply: str, score: int) -> None:
    assert parse_verdict(reply).score == score


@pytest.mark.parametrize("reply", ["great answer", '{"score": 7}', '{"score": "x"}'])
def test_bad_judge_verdicts_are_errors(reply: str) -> None:
    with pytest.raises(ValueError, match="judge reply"):
        parse_verdict(reply)


def test_judge_sees_question_rubric_and_answer() -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage('{"score": 5, "reason": "exact"}')]))
    row = AnswerRow(
        id="a",
        question="方案 A 和 B？",
        language="zh-TW",
        rubric="Compares the two plans in a table.",
    )
    reply = Reply(
        calls=[("compare_plans", {"plan_ids": ["P1", "P2"]})],
        statuses=["success"],
        content="| 項目 |",
        context={"store_id": "S001"},
    )
    verdict = asyncio.run(judge(model, row, reply))
    assert (verdict.score, verdict.reason) == (5, "exact")


def test_answers_suite_is_skipped_offline_with_a_reason() -> None:
    settings = get_settings().model_copy(update={"llm_provider": "offline"})
    ctx = RunContext(settings, "offline", Resources(settings), ResultCache(enabled=False))
    reason = AnswersSuite().skip_reason(ctx)
    assert reason is not None and "--model" in reason
    real = settings.model_copy(update={"llm_provider": "openai"})
    assert AnswersSuite().skip_reason(RunContext(real, "x", Resources(real), ctx.cache)) is None
