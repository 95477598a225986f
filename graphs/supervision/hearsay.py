"""Words that are not the customer's own (the seventeenth pass of `sense`, redone): a message
quoted from its sender, a job's title, somebody else's story.

Why a module of its own: `sense.py`, `frames.py` and `asides.py` are near their size limit, and
all three frames answer one question — *whose* words are these? They only set listed words
aside (`sense.Mention`); they never add a hit, and the policy does not let them start the
anaphora of `sense.anaphoric` (`analysis.LIFTED`).

* **quoted**: a quote (「…」, “…”, "…", '…', up to 120 characters) whose source the turn names
  (the app says, a text saying, a banner reads, an e-mail, 簡訊寫著, 系統提示, 跳出, と出ました,
  라고 떠요): the words inside are the sender's. The customer quoting themselves ("I said
  'get me a human'", 我都說了「轉人工」) is not hearsay. The words outside the quote are read as
  usual, so a customer who takes it up ("The app says 'contact an agent'. So get me one.",
  系統提示「請聯繫人工」，那你趕快幫我轉人工) keeps the request.
* **job**: the clause is about a post, not a person wanted — applying, hiring, a CV (應徵, 應聘,
  履歷, 招募, 職缺, 徵兼職, "apply for the … job", "are you hiring"), or somebody's trade ("朋友是
  做律師的", "she works as a support agent").
* **story**: somebody else's past matter told as a statement or a question — a relative,
  friend, colleague or a stranger in the scene ("the guy ahead of me", 前面那個客人) who *was*
  charged, *asked*, *got* (被, 了, 上次, last week) — up to where the customer turns to their
  own need in a sentence of its own ("… I just need a SIM swap.", "Anyway, …", 我想問, 所以我
  想先問). Never a present wish of theirs nor a story the customer takes up: the customer's
  own clause after it is read as usual ("… I want mine too, refund me" keeps its word).

  Eighteenth pass (H62), kind `story` too: somebody else's *question* reported ("my kid asked
  if you're a real person"), to its clause's end; somebody else's *present wish* ("my mom
  wants to cancel hers", 有要攜碼的朋友), theirs only when the customer's own words after its
  clause are a question that asks nothing (`_theirs`: "My dad wants a person" stays a wish).

Patterns work on folded text (Simplified, lower case; 姊 and 徵 do not fold).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from graphs.supervision.people import SOMEONE

HearsayKind = Literal["quoted", "job", "story"]
Found = tuple[int, int, HearsayKind]
_CLAUSE: Final = re.compile(r"[^，。？！?!,;；\n]+")
_QUOTES: Final = re.compile(
    r"「([^」]{1,120})」|“([^”]{1,120})”|\"([^\"]{1,120})\"|‘([^’]{1,120})’"
    r"|(?<![a-z])'([^']{1,120})'(?![a-z])"
)


class HearsayRules(BaseModel):
    """Regexes of the three frames (admins may change them like every other rule)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    # where the quote came from, named just before it …
    source_before: str = (
        r"(?<![a-z])(?:says?|said|saying|shows?|showed|showing|reads?|reading|displays?|popped up"
        r"|pops up|text(?:ed)?|sms|e-?mail(?:ed)?|message|notification|banner|pop-?up|screen"
        r"|letter|prompt|written|writes|wrote)(?![a-z])"
        r"|写(?:着|著)|显示|提示|跳出(?:来)?|弹出(?:来)?|简讯|短信|通知|信(?:里|上)?(?:说|写)|发帖说|上面(?:说|写)"
    )
    # … or just after it (と出ました, 라고 떠요, 」的提示)
    source_after: str = (
        r"\s*(?:と(?:出|表示|书|言)|って(?:出|书)|라고|이라고|的(?:提示|通知|简讯|短信))"
    )
    # the customer quoting themselves: not somebody else's words
    own: str = (
        r"(?<![a-z])(?:i|we)\s+(?:\w+\s+)?(?:said|say|told you|typed|wrote|asked)\s*(?:,|:)?\s*$"
        r"|我(?:都|已经|刚刚|刚才|一直)?(?:说|讲|写|打)(?:了|过)?\s*[:：]?\s*$"
        r"|(?<![a-z])(?:my|our)\s+(?:last\s+|previous\s+)?(?:message|text|e-?mail|reply)(?![a-z])"
        r"|我(?:上一则|刚刚|刚才)?的?(?:讯息|留言|消息)"
    )
    max_gap: int = 40  # characters between the source and the quote
    # a post or a trade: hiring, applying, a CV, somebody who works as the word
    job: str = (
        r"应(?:徵|征|聘)|履历|招募|职缺|(?:徵|征)(?:兼职|全职|人|才)|招(?:聘|兼职|全职)|求职|面试"
        r"|是做[^，。？！?!,.]{1,6}的"
        r"|(?<![a-z])(?:apply(?:ing)? for (?:a|the|an|your)? ?(?:\w+ ){0,4}(?:job|position|role"
        r"|vacancy|opening)|are you hiring|(?:job|career) (?:opening|posting|listing|ad|fair)"
        r"|works? as an?|worked as an?|working as an?)(?![a-z])"
    )
    someone: str = SOMEONE  # somebody else (`people.py`: one lexicon for every frame)
    # a past or habitual matter (被, 了 as past markers of the story)
    story: str = (
        r"(?<![a-z])(?:had|wanted|needed|talked|spoke|called|asked|got|was|were|went|tried"
        r"|used to|kept|last (?:week|month|year|time)|yesterday|ago|[a-z]{3,}ed)(?![a-z])"
        r"|上次|之前|以前|上个?(?:礼拜|星期|周|月)|昨天|前天|每次|去年|被|了"
        r"|(?<![a-z])(?:a|ont|avait|avaient) (?:\w+ )?[a-zéèêç]{2,}é(?![a-z])"
        r"|(?<![a-z])(?:hat|hatte|haben|ist) (?:\w+ )*?ge[a-zäöüß]{2,}(?:t|en)(?![a-z])"
        r"|(?<![a-z])(?:dernier|dernière|hier|gestern|letzte[nm]?)(?![a-z])"
    )
    present_wish: str = r"(?<![a-z])(?:wants?|would like|needs?|will)(?![a-z])|现在要|想要|正要"
    # a clause that asks to be put through is not about a post ("面試前幫我轉人工")
    put_through: str = r"转|帮我|给我|找|(?<![a-z])(?:connect|transfer|speak|talk|put me)(?![a-z])"
    # where the customer speaks of themselves again: the story ends there
    first_person: str = (
        r"(?<![a-z])(?:i|i'm|i've|i'd|i'll|we|we're|we've|moi|je|ich)(?![a-z'])|(?<![a-z])j'|我"
    )
    # the customer turning to their own need: a sentence of its own, "anyway", 我想問
    # somebody else's question reported: "my kid asked if you're a real person", 我女儿问我你是
    # 不是真人 — the words up to the clause's end are theirs (after `someone`, at most 12 chars)
    asked: str = (
        r"(?<![a-z])(?:asked|asks|asking|wondered|wonders|wanted to know|wants to know)"
        r"(?:\s+me)?\s+(?:if|whether)(?![a-z])|问(?:我|过我)?(?:说)?(?=[^，。？！?!,;；\n]{2})"
    )
    # somebody else's present wish in a clause ("my mom wants to cancel hers", 我朋友想退款) or
    # described by it (有要携码的朋友): theirs when the customer's own words after it only ask
    wish: str = (
        r"(?<![a-z])(?:wants? to|would like to|is (?:thinking of|planning to|going to|looking to)"
        r"|plans? to|needs? to)(?![a-z])|想要|想|要|打算|准备|在考虑"
    )
    wished_by: str = (
        r"(?:想要|想|要|打算)[^，。？！?!,;；\s的]{1,8}的(?:朋友|同事|家人|亲戚|邻居|同学)"
        r"|(?<![a-z])(?:a|my) (?:friend|colleague|neighbou?r|relative)s? who (?:wants?|is"
        r" (?:thinking of|planning to|going to|looking to))(?![a-z])[^,.;?!]{1,40}"
    )
    # the customer taking a wish up as theirs too ("me too", 我也, "how do we …") or asking it
    # done for them ("for her", 帮她)
    joins: str = (
        r"我也|我们|咱们|(?<![a-z])(?:me too|mine too|me as well|we|us|our|ours|i also|i too"
        r"|as well|me and|for (?:her|him|them)|on (?:her|his|their) behalf)(?![a-z])"
        r"|(?:帮|替|给|为)(?:她|他|他们)"
    )
    own_turn: str = (
        r"(?:^|[.!?]\s+)(?:i\s+(?:just|only)\s+(?:need|want)|anyway)(?![a-z])"
        r"|(?<![a-z])anyway(?![a-z])|(?:所以|那)?我(?:是)?想(?:先)?(?:问|了解|确认)"
        r"|(?:^|[.!?]\s+)(?:moi|bref|ich wollte nur|jedenfalls)(?![a-z])|(?<![a-z])je me renseigne"
    )
    # a reported-speech ending after somebody named in its clause (친구가 환불 받았다던데,
    # 友達が解約したって聞いた; patterns folded, 聞 as 闻): what they said or did, told at
    # second hand
    reported: str = (
        r"(?:다|라)(?:던데|더라|더라고요?|고 (?:하던데|하더라|들었))|(?:했|받았|됐|봤)대(?:요)?"
        r"|(?:って|と)(?:闻いた|闻きました|言ってた|言っていました)|らしい(?:です)?"
    )


