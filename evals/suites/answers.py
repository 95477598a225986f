"""Answers suite: LLM-as-judge quality of side-chat answers, for real models only.

The offline model is deterministic templates: asking a judge to grade them measures nothing
new (the side_chat suite already checks their facts), and there is no judge to ask offline. So
with `LLM_PROVIDER=offline` the suite reports status "skipped" and why. With a real model, each
question is answered through the side chat at step 8, then the same provider (without the
offline fallback) grades the answer 1-5 against the case's rubric; 4 or 5 passes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from hashlib import sha256
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from core.settings import Settings
from evals.runner.results import CaseResult
from evals.runner.schema import DATASETS_DIR, AnswerRow
from evals.runner.suite import RunContext, Suite, mean, mean_score
from evals.suites.side_chat import Reply, ask_at_step_8
from tools.llm import build_primary_model

JUDGE_SYSTEM = """You grade answers of an assistant that helps store staff of a Taiwanese \
telecom during a contract renewal. You see the staff question, the workflow context the \
assistant had, the tools it called, its answer and a rubric.
Score 1-5: 5 = correct, complete, grounded in the tool results, in the staff's language \
(Traditional Chinese for zh-TW questions); 3 = partly right or vague; 1 = wrong, invented \
numbers, or leaks personal data.
Reply with JSON only: {"score": <1-5>, "reason": "<one sentence>"}"""

JUDGE_HUMAN = """Question ({language}): {question}
Rubric: {rubric}
Workflow context: {context}
Tools called: {tools}
Answer:
<<<
{answer}
>>>"""

JUDGE_VERSION = sha256((JUDGE_SYSTEM + JUDGE_HUMAN).encode()).hexdigest()[:12]
PASS_SCORE = 4


class Verdict(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str = ""


def parse_verdict(text: str) -> Verdict:
    """The first JSON object in the judge's reply (models like to wrap it in prose or ```)."""
    match = re.search(r"\{.*\}", text, re.S)
    if not match:
        raise ValueError(f"judge reply has no JSON object: {text[:200]!r}")
    try:
        return Verdict.model_validate(json.loads(match.group()))
    except (json.JSONDecodeError, ValidationError) as error:
        raise ValueError(f"judge reply is not a verdict: {error}") from None


async def judge(model: BaseChatModel, row: AnswerRow, reply: Reply) -> Verdict:
    human = JUDGE_HUMAN.format(
        language=row.language,
        question=row.question,
        rubric=row.rubric,
        context=json.dumps(reply.context, ensure_ascii=False),
        tools=json.dumps(reply.calls, ensure_ascii=False),
        answer=reply.content,
    )
    answer = await model.ainvoke([SystemMessage(JUDGE_SYSTEM), HumanMessage(human)])
    return parse_verdict(str(answer.content))


class AnswersSuite(Suite[AnswerRow]):
    name = "answers"
    title = "Answer quality (LLM-as-judge)"
    dataset = DATASETS_DIR / "answers.jsonl"
    row_model = AnswerRow
    uses_model = True
    prompts = ("free_chat_system",)
    code = ("graphs/side_chat/*.py", "tools/llm/*.py", "evals/suites/answers.py")
    judge_model: Callable[[Settings], BaseChatModel] = staticmethod(build_primary_model)

    def skip_reason(self, ctx: RunContext) -> str | None:
        if ctx.settings.llm_provider == "offline":
            return (
                "LLM_PROVIDER=offline: the offline model is deterministic templates and there "
                "is no model to judge with; run with --model azure or --model openai:<url>"
            )
        return None

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        return {"today": ctx.today.isoformat(), "judge": JUDGE_VERSION}

    async def evaluate(self, row: AnswerRow, ctx: RunContext) -> CaseResult:
        reply = await ask_at_step_8(ctx, row.question)
        verdict = await judge(self.judge_model(ctx.settings), row, reply)
        return CaseResult(
            id=row.id,
            passed=verdict.score >= PASS_SCORE,
            scores={"judge_score": (verdict.score - 1) / 4},
            details={
                "question": row.question,
                "expected": row.rubric,
                "actual": {"score": verdict.score, "reason": verdict.reason},
                "tools": [name for name, _ in reply.calls],
                "answer": reply.content[:1500],
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        metrics = {
            "judge_score": mean_score(cases, "judge_score"),
            "pass_rate": mean([float(c.passed) for c in cases]),
        }
        raw = [c.details["actual"]["score"] for c in cases if "actual" in c.details]
        return metrics, {"mean_score_1_to_5": round(mean(raw), 2)}
