"""Escalation suite: the supervision policy against human-labelled customer turns.

Wraps `evals.escalation` (its dev set, its `run`): each turn is one case, and precision,
recall and F1 of "escalate or not" are rebuilt from the per-case outcomes, so cached turns and
fresh ones count the same. `python -m evals.escalation` still prints the full confusion report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from evals.escalation import DEVSET_PATH, Binary, DevRow, run
from evals.runner.results import CaseResult
from evals.runner.suite import RunContext, Suite


class EscalationSuite(Suite[DevRow]):
    name = "escalation"
    title = "Escalation policy (supervision)"
    dataset = DEVSET_PATH
    extra_splits: ClassVar[dict[str, Path]] = {"blind": DEVSET_PATH.with_name("blind.jsonl")}
    text_field = "text"
    row_model = DevRow
    code = (
        # the whole policy package and its labelled examples (the semantic layer reads them),
        # and the embedder it uses: a new module must invalidate cached verdicts too
        "graphs/supervision/*.py",
        "graphs/supervision/*.jsonl",
        "core/embeddings.py",
        "evals/escalation/__init__.py",
        "evals/suites/escalation.py",
    )

    async def evaluate(self, row: DevRow, ctx: RunContext) -> CaseResult:
        outcome = run([row]).outcomes[0]
        right = outcome.predicted == row.expected_escalate
        same_reason = outcome.predicted_reason == outcome.expected_reason
        return CaseResult(
            id=row.id,
            passed=right and same_reason,
            scores={"decision": float(right), "reason": float(same_reason)},
            details={
                "text": row.text,
                "language": row.language,
                "expected": {"escalate": row.expected_escalate, "reason": outcome.expected_reason},
                "actual": {"escalate": outcome.predicted, "reason": outcome.predicted_reason},
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        binary = Binary()
        caught = right_reason = 0
        for case in cases:
            expected = case.details.get("expected") or {}
            actual = case.details.get("actual") or {}
            binary.add(bool(expected.get("escalate")), bool(actual.get("escalate")))
            if expected.get("escalate") and actual.get("escalate"):
                caught += 1
                right_reason += expected.get("reason") == actual.get("reason")
        metrics = {
            "precision": binary.precision,
            "recall": binary.recall,
            "f1": binary.f1,
            "reason_accuracy": right_reason / caught if caught else 0.0,
        }
        info = {"tp": binary.tp, "fp": binary.fp, "fn": binary.fn, "tn": binary.tn}
        return metrics, info