class _Compiled:
    def __init__(self, rules: HearsayRules) -> None:
        self.source_before = re.compile(rules.source_before)
        self.source_after = re.compile(rules.source_after)
        self.own = re.compile(rules.own)
        self.job = re.compile(rules.job)
        self.someone = re.compile(rules.someone)
        self.story = re.compile(rules.story)
        self.present_wish = re.compile(rules.present_wish)
        self.own_turn = re.compile(rules.own_turn)
        self.asked = re.compile(rules.asked)
        self.wish = re.compile(rules.wish)
        self.wished_by = re.compile(rules.wished_by)
        self.joins = re.compile(rules.joins)
        self.put_through = re.compile(rules.put_through)
        self.first_person = re.compile(rules.first_person)
        self.reported = re.compile(rules.reported)


@lru_cache(maxsize=16)
def _compiled(rules: HearsayRules) -> _Compiled:
    return _Compiled(rules)


def hearsay(
    folded: str,
    rules: HearsayRules,
    wishes: Callable[[str], bool],
    takes_up: re.Pattern[str] | None = None,
    question: Callable[[str], bool] | None = None,
) -> list[Found]:
    """Spans of `folded` in words that are not the customer's own (module doc); `wishes` is the
    caller's request cues, `takes_up` a wish for "one" of them after the span (`sense.anaphora`:
    "The app says 'contact an agent'. Just get me one." keeps its word)."""
    if not rules.enabled:
        return []
    c = _compiled(rules)
    found = [*_quoted(folded, c, rules.max_gap), *_jobs(folded, c), *_stories(folded, c, wishes)]
    found += _asked(folded, c, wishes) + _reported(folded, c, wishes)
    found += [] if question is None else _theirs(folded, c, wishes, question)
    return [f for f in found if takes_up is None or not takes_up.search(folded, f[1])]


