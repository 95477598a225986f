"""Sarcasm: praise that means the opposite ("好棒棒喔 又斷線了", "another canned answer, super
helpful 🙄"). The lexicon scores such a turn as positive, so the sentiment rule never fires;
a supervisor reads it as anger.

The rule needs two things in one turn: an ironic-praise cue and a trouble cue (the thing that
went wrong, again). Praise alone ("太棒了，可以上網了") or trouble alone stays with the other rules,
and so does trouble told as over after it is named ("it was down again but your restart fixed
it"): then the praise is sincere. A few phrasings are ironic on their own (thanks *for* the
harm, 氣到笑, "recommend you to my enemies").
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
        # the virtue named against the fact (真稳定, 感人的速度, "great value", "best company ever")
        r"|(?:真|好|超)(?:是)?(?:稳定|贴心|感人|到位|有存在感)|真好欸|很有存在感|好感动|感人的|厉害了|真棒啊"
        r"|666|ㄏㄏ"
        r"|(?<![a-z])(?:great value|best (?:company|service|provider) ever|top[- ]notch|genius"
        r"|congrats|congratulations)(?![a-z])|さすが|대단하네요"
        # gratitude or a lesson learnt from the trouble: 学会了耐心, 等出感情, 受益匪浅
        r"|学会了耐心|等出(?:了)?感情|受益匪浅|太感谢(?:你们|您)?了?(?:喔|哦|啊)"
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
        # a count of two or more, or a length: 断五次, 第九天, "take 45 minutes", 일주일째
        r"|断(?:了)?[两二三四五六七八九十几\d]+次|第[二三四五六七八九十\d]+天|掉线|照断|人影"
        r"|(?<![a-z])(?<!only )(?<!just )(?:take|takes|took)\s+(?:[2-9]\d|\d{3,}|\d+\s+hours"
        r"|an? hour|\d+\s+days|\d+\s+weeks)(?:\s+minutes)?(?![a-z])"
        r"|(?<![a-z])(?:\d+|two|three|four|five|six|seven)\s+days?\s+without(?![a-z])"
        r"|일주일째|며칠째"
        # the bill wrong, a no-show, nothing gets through
        r"|多算|翻倍|多收|乱扣|(?<![a-z])(?:charg(?:ed|ing) me (?:twice|double|again)|throttled"
        r"|didn't show up|no[- ]show|dropped calls?|unrelated|that makes (?:three|four|five))"
        r"(?![a-z])"
        r"|都(?:传|发|打)不出去|等于没(?:问|说)|还是没"
    )
    # the trouble told as over after it is named: the praise is sincere ("it was down again this
    # morning but your restart fixed it", 又断了一次，不过已经修好了)
    over: str = (
        r"修好了|终于好了|已经好了|恢复了|解决了|正常了"
        r"|(?<![a-z])(?:fixed|sorted|resolved|works now|working now|back up|back to normal)"
        r"(?![a-z])"
    )
    # "no more dropped calls", "never throttled": trouble denied just before it is no trouble
    absent: str = (
        r"(?:(?<![a-z])(?:no|not|never|without)|n't)\s+(?:more\s+|been\s+)?$|(?:不再|没有|没)$"
    )
    # "still not fixed", 还没修好: an over-cue denied just before it is no ending
    denied: str = r"(?:(?<![a-z])(?:not|never)|n't)\s+(?:[a-z]+\s+)?$|(?:没|未)(?:有)?$"
    # ironic on its own, no trouble needed
    alone: str = (
        r"(?<![a-z])thanks for nothing(?![a-z])|谢谢你们什么都没|气到笑"
        # thanks *for* the harm itself ("thanks so much for charging me twice")
        r"|(?<![a-z])thanks?(?: you)?(?: so much| a lot)? for (?:charging|overcharging|cutting"
        r"|dropping|wasting|ignoring|throttling)(?![a-z])"
        r"|(?<![a-z])recommend (?:you|this|your \w+) to my (?:enemies|worst enemy)(?![a-z])"
    )


@lru_cache(maxsize=8)
def _compiled(rules: SarcasmRules) -> tuple[re.Pattern[str], ...]:
    patterns = (rules.praise, rules.trouble, rules.alone, rules.over, rules.denied, rules.absent)
    return tuple(re.compile(p) for p in patterns)


def sarcastic(folded: str, rules: SarcasmRules) -> str | None:
    """The ironic-praise cue of a turn that also names trouble, or None (module doc)."""
    if not rules.enabled:
        return None
    praise, trouble, alone, over, denied, absent = _compiled(rules)
    plain = alone.search(folded)
    if plain is not None:
        return plain.group()
    found = praise.search(folded)
    rest = folded if found is None else folded[: found.start()] + " " + folded[found.end() :]
    if found is None:
        return None
    told = next((m for m in trouble.finditer(rest) if not absent.search(rest[: m.start()])), None)
    if told is None:
        return None
    ended = (m for m in over.finditer(rest, told.end()) if not denied.search(rest[: m.start()]))
    return None if next(ended, None) else found.group()  # told as over: sincere praise
