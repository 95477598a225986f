"""Sarcasm: praise that means the opposite ("好棒棒喔 又斷線了", "another canned answer, super
helpful 🙄"). The lexicon scores such a turn as positive, so the sentiment rule never fires;
a supervisor reads it as anger.

The rule needs two things in one turn: an ironic-praise cue and a trouble cue (the thing that
went wrong, again). Praise alone ("太棒了，可以上網了") or trouble alone stays with the other rules.
Patterns are over folded text (Simplified, lower case).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class SarcasmRules(BaseModel):
    """Cue regexes for ironic praise and for the trouble it is about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    praise: str = (
        r"好棒棒|真是(?:太)?(?:谢谢|感谢)(?:你们|您)?(?:喔|哦|啊|呢|了)|谢谢你们喔|效率(?:真|好|超)高"
        r"|(?:真|好|超|超级|非常)(?:有|是有)效率|(?:真|好)厉害喔|呵呵|笑死|干得好|做得真好|(?:服务|客服)真好喔"
        # praise of a skill at failing: 很會繞圈圈 佩服佩服, 答非所問的本事真是一流
        r"|佩服|一流|真有你的|了不起"
        r"|(?<![a-z])(?:oh great|oh wonderful|oh perfect|super helpful|so helpful|very helpful"
        r"|really helpful|real helpful|how helpful|great job|well done|thanks a lot"
        r"|love that|love it|cool cool|just great|brilliant|fantastic)(?![a-z])|🙄|👏|/s(?![a-z])"
        r"|^\W*(?:amazing|wonderful|perfect|great|awesome|lovely|fantastic|brilliant|terrific)\W*[.!,]"
        r"|(?<![a-z])(?:génial|bravo|félicitations|super|toll|klasse|prima|großartig)(?![a-z])"
    )
    trouble: str = (
        r"又(?:断|是|不|没|坏|扣|来|多|停|当|卡|慢|掉|挂)|还是(?:不|没|一样|断)|一直(?:断|不|没|卡|掉)"
        r"|断(?:线|网|讯)|等了|没人|罐头|制式|复制贴上"
        # the answer misses the question or goes round in circles, no progress after a wait
        r"|答非所问|牛头不对马嘴|绕圈|原地打转|鬼打墙|(?:同样|一样|重复)的(?:回答|答案|话)|白等"
        r"|(?<![a-z])(?:where i started|square one|(?:going|go|went) (?:round|around) in circles"
        r"|not what i asked|after \d+ (?:minutes|mins|hours))(?![a-z])"
        r"|(?<![a-z])(?:encore (?:la|le|les|une) (?:même|fois)|toujours pas|même réponse"
        r"|schon wieder|immer noch nicht|(?:gleiche|dieselbe) antwort)(?![a-z])"
        r"|(?<![a-z])(?:another|yet another|same)\s+(?:canned|automated|useless|generic|copy|script"
        r"|link|bot|answer|reply|response)|canned|copy[- ]?paste"
        r"|still\s+(?:not|no|broken|down|nothing|waiting)"
        r"|in a row|(?<![a-z])(?:second|third|fourth|fifth|\d+th)\s+time(?![a-z])"
        # "again", but not "works again", "back up again"
        r"|(?<!works )(?<!working )(?<!back )(?<!up )(?<!online )(?<!fine )(?<![a-z])again(?![a-z])"
        r"|(?<![a-z])(?:is|was|are|were|that's|thats|it's)\s+(?:\w+\s+)?wrong(?![a-z])"
        r"|(?<![a-z])(?:not|never|isn't|doesn't|didn't)\s+(?:working|work|fixed|resolved|help)"
    )
    # ironic on its own, no trouble needed
    alone: str = r"(?<![a-z])thanks for nothing(?![a-z])|谢谢你们什么都没"


@lru_cache(maxsize=8)
def _compiled(rules: SarcasmRules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return re.compile(rules.praise), re.compile(rules.trouble), re.compile(rules.alone)


def sarcastic(folded: str, rules: SarcasmRules) -> str | None:
    """The ironic-praise cue of a turn that also names trouble, or None (module doc)."""
    if not rules.enabled:
        return None
    praise, trouble, alone = _compiled(rules)
    plain = alone.search(folded)
    if plain is not None:
        return plain.group()
    found = praise.search(folded)
    rest = folded if found is None else folded[: found.start()] + " " + folded[found.end() :]
    return found.group() if found and trouble.search(rest) else None