def _quoted(folded: str, c: _Compiled, gap: int) -> list[Found]:
    """Quotes whose sender the turn names, not the customer's own words."""
    found: list[Found] = []
    for m in _QUOTES.finditer(folded):
        before = folded[max(0, m.start() - gap) : m.start()]
        named = c.source_before.search(before) or c.source_after.match(folded, m.end())
        if named and not c.own.search(before):
            found.append((m.start(), m.end(), "quoted"))
    return found


def _jobs(folded: str, c: _Compiled) -> list[Found]:
    """Clauses about a post or a trade."""
    return [
        (*m.span(), "job")
        for m in _CLAUSE.finditer(folded)
        if c.job.search(m.group()) and not c.put_through.search(m.group())
    ]


def _stories(folded: str, c: _Compiled, wishes: Callable[[str], bool]) -> list[Found]:
    """Somebody else's past matter, up to where the customer turns to their own need."""
    found: list[Found] = []
    for who in c.someone.finditer(folded):
        turn = c.own_turn.search(folded, who.end())
        if turn is None:
            continue
        own = c.first_person.search(folded, who.end(), turn.start())  # the customer again
        story = folded[who.start() : own.start() if own else turn.start()]
        if c.story.search(story) and not c.present_wish.search(story) and not wishes(story):
            found.append((who.start(), who.start() + len(story), "story"))
    return found


