"""Three more frames of a *mention* (the sixteenth pass of `sense`): the customer says why they
ask, asks a price or the hours in a language the other frames do not read, or tells what
somebody else did.

Why a module of its own: `sense.py` and `frames.py` are at their size limit, and all three
are statements about how people talk, not about one word:

* **idle**: a question the customer declares idle — curiosity ("只是好奇", "just curious."),
  fiction ("I'm writing a short story"), study for a question about people in general
  ("律師函一般要多久才有回應？我在做作業", "for a school project: how do customers complain?"),
  "asking in general" (先問一下而已, "nur so gefragt", 参考までに, 그냥 궁금해서). Every listed
  word in such a turn is named, not used: a customer who needs a person now does not say the
  question is idle. Only in a turn that asks something and carries no request cue ("只是好奇，
  幫我轉人工" keeps its 幫我), not curiosity *about* a delay ("just curious why my refund
  is late" has no stop after "curious": the idle cue must close its clause), and not beside the
  customer's own trouble ("Out of curiosity, why haven't I received my refund yet?").
* **price or hours** in Korean, German and Japanese: the sentence that holds the word asks
  what it costs or when it is open ("상담원 연결은 주말에도 되나요?", "Ist das Gespräch mit einem
  echten Mitarbeiter kostenpflichtig?", "オペレーターは何時まで？"), as `sense.cost` and the
  hours ignore patterns read Chinese and English; not when the sentence says *now* or asks
  politely to act (지금, 바로, 주세요, jetzt, bitte, 今すぐ, お願い).
* **somebody else's contact**: who wants the person. A relative, friend or colleague who *had*
  to call, wanted an agent or got a refund (a past or habitual story: had, wanted, last week,
  上禮拜, 每次都, musste), up to where the customer says they need less ("but I'd rather try
  here", "but mine was fine", "but I only need", 我這邊沒事, 我只是想問, bei mir): the words in
  that story are theirs. The customer's own clause after it is read as usual ("…, but I just
  need a refund" keeps its word); only in a turn that asks something, never for a present wish
  ("My mum wants a manager"), and not when the customer takes the story up ("My husband was
  promised a refund, but I still haven't got it" is a demand).

Patterns work on folded text (Simplified, lower case; kana and hangul unchanged), so a
Japanese word is written as it folds: 興味本位 → 兴味本位, 営業時間 → 营业时间.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from graphs.supervision.people import SOMEONE

AsideKind = Literal["idle", "cost", "hours", "third_party"]
Found = tuple[int, int, AsideKind]
_SENTENCE = re.compile(r"[^。？！?!]+[。？！?!]?")


class AsideRules(BaseModel):
    """Regexes of the three frames (admins may change them like every other rule)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # the question declared idle: curiosity, fiction, "in general"
    idle: tuple[str, ...] = (
        r"(?:只是|纯粹|单纯|出于)好奇|好奇(?:问问|问一下|而已)|随便问问|(?:只是|单纯|纯粹)?问(?:问|一下)而已"
        r"|(?:只是|单纯|纯粹)问问|(?:写|编)(?:个|一篇|篇)?(?:小说|剧本|故事)",
        r"(?<![a-z])(?:just|only|purely)\s+(?:curious|wondering|asking)(?=\s*(?:[.!,;)~]|$|-))",
        r"(?<![a-z])(?:out of (?:pure )?curiosity|asking (?:in general|hypothetically)"
        r"|(?:purely|totally|just) (?:hypothetical|fictional)|hypothetically speaking"
        r"|writing (?:a|an|my) (?:short story|novel|screenplay))(?![a-z])",
        r"(?<![a-z])(?:nur|rein)\s+(?:aus\s+)?(?:neugier|interessehalber)|nur (?:mal )?so gefragt",
        r"兴味本位|参考までに|ちょっと気になって|그냥 궁금|궁금해서(?:요)?(?=\W|$)",
    )
    # study is a purpose only for a question about people in general ("我在寫論文，網路一直斷，
    # 要不要退費？" is the customer's own line): homework, a thesis, a school project …
    study: str = (
        r"(?:写|做|交|赶)(?:个|一份|一篇|篇)?(?:作业|功课|报告|论文|研究)|(?:作业|论文|报告)(?:要用|用的)"
        r"|(?<![a-z])(?:(?:school|class|college|uni|university|course)\s+(?:project|assignment"
        r"|essay|paper|report)|(?:writing|for)\s+(?:a|an|my)\s+(?:essay|thesis|dissertation"
        r"|homework|coursework)|für (?:eine|meine) (?:hausarbeit|seminararbeit|abschlussarbeit))"
        r"(?![a-z])|レポート|宿题|卒论|과제|숙제|논문"
    )
    general: str = (
        r"一般|通常|大家|人们|消费者|用户|民众|(?<![a-z])(?:usually|typically|in general|generally"
        r"|normally|people|customers|consumers|üblicherweise|normalerweise|allgemein)(?![a-z])"
        r"|普通|보통|일반적"
    )
    # the customer's own trouble told beside it: the question is not idle ("Out of curiosity,
    # why haven't I received my refund yet?", 只是好奇，退款到現在還沒到？)
    trouble: str = (
        r"(?<![a-z])(?:haven't|hasn't|have not|has not|still|never|not yet|again)(?![a-z])"
        r"|还没|没收到|一直|到现在|又"
    )
    # a price or the hours, asked in Korean, German, Japanese
    price: str = (
        r"(?<![a-z])(?:kostenpflichtig|kostenlos|kostet|gebühr(?:en)?|gratis)(?![a-z])"
        r"|유료|무료|요금|비용|돈이\s?(?:드|들)|有料|无料|料金|费用|お金(?:が)?かか|いくら"
    )
    hours: str = (
        r"몇\s?시|주말|공휴일|평일|영업\s?시간|운영\s?시간|야간|밤에"
        r"|(?<![a-z])(?:öffnungszeiten|erreichbar|wochenende|samstags?|sonntags?|feiertags?"
        r"|bis wann|wie viel uhr)(?![a-z])|何时|土日|周末|祝日|营业时间|受付时间|平日|夜间"
    )
    # now, or a polite ask to act: the sentence is a request, not a question about the service
    # somebody else as the subject, a past or habitual story, the customer again
    someone: str = SOMEONE  # somebody else (`people.py`: one lexicon for every frame)
    story: str = (
        r"(?<![a-z])(?:had|wanted|needed|talked|spoke|called|asked|got|was|were|went|tried"
        r"|used to|keeps|kept|always|last (?:week|month|year|time)|yesterday|ago|musste|wollte"
        r"|hatte|war|meinte|letzte)(?![a-z])|上次|之前|以前|上个?(?:礼拜|星期|周|月)|昨天|前天|每次|总是|去年"
    )
    present_wish: str = (
        r"(?<![a-z])(?:wants?|would like|needs?|will|möchte|will)(?![a-z])|现在要|想要"
    )
    # the customer again, saying they need less (not "…, but I still haven't got it")
    again: str = (
        r"(?<![a-z])(?:(?:but|though|whereas)\s+(?:i(?:'m| am)\s+(?:only|just|fine|ok|okay|good"
        r"|not)|i\s+(?:just|only)\s+(?:need|want)|i(?:'d| would)\s+rather|mine\s+(?:was|is|went"
        r"|worked)|for\s+me)|i'd rather)(?![a-z])|(?:但|不过|可是|而)?我(?:这边|这里|的话)?(?:没事"
        r"|没问题|不用|不需要|只是|只想|只要|就好|还好)|我自己(?:来|弄|处理|试|用)"
        r"|(?<![a-z])(?:bei mir|aber ich (?:brauche|möchte|will) nur|ich selbst)(?![a-z])"
    )
    now: str = (
        r"지금|바로|주세요|해줘|부탁|(?<![a-z])(?:jetzt|sofort|bitte|heute)(?![a-z])"
        r"|今すぐ|すぐ|お愿い|ください|たい"
    )


