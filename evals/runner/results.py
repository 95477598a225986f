"""What a run produces: per-case results, per-suite metrics, one run per prompt variant.

Pydantic models so the JSON report, the cache entries and the HTML report share one shape.
Metrics are scores in [0, 1] (higher is better) and are what gates compare; anything else a
suite wants to show (counts, tokens) goes in `info`. A suite scored on several splits has one
`SuiteResult` per split; `Report.summary` puts the splits side by side for every metric, which
is what the terminal table, the HTML table and a reader of the JSON compare.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

# Splits whose failing cases are counted but never named in the terminal or HTML report: a list
# of blind misses is an invitation to tune on them (the JSON report keeps per-case results).
UNNAMED_SPLITS: frozenset[str] = frozenset({"blind"})

Status = Literal["ok", "skipped", "error"]
Gates = dict[str, dict[str, dict[str, float]]]  # suite → split → metric → threshold
SPLITS: tuple[str, ...] = ("dev", "blind")  # report order; "dev" is a suite's `dataset`


class CaseResult(BaseModel):
    id: str
    passed: bool
    scores: dict[str, float] = {}
    details: dict[str, Any] = {}  # expected vs actual, for the per-case table
    error: str | None = None
    seconds: float = 0.0
    cached: bool = Field(default=False, exclude=True)  # set when read back, never stored


class SuiteResult(BaseModel):
    """One suite on one split of its cases."""

    name: str
    title: str
    split: str = "dev"
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

    def suite(self, name: str, split: str = "dev") -> SuiteResult | None:
        return next((s for s in self.suites if s.name == name and s.split == split), None)

    def splits_of(self, name: str) -> list[SuiteResult]:
        return [s for s in self.suites if s.name == name]


class PromptComparison(BaseModel):
    prompt: str
    versions: list[str]
    diff: str  # unified diff of the prompt files, first version → second


class GateFailure(BaseModel):
    run: str
    suite: str
    split: str = "dev"
    metric: str
    score: float | None
    threshold: float
    message: str


class SplitSummary(BaseModel):
    status: Status
    cases: int
    passed: int
    failing: list[str]  # ids of failing cases (" (error)" when the case raised)


class MetricRow(BaseModel):
    metric: str
    scores: dict[str, float | None]  # split → score (None: that split did not produce it)
    gates: dict[str, float] = {}  # split → threshold


class SuiteSummary(BaseModel):
    """One suite of one run with its splits side by side (dev | blind | gates)."""

    run: str
    suite: str
    splits: dict[str, SplitSummary]
    metrics: list[MetricRow]

    def score(self, metric: str, split: str) -> float | None:
        row = next((m for m in self.metrics if m.metric == metric), None)
        return row.scores.get(split) if row else None


def summarize_splits(run: RunResult, name: str, gates: Gates) -> SuiteSummary:
    results = run.splits_of(name)
    thresholds = gates.get(name, {})
    names: list[str] = []
    for result in results:
        names += [m for m in result.metrics if m not in names]
    for table in thresholds.values():
        names += [m for m in table if m not in names]
    rows = [
        MetricRow(
            metric=metric,
            scores={r.split: r.metrics.get(metric) if r.status == "ok" else None for r in results},
            gates={s: t[metric] for s, t in thresholds.items() if metric in t},
        )
        for metric in names
    ]
    splits = {
        r.split: SplitSummary(
            status=r.status,
            cases=len(r.cases),
            passed=r.passed,
            failing=[]
            if r.split in UNNAMED_SPLITS
            else [c.id + (" (error)" if c.error else "") for c in r.cases if not c.passed],
        )
        for r in results
    }
    return SuiteSummary(run=run.label, suite=name, splits=splits, metrics=rows)


class Report(BaseModel):
    started_at: str
    seconds: float
    today: str
    runs: list[RunResult]
    comparison: PromptComparison | None = None
    gates: Gates = {}
    gate_checked: bool = False
    gate_failures: list[GateFailure] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> list[SuiteSummary]:
        """Every suite of every run, splits side by side (written to the JSON, read by the
        terminal and HTML tables so the three always agree)."""
        return [
            summarize_splits(run, name, self.gates)
            for run in self.runs
            for name in dict.fromkeys(s.name for s in run.suites)
        ]

    @property
    def splits(self) -> list[str]:
        """Splits that appear anywhere in the report, dev first."""
        found = dict.fromkeys(s.split for run in self.runs for s in run.suites)
        return sorted(found, key=lambda s: (SPLITS.index(s) if s in SPLITS else len(SPLITS), s))