def _asked(folded: str, c: _Compiled, wishes: Callable[[str], bool]) -> list[Found]:
    """Somebody else's question reported ("my kid asked if you're a real person"): from the
    person to the end of the clause; not the customer's own question, nor one that asks to be
    put through (the customer may be asking for them)."""
    found: list[Found] = []
    for who in c.someone.finditer(folded):
        verb = c.asked.search(folded, who.end(), who.end() + 12 + 2)
        clause = _CLAUSE.match(folded, verb.end()) if verb else None
        if verb is None or clause is None or c.put_through.search(clause.group()):
            continue  # "my mom asked if I could talk to someone": the customer may be her proxy
        if wishes(folded[clause.end() :]) or c.joins.search(folded, clause.end()):
            continue  # "…, can you?": the customer takes the question up
        if not c.first_person.search(folded, who.end(), verb.start()):
            found.append((who.start(), clause.end(), "story"))
    return found


def _reported(folded: str, c: _Compiled, wishes: Callable[[str], bool]) -> list[Found]:
    """Somebody's deed told at second hand by its ending (-다던데, って聞いた), in one clause:
    from the person to the ending, unless the clause asks to be put through."""
    found: list[Found] = []
    for clause in _CLAUSE.finditer(folded):
        who = c.someone.search(clause.group())
        said = c.reported.search(clause.group(), who.end()) if who else None
        if who is None or said is None:
            continue
        span = clause.group()[who.start() : said.end()]
        if not (wishes(span) or c.put_through.search(span)):
            found.append((clause.start() + who.start(), clause.start() + said.end(), "story"))
    return found


# a clause's end: punctuation, or a space between two CJK characters (a casual comma)
_CLAUSE_END: Final = re.compile(
    r"[，。？！?!,;；\n]|\.(?=\s|$)|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)


def _theirs(
    folded: str, c: _Compiled, wishes: Callable[[str], bool], question: Callable[[str], bool]
) -> list[Found]:
    """Somebody else's present wish, decided by the customer's own words after its clause:
    a question that asks nothing ("my mom wants to cancel hers, what's the process?") leaves the
    wish theirs; nothing after it ("My dad wants a person"), a request ("…, can you do it for
    her?"), the customer's own "I"/我 before the wish, or a wish to be put through (the
    relative is in this chat) keeps it."""
    found: list[Found] = []
    starts = [(who.start(), who.end(), True) for who in c.someone.finditer(folded)]
    starts += [(m.start(), m.start(), False) for m in c.wished_by.finditer(folded)]
    for start, after, needs_wish in starts:
        stop = _CLAUSE_END.search(folded, after)
        end = stop.start() if stop else len(folded)
        wish = c.wish.search(folded, after, end) if needs_wish else None
        begin = max((m.end() for m in _CLAUSE_END.finditer(folded, 0, start)), default=0)
        if needs_wish and (
            wish is None
            or c.first_person.search(folded, after, wish.start())  # "my friend and I want"
            or c.first_person.search(folded, begin, start)  # "我跟我朋友都想"
            or c.joins.search(folded, begin, start)  # "me and my mom want …"
        ):
            continue
        rest = folded[end:]
        clause = folded[start:end]  # a relative who wants a person is in this chat: kept
        if (needs_wish and wishes(clause)) or c.put_through.search(clause):
            continue
        if not (_CLAUSE.search(rest) and question(rest)):
            continue
        if wishes(rest):
            continue
        if not (c.put_through.search(rest) or c.joins.search(rest)):
            found.append((start, end, "story"))
    return found
