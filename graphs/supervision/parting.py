"""Calm turns the rules used to misread (the eighteenth pass): a customer who says goodbye
after giving up, and a light joke.

Why a module of its own: both are read from the customer's whole turn (cues, no request, no
bad word), not from a listed word's frame, and both only keep a turn calm; they add no hit.

* **leaving** (a resigned closure): the customer says they are going — a goodbye (拜拜, bye,
  tschüss) or where they go instead (我自己去門市, "I'll go to the store") — maybe after giving
  up (算了, 不問了, 沒關係, never mind), with no request cue, no question and no bad word once
  the cues are taken out ("好啦 不問了 掰掰"). The AI-failure counter stays quiet, as for a
  thankful closure: the customer has ended the chat, and an agent who takes it over writes to
  nobody (seed 003: escalation hands a session to an agent; the customer can still press the
  人工客服 button). Giving up alone ("算了", "nvm") is not leaving: the customer is still in
  the chat, and after three failures that is when a person helps (dev esc-2051, esc-2220).
  Anger ("算了，爛透了，拜拜"), a threat or a churn word still escalates by its own rule; a
  VIP's first failure still counts (`VipRules`: the lower bar is the point).
* **joking**: laughter (哈哈, lol, 😂, ㅋㅋ) with a comparison or praise, no request cue and no
  bad word ("你打字比我老闆還有耐心 哈哈"): teasing, not trouble; the semantic layer, whose
  nearest examples read the comparison as a complaint, is not asked. Laughter *at* the
  service (笑死, 搞笑, 🤡, "are you kidding") is mockery, not a joke. Sarcasm is a rule before
  it (`sarcasm.py`), and every rule still fires.

Patterns work on folded text (Simplified, lower case).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

# the customer says they are going: a goodbye, or where they go instead
_GOING: Final = (
    r"再见|拜拜|掰掰|回头见|下次(?:再)?(?:聊|问)"
    r"|(?<![a-z])(?:bye(?:-bye)?|goodbye|see ya|see you|cya|take care|tschüss|tschüs"
    r"|auf wiedersehen|au revoir|adios|adiós|hasta luego|ciao)(?![a-z])"
    r"|またね|さようなら|안녕히|tạm biệt"
    r"|我(?:自己|改天|明天|再|还是)*(?:去|到|跑一趟)(?:门市|门店|营业厅|店里)(?:问|办|看看)?(?:好了|吧)?"
    r"|(?<![a-z])(?:i'll (?:just )?(?:go|head|drop by|stop by|pop) (?:in|into|to|by)?\s?"
    r"(?:the |a )?(?:store|shop)|i'll figure it out)(?![a-z])"
)
# giving up: allowed beside a goodbye, taken out before scoring; alone, the customer is still
# in the chat ("算了", "nvm" at three failures: the moment a person helps, so it escalates)
_GIVING_UP: Final = (
    r"算了(?:吧)?|不问了|不用了|没关[系係](?:啦)?|没事了|不麻烦(?:你)?了|就这样吧"
    r"|(?<![a-z])(?:never ?mind|nvm|forget it|forget about it|don't worry about it)(?![a-z])"
    r"|vergiss es|schon gut|laisse tomber|tant pis|olvídalo|déjalo|もういい"
)
_GOES: Final = re.compile(_GOING)
_CUES: Final = re.compile(f"{_GOING}|{_GIVING_UP}")
_LAUGHTER: Final = re.compile(
    r"哈哈|嘻嘻|嘿嘿|😂|🤣|😆|😄|😁|ㅋㅋ|ㅎㅎ|（笑）|\(笑\)"
    r"|(?<![a-z])(?:lol|lmao|rofl|ha(?:ha)+h?|he(?:he)+|ja(?:ja)+|je(?:je)+|mdr|xd)(?![a-z])"
)
# laughter *at* the service: mockery, not a joke shared (笑死, 搞笑, 🤡, "are you kidding")
_MOCKING: Final = re.compile(
    r"笑死|搞笑|可笑|好笑|笑掉|笑话|小丑|🤡|🙄|🙃"
    r"|(?<![a-z])(?:kidding|clown\w*|you call this|laughable|hilarious(?:ly)?)(?![a-z])"
)
# a tease compares (你比我們公司的IT好溝通, "faster than my ISP") or praises: laughter with
# neither may be contempt ("lol ok robot"), left to the examples
_TEASING: Final = re.compile(
    r"比[^，。！？,.!?]{1,12}(?:还|更|多了|得多|快|好|强|厉害|聪明|有耐心|可爱)"
    r"|(?<![a-z])(?:[a-z]{2,}er|more \w+|better|less \w+) than(?![a-z])"
)
_QUESTION: Final = re.compile(r"[?？]|吗|呢(?=$|\s|[，。！!,.])")
_MAX_LEFT: Final = 16  # characters of the turn besides the cues: a goodbye, not a story


def leaving(folded: str, asks: bool, score: Callable[[str], float]) -> bool:
    """A resigned closure: giving up or saying goodbye, nothing asked, nothing bad said.
    `score` is the policy's sentiment scorer, run on the turn with the cues taken out (a
    negator before a goodbye, 不问了 拜拜, must not read as "not bye")."""
    if asks or not _GOES.search(folded) or _QUESTION.search(folded):
        return False
    rest = _CUES.sub(" ", folded)
    if sum(ch.isalnum() for ch in rest) > _MAX_LEFT:
        return False
    return score(rest) >= 0


def joking(folded: str, asks: bool, score: float) -> bool:
    """A light joke or teasing: laughter with a comparison or praise, nothing asked, no bad
    word (score not below 0), no mockery."""
    if asks or score < 0 or _MOCKING.search(folded) or not _LAUGHTER.search(folded):
        return False
    return score > 0 or _TEASING.search(folded) is not None
