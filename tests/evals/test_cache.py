"""A second run reads every case from the cache; a changed case is the only one re-run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from core.settings import get_settings
from evals.runner.cache import ResultCache
from evals.runner.engine import RunPlan, execute
from evals.runner.results import CaseResult, Report
from evals.runner.schema import EligibilityRow
from evals.runner.suite import RunContext
from evals.suites.eligibility import EligibilitySuite


class CountingSuite(EligibilitySuite):
    """Counts the cases it really evaluates."""

    def __init__(self, dataset: Path | None = None) -> None:
        self.evaluated: list[str] = []
        if dataset is not None:
            self.dataset = dataset  # type: ignore[misc]

    async def evaluate(self, row: EligibilityRow, ctx: RunContext) -> CaseResult:
        self.evaluated.append(row.id)
        return await super().evaluate(row, ctx)


def run(suite: CountingSuite, cache: ResultCache, model: str = "offline") -> Report:
    plan = RunPlan([suite], get_settings(), model, cache=cache)
    return asyncio.run(execute(plan))


def metrics(report: Report) -> dict[str, float]:
    return report.runs[0].suites[0].metrics


def test_second_run_hits_the_cache_for_every_case(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    cold = CountingSuite()
    first = run(cold, cache)
    total = len(cold.load())
    assert len(cold.evaluated) == total >= 40
    assert (first.runs[0].suites[0].evaluated, first.runs[0].suites[0].cached) == (total, 0)

    warm = CountingSuite()
    second = run(warm, cache)
    assert warm.evaluated == []
    assert (second.runs[0].suites[0].evaluated, second.runs[0].suites[0].cached) == (0, total)
    assert metrics(second) == metrics(first)
    assert all(c.cached for c in second.runs[0].suites[0].cases)


def test_only_the_edited_case_is_evaluated_again(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    dataset = tmp_path / "eligibility.jsonl"
    lines = EligibilitySuite.dataset.read_text(encoding="utf-8").splitlines()
    dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run(CountingSuite(dataset), cache)
    row: dict[str, Any] = json.loads(lines[0])
    row["line"]["contract_end_in_days"] = 45  # same id, different content
    dataset.write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n", encoding="utf-8")
    again = CountingSuite(dataset)
    run(again, cache)
    assert again.evaluated == [row["id"]]


def test_no_cache_evaluates_everything_and_the_model_is_not_in_a_rules_key(
    tmp_path: Path,
) -> None:
    cache = ResultCache(tmp_path / "cache")
    run(CountingSuite(), cache)
    other_model = CountingSuite()
    run(other_model, cache, model="openai:http://x/v1:gpt")  # rules do not call a model
    assert other_model.evaluated == []
    forced = CountingSuite()
    run(forced, ResultCache(tmp_path / "cache", enabled=False))
    assert len(forced.evaluated) == len(forced.load())
