"""Side-chat suite: does the assistant pick the right tool, with the right key arguments, and
does its answer say what it must (and nothing it must not)?

Every question gets its own renewal session, driven to step 8 (golden eligible customer, plain
renewal, plans listed), so answers never depend on an earlier question's history. The question
goes through `SideChat.stream`, exactly as the API streams it. Expected arguments may read the
workflow context (`$phone_number`, `$candidate_plans[:2]`), since plan ids depend on the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from evals.runner.environment import (
    args_match,
    environment,
    resolve_refs,
    session_at_select_plan,
)
from evals.runner.results import CaseResult
from evals.runner.schema import DATASETS_DIR, Mention, SideChatRow
from evals.runner.suite import RunContext, Suite, mean, mean_score
from graphs.runtime import workflow_context
from graphs.side_chat.service import SideChat


@dataclass
class Reply:
    """One side-chat turn as the staff saw it."""

    calls: list[tuple[str, dict[str, Any]]]
    statuses: list[str]  # tool result statuses
    content: str
    context: dict[str, Any]  # the workflow context the assistant was given


async def ask_at_step_8(ctx: RunContext, question: str) -> Reply:
    env = await environment(ctx)
    flow = env.renewal_flow(env.runtime.toolbox, ctx.chat_model)
    session_id, _ = await session_at_select_plan(flow)
    snapshot = await flow.graph.aget_state(flow.config(session_id))
    chat = SideChat(env.side_chat_graph(ctx.chat_model), flow)
    calls: list[tuple[str, dict[str, Any]]] = []
    statuses: list[str] = []
    content = ""
    async for kind, data in chat.stream(session_id, question):
        if kind == "tool":
            calls.append((data["name"], data["args"]))
        elif kind == "tool_result":
            statuses.append(str(data["status"]))
        elif kind == "answer":
            content = str(data["content"])
    return Reply(calls, statuses, content, workflow_context(snapshot.values))


def context_refs(context: dict[str, Any]) -> dict[str, Any]:
    refs = dict(context)
    refs["candidate_plans"] = [p["plan_id"] for p in context.get("candidate_plans") or []]
    return refs


def mentions(text: str, must: Sequence[Mention], must_not: Sequence[str]) -> list[str]:
    """What the answer gets wrong: missing mentions and forbidden ones (case-insensitive)."""
    low = text.casefold()
    problems = []
    for item in must:
        options = [item] if isinstance(item, str) else item
        if not any(option.casefold() in low for option in options):
            problems.append(f"missing {' | '.join(options)!r}")
    problems += [f"mentions {word!r}" for word in must_not if word.casefold() in low]
    return problems


class SideChatSuite(Suite[SideChatRow]):
    name = "side_chat"
    title = "Side chat (tool choice and answer checks)"
    dataset = DATASETS_DIR / "side_chat.jsonl"
    extra_splits: ClassVar[dict[str, Path]] = {"blind": DATASETS_DIR / "side_chat.blind.jsonl"}
    text_field = "question"
    row_model = SideChatRow
    uses_model = True
    prompts = ("free_chat_system",)
    code = (
        "graphs/side_chat/*.py",
        "graphs/renewal/*.py",
        "graphs/runtime.py",
        "mcp_servers/**/*.py",
        "tools/**/*.py",
        "core/embeddings.py",  # the offline model may route by embedding similarity
        "evals/runner/environment.py",
        "evals/suites/side_chat.py",
    )

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        return {"today": ctx.today.isoformat(), "seed": ctx.settings.demo_seed}

    async def evaluate(self, row: SideChatRow, ctx: RunContext) -> CaseResult:
        reply = await ask_at_step_8(ctx, row.question)
        first = reply.calls[0] if reply.calls else None
        tool_ok = (first[0] if first else None) == row.expected_tool
        expected_args = resolve_refs(row.expected_args, context_refs(reply.context))
        args_ok = tool_ok and (first is None or args_match(expected_args, first[1]))
        problems = mentions(reply.content, row.must_mention, row.must_not_mention)
        scores = {
            "tool_choice": float(tool_ok),
            "args_match": float(args_ok),
            "answer_checks": float(not problems),
            "tool_success": float(all(s == "success" for s in reply.statuses)),
        }
        return CaseResult(
            id=row.id,
            passed=tool_ok and args_ok and not problems,
            scores=scores,
            details={
                "question": row.question,
                "language": row.language,
                "expected": {"tool": row.expected_tool, "args": expected_args},
                "actual": {
                    "tool": first[0] if first else None,
                    "args": first[1] if first else {},
                    "all_tools": [name for name, _ in reply.calls],
                },
                "answer_problems": problems,
                "answer": reply.content[:1500],
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        metrics = {
            name: mean_score(cases, name)
            for name in ("tool_choice", "args_match", "answer_checks", "tool_success")
        }
        metrics["pass_rate"] = mean([float(c.passed) for c in cases])
        info: dict[str, Any] = {}
        for language in ("zh-TW", "en"):
            subset = [c for c in cases if c.details.get("language") == language]
            info[f"{language} tool_choice"] = round(mean_score(subset, "tool_choice"), 3)
            info[f"{language} cases"] = len(subset)
        return metrics, info
