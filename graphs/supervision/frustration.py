"""Frustration from repetition: the customer asks the same again, or says so ("第三次了", "again").

Why a rule of its own: a repeated question is often typed calmly ("帳單怎麼又多了兩百，這是第三
次了"), so the sentiment score stays above its threshold while a supervisor would step in.
Pure functions over folded text and the customer's earlier turns (`TurnContext.history`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from graphs.supervision.language import fold
from graphs.supervision.rules import RepeatRules


@dataclass(frozen=True, slots=True)
class Repetition:
    """Why the turn reads as asking again: the cue as typed, or how many earlier turns match."""

    cue: str | None
    repeats: int


@lru_cache(maxsize=8)
def _cues(rules: RepeatRules) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{c})" for c in rules.cues))


@lru_cache(maxsize=8)
def _told(rules: RepeatRules) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{c})" for c in rules.told)) if rules.told else None


def tells_repetition(text: str, rules: RepeatRules) -> bool:
    """The customer says they asked or told it N times (`rules.told`: "I've asked this three
    times", 我問了三次了)."""
    said = _told(rules)
    return said is not None and said.search(fold(text)) is not None


def _bigrams(folded: str) -> frozenset[str]:
    """Character bigrams of the letters and digits (punctuation and spaces dropped)."""
    chars = "".join(c for c in folded if c.isalnum())
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1)) or frozenset(chars)


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of character bigrams of two folded texts, in [0, 1]."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def repeats(text: str, history: Sequence[str], rules: RepeatRules) -> int:
    """How many earlier turns ask (nearly) the same as `text`; very short turns never count."""
    folded = fold(text)
    if len(_bigrams(folded)) < 4:  # "好", "ok", "還是不行" repeat without asking anything
        return 0
    return sum(1 for earlier in history if similarity(folded, fold(earlier)) >= rules.similarity)


def repetition(
    text: str, history: Sequence[str], rules: RepeatRules, score: float, told: bool = False
) -> Repetition | None:
    """The turn repeats itself (asked the same `rules.repeats` times before, or names the
    repetition: "third time", "又…第三次") *and* shows impatience (a negative score or a marker
    such as !, 又, 到底, still, why; with `told`, also the customer saying they asked N times,
    `rules.told`: the policy asks that last, when no other layer named the turn). A calm re-ask
    is left to the AI-failure counter."""
    if score > 0:
        return None
    count = repeats(text, history, rules)
    folded = fold(text)
    cue = _cues(rules).search(folded)
    if cue is None and count < rules.repeats:
        return None
    rest = folded if cue is None else folded[: cue.start()] + " " + folded[cue.end() :]
    impatient = score < 0 or any(fold(m) in rest for m in rules.markers)
    impatient = impatient or (told and tells_repetition(text, rules))
    if impatient or (cue is not None and count):
        return Repetition(None if cue is None else text[cue.start() : cue.end()], count)
    return None
