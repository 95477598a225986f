"""What a run produces: per-case results, per-suite metrics, one run per prompt variant.

Pydantic models so the JSON report, the cache entries and the HTML report share one shape.
Metrics are scores in [0, 1] (higher is better) and are what gates compare; anything else a
suite wants to show (counts, tokens) goes in `info`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["ok", "skipped", "error"]


class CaseResult(BaseModel):
    id: str
    passed: bool
    scores: dict[str, float] = {}
    details: dict[str, Any] = {}  # expected vs actual, for the per-case table
    error: str | None = None
    seconds: float = 0.0
    cached: bool = Field(default=False, exclude=True)  # set when read back, never stored


class SuiteResult(BaseModel):
    name: str
    title: str
    status: Status
    reason: str | None = None  # why skipped / what failed
    metrics: dict[str, float] = {}
    info: dict[str, Any] = {}
    cases: list[CaseResult] = []
    evaluated: int = 0  # cases actually run
    cached: int = 0  # cases read from the cache
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)


class RunResult(BaseModel):
    """All suites under one model and one set of prompt versions."""

    label: str
    model: str
    prompt_versions: dict[str, str]  # effective version of every prompt a suite used
    suites: list[SuiteResult] = []

    def suite(self, name: str) -> SuiteResult | None:
        return next((s for s in self.suites if s.name == name), None)


class PromptComparison(BaseModel):
    prompt: str
    versions: list[str]
    diff: str  # unified diff of the prompt files, first version → second


class GateFailure(BaseModel):
    run: str
    suite: str
    metric: str
    score: float | None
    threshold: float
    message: str


class Report(BaseModel):
    started_at: str
    seconds: float
    today: str
    runs: list[RunResult]
    comparison: PromptComparison | None = None
    gates: dict[str, dict[str, float]] = {}
    gate_checked: bool = False
    gate_failures: list[GateFailure] = []
