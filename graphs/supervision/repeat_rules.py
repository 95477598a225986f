"""Repetition cues of the escalation policy (`frustration.py` applies them).

Kept apart from `rules.py` so that module stays under its size limit; `rules.RepeatRules` is
the same class (re-exported there).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RepeatRules(BaseModel):
    """Frustration from repetition: the same question again, or "this is the third time"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # regexes over folded text that say the customer is repeating themselves
    cues: tuple[str, ...] = (
        r"第[二三四五六七八九十几两2-9]+(?:次|遍)", r"(?:几|好几|很多|多少|n)(?:次|遍)了",
        r"(?:说|问|讲|打|讲了|说了|问了|打了)(?:了)?(?:几|好几|很多|多少|[二三四五2-5])(?:次|遍)",
        r"又(?:是|来)这样|一直(?:重复|问|讲|说)|有完没完|每次都(?:这样|一样)",
        r"(?<![a-z])(?:ask|asking|asked|tell|telling|told|explain|explaining|say|saying)\s+"
        r"(?:you\s+|this\s+|it\s+|that\s+)?(?:again|once more)(?![a-z])",
        r"(?<![a-z])(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th)\s+time",
        r"(?<![a-z])(?:two|three|four|five|several|multiple|many|[2-9])\s+times",
        r"(?<![a-z])(?:how many times|over and over|keep(?:s)? (?:asking|telling|saying|"
        r"repeating|giving)|same (?:answer|reply|question|thing))(?![a-z])",
        r"(?:noch\s?mal|schon\s+(?:wieder|zweimal|dreimal))|何度も|また同じ",
        r"zum\s+(?:zweiten|dritten|vierten|fünften|x-ten)\s+mal|(?:zwei|drei|vier|fünf)mal",
        r"(?:das|die)\s+(?:zweite|dritte|vierte|fünfte|x-te)\s+mal",
    )  # fmt: skip
    # the customer says *they* asked or told it N times ("I've asked this three times now: …",
    # 我問了三次了): impatient by itself, but asked last, when neither the rules nor the examples
    # named the turn (a bare count, "third time renewing", still needs a marker)
    told: tuple[str, ...] = (
        r"(?<![a-z])(?:i|i've|i have|i've already|i already|i have already)\s+(?:asked|told|said"
        r"|explained|typed|written|repeated)\s+(?:\w+\s+){0,3}?"
        r"(?:two|three|four|five|several|multiple|many|[2-9]|\d+)\s+times",
        r"(?:说|问|讲)了?(?:几|好几|很多|多少|[二三四五2-5])(?:次|遍)了",
        r"(?:schon|bereits)\s+(?:zwei|drei|vier|fünf|mehr)(?:mal|\s+mal)\s+(?:gefragt|gesagt|erklärt)",
    )
    # repetition escalates when the turn is also not positive and carries one of these
    markers: tuple[str, ...] = (
        "!", "又", "还是", "到底", "为什么", "怎么又", "??", "still", "again", "why", "nobody",
        "no one", "already", "已經", "immer noch", "schon wieder", "warum", "reicht", "endlich",
        "一样的问题", "同样的问题", "要我", "i'm done", "fed up", "enough", "sick of", "tired of",
    )  # fmt: skip
    # a turn this similar (character-bigram Jaccard) to an earlier one asks the same again
    similarity: float = Field(default=0.6, ge=0, le=1)
    # escalate after the customer asked the same this many times before (with this turn: +1)
    repeats: int = Field(default=2, ge=1)