class _Compiled:
    def __init__(self, rules: AsideRules) -> None:
        self.idle = re.compile("|".join(f"(?:{p})" for p in rules.idle))
        self.study = re.compile(rules.study)
        self.general = re.compile(rules.general)
        self.trouble = re.compile(rules.trouble)
        self.price = re.compile(rules.price)
        self.hours = re.compile(rules.hours)
        self.now = re.compile(rules.now)
        self.someone = re.compile(rules.someone)
        self.story = re.compile(rules.story)
        self.present_wish = re.compile(rules.present_wish)
        self.again = re.compile(rules.again)


@lru_cache(maxsize=16)
def _compiled(rules: AsideRules) -> _Compiled:
    return _Compiled(rules)


def asides(
    folded: str,
    rules: AsideRules,
    question: Callable[[str], bool],
    wishes: Callable[[str], bool],
) -> list[Found]:
    """Spans of `folded` where listed words are mentioned (module doc): the whole turn when it
    is declared idle, the sentence that asks a price or the hours in ko/de/ja. `question` is
    the caller's question form, `wishes` its request cues ("may I ask" left out)."""
    if not question(folded):
        return []
    c = _compiled(rules)
    found = _someone(folded, c, wishes)
    if wishes(folded):
        return found
    idle = c.idle.search(folded) or (c.study.search(folded) and c.general.search(folded))
    if idle and not c.trouble.search(folded):
        return [(0, len(folded), "idle")]
    for m in _SENTENCE.finditer(folded):
        sentence = m.group()
        if c.now.search(sentence) or not question(sentence):
            continue
        kind: AsideKind | None = (
            "cost" if c.price.search(sentence) else "hours" if c.hours.search(sentence) else None
        )
        if kind is not None:
            found.append((*m.span(), kind))
    return found


def _someone(folded: str, c: _Compiled, wishes: Callable[[str], bool]) -> list[Found]:
    """Somebody else's past contact, up to where the customer speaks again (module doc)."""
    found: list[Found] = []
    for who in c.someone.finditer(folded):
        again = c.again.search(folded, who.end())
        if again is None:
            continue
        story = folded[who.start() : again.start()]
        if c.story.search(story) and not c.present_wish.search(story) and not wishes(story):
            found.append((who.start(), again.start(), "third_party"))
    return found
