"""Sense rules of the escalation policy: a word *mentioned* is not a word *used*.

Why: the keyword and request lists find 人工, 投訴, refund, agent wherever they are typed, but a
customer often names them without asking for anything: a question about what the word means
("消保官是什麼？", "what's the difference between a complaint and a dispute"), a conditional
question about later ("如果以後要找真人客服，要按哪個鍵？", "if I ever need a person later, what
number would I call?"), what someone else said ("我朋友說找真人比較快，真的嗎？"), or the word
inside a web address. Ignore phrases cover fixed expressions (人工智慧, refund policy); these
rules cover the *frames* around any listed word, in every group, so no list has to foresee it.

Each frame marks a span of the folded text; a hit inside one is a mention, not a request, and
the decision's explanation can name the frame (`Mention.kind`):

* **url**: a web or mail address (…/refund, agents@…): always a mention.
* **definition**: the word is the subject of a question about its meaning or difference
  ("X是什麼", "X跟Y有什麼不一樣", "什麼是X", "what does X mean", "difference between X and Y"):
  always a mention; a request in another clause ("人工是什麼意思我不管，我就是要真人") still counts.
* **cost**: the word is the subject of a question about its price ("找真人客服要付錢嗎",
  "投訴要錢嗎", "is it free to talk to an agent?"), with no request cue before it in its clause.
* **necessity**: a question whether a step is required ("would I need to speak to someone?",
  "is a lawyer needed to …?", "是不是一定要找客服？").
* **staff**: a question about the staff as a group ("do supervisors get notified …?", "are
  your agents based in …?", "客服專員都是正職嗎？"); one that asks for their help or presence
  ("are your agents available?", "can your agents help") is not.
* **conditional**: the word sits in an if-clause ("如果以後…", "if I ever…") followed by a main
  clause that is a question and asks for nothing: no request cue, no ask to act ("如果要轉人工，
  能幫忙嗎？", "if I need a human, is that possible?" are polite requests), not a tag such as
  "understood?". Decision (docs/escalation.md):
  "if I wanted a person, how would I…" asks *how*, and is answered; "如果你處理不了，請幫我轉人工"
  keeps its request, which is in the main clause.
* **reported**: the word is in what somebody else said, wrote or was heard ("朋友說…", "聽說…",
  "my friend said…", "I read that…"), up to the end of that clause, and the turn is a question
  ("…，真的嗎？"). "我律師說要告你們" (no question) and "我說了要轉人工" (first person) are not.
* more frames in `frames.py` (choices, other languages' price and process, somebody else's
  matter), `asides.py` (a question declared idle, ko/de/ja price or hours, who wants it) and
  `hearsay.py` (a quote's named sender, a job, somebody else's story told as a statement).

**Anaphora** works the other way: "人工要收費嗎？好啦不管，直接幫我轉一個", "does an agent cost?
I don't care, connect me to one" mention the word in a question and then ask for "one" of it;
`anaphora` finds that wish so the policy can escalate on the word mentioned before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from graphs.supervision.asides import AsideRules, asides
from graphs.supervision.frames import CHOICE, FrameRules, frames, wider
from graphs.supervision.hearsay import HearsayRules, hearsay
from graphs.supervision.language import fold

MentionKind = Literal[
    "url", "definition", "cost", "necessity", "staff", "conditional", "reported", "third_party",
    "temporal", "measure", "idle", "hours", "quoted", "job", "story",
]  # fmt: skip
Span = tuple[int, int]
G = TypeVar("G")
_CLAUSE_END: Final = "，。？！?!,.;；：:\n"


class SenseRules(BaseModel):
    """Regexes over folded text (Simplified, lower case) for the frames of a mention."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # choices, other languages, somebody else's matter (frames.py)
    more: FrameRules = FrameRules()
    asides: AsideRules = AsideRules()  # an idle question; a price or hours in ko/de/ja
    hearsay: HearsayRules = HearsayRules()  # a quote's sender, a job, somebody else's story
    url: str = (
        r"(?:https?://|www\.)[^\s，。]+|[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s，。]*"
        r"|[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    )
    # the whole match is the question about a word (its subject included)
    definition: tuple[str, ...] = (
        # X是什麼 / X什麼意思 / X跟Y有什麼不一樣 / X是幹什麼的 (at the end of a clause)
        r"[^，。？！?!,.;；:：\s你我他她要想请帮去了都还]{1,12}?(?:到底|究竟)?"
        r"(?:是(?:什么|啥|干什么的|干嘛的|做什么的|谁|哪个单位|指什么)(?:意思)?|(?:是)?什么意思"
        r"|有(?:什么|啥)(?:不一样|不同|区别|差别|差异)|差(?:在|别在)哪(?:里)?|(?:的)?(?:区别|差别)"
        r"(?:是什么|在哪)?|指的是(?:什么|啥)"
        # what it looks like: 律師函一般長什麼樣
        r"|(?:一般|通常|大概)?(?:长|是)(?:什么|啥|怎)样(?:子)?)(?=$|[，。？！?!,.\s吗呢啊呀])",
        r"(?:什么是|什么叫|何谓|何为)[^，。？！?!,.;；]{1,10}",
        r"(?<![a-z])what\s+(?:does|do|did)\s+(?:the\s+word\s+|the\s+term\s+)?[^.?!,;]{1,30}?"
        r"\s+mean(?![a-z])",
        r"(?<![a-z])(?:difference|differences)\s+between\s+[^.?!;]{1,50}",
        r"(?<![a-z])what\s+(?:does|do|would)\s+[^.?!,;]{1,30}?\s+look\s+like(?![a-z])",
        r"(?<![a-z])(?:the\s+meaning\s+of|definition\s+of|what\s+do\s+you\s+mean\s+by)"
        r"\s+[^.?!,;]{1,30}",
        r"(?<![a-z])what(?:'s|\s+is|\s+are)\s+(?:an?\s+)?[a-z]+(?:\s+[a-z]+)?\s*\?",
        # the default for other languages: was ist / qu'est-ce que / qué es …, X とは / X って何
        r"(?<![a-z])(?:was\s+(?:ist|sind|bedeutet|heißt)|qu'est-ce\s+qu(?:e\s+|')|que\s+veut\s+dire"
        r"|qué\s+(?:es|son|significa))\s*[^.?!,;]{1,30}",
        r"[^。？?！!、，,\s]{1,12}?(?:とは|って)(?:何|なん|どういう)",
    )
    # a question about what the word costs: "X要錢嗎" (subject and price, the match is the span);
    # in English the clause that asks a price ("is it free to talk to an agent?")
    cost_zh: str = (
        r"[^，。？！?!,.;；:：\s你我他她想请帮]{1,10}?(?:要不要|要|需要|会不会|会|是否|有没有|有)?"
        r"(?:另外|额外|另行)?(?:收费|付费|付钱|要钱|花钱|扣钱|计费|算钱|费用|多少钱|免费|手续费)"
    )
    cost_en: str = (
        r"(?<![a-z])(?:is it free|free of charge|how much (?:is it|does it cost|do you charge"
        r"|would it cost|will it cost)|(?:does|do|will|would)\s+(?:it\s+|that\s+|this\s+)?"
        r"(?:\w+\s+){0,5}?cost|is there (?:a|any) (?:fee|charge|cost)|do you charge|what(?:'s| is)"
        r" the (?:cost|price|fee|charge)|costs? (?:extra|anything|money|something)"
        r"|(?:is|are) (?:\w+\s+){0,4}free)(?![a-z])"
    )
    # whether a step is required ("would I need to speak to someone?", "is a lawyer needed to
    # transfer a line?", "是不是一定要找客服？"): a question about the process, not a wish
    necessity: tuple[str, ...] = (
        # the required step itself is the contact ("need to talk to…"), not "have to beg to get…"
        r"(?<![a-z])(?:do|would|will|does|should|must)\s+(?:i|we|one|my \w+)\s+(?:\w+\s+)?"
        r"(?:need|have|got)\s+to\s+(?:talk|speak|chat|call|phone|contact|see|consult|hire"
        r"|involve|ask for|go through)(?![a-z])[^.?!,;]{0,40}\?",
        r"(?<![a-z])(?:is|are)\s+(?:a|an|any)\s+[\w ]{1,20}?\s+(?:needed|required|necessary)"
        r"[^.?!,;]{0,40}\?",
        r"(?:是不是|需不需要|是否需要|一定要|必须|非得)(?:先|要)?(?:找|请|转|联系|打给?|通过)"
        r"[^，。？！?!,]{0,12}?(?:吗|么|嘛|才[^，。？！?!,]{0,12})[？?]",
    )
    # a question about the staff as a group (plural or "all"), not a request for one of them:
    # "do supervisors get notified …?", "are your agents based in …?", "客服專員都是正職嗎？";
    # a predicate that asks for their help or presence (help, talk, available …) is left out
    staff: tuple[str, ...] = (
        r"(?<![a-z])(?:do|does|are|is|were|was|will|did)\s+(?:your\s+|the\s+|all\s+(?:your\s+)?)?"
        r"(?:(?:live|human|real)\s+)?(?:agents|supervisors|managers|reps|representatives|humans"
        r"|staff)\s+(?!(?:help|talk|speak|call|contact|available|there|online|around|free|able"
        r"|work on|handle|deal|reply|answer|respond|ever)(?![a-z]))[^.?!,;]{1,40}\?",
        r"(?:你们的?)?(?:客服|专员|客服专员|客服人员|人工客服|真人客服|主管|经理)(?:们)?都是"
        r"[^，。？！?!,]{1,12}(?:吗|么|嘛)?[？?]",
    )
    # "may I ask" is how a question opens, not a request cue (请问 holds 请, 麻烦问下 holds 麻烦)
    polite_ask: str = (
        r"请问|麻烦(?:请问|问)(?:一下|下)?|想问(?:一下|下)?|请教(?:一下)?|(?<![a-z])(?:may|can|could)"
        r" i ask(?![a-z])"
    )
    # an if-clause: the marker up to the comma (or 的話/就) that opens the main clause
    conditional: tuple[str, ...] = (
        # closed by a comma, 的話, 就, or the space chat uses as a comma (如果之後想申訴 會不會…)
        r"(?:如果|假如|要是|若是|倘若|万一|假设|假使|哪天)[^，。？！?!,.;；]{1,25}?(?=[，,]|的话|就|\s)",
        # "转人工的话，…？": a clause closed by 的話 is an if-clause without 如果
        r"(?:^|(?<=[，。？！?!,.;；\s]))[^，。？！?!,.;；\s]{1,15}?(?=的话)",
        r"(?<![a-z])(?:if|in case|whenever|should i ever)\s+[^,.;?!]{1,60}?(?=,|\s+(?:then|i'll"
        r"|i will|we'll|i'm going to|i am going to|i'm gonna)(?![a-z]))",
    )
    # a main clause that asks the agent to act ("如果要轉人工，能幫忙嗎？", "if I need a human,
    # is that possible?") makes the if-clause a polite request, not a hypothesis
    action_ask: str = (
        r"帮忙|帮我|协助|安排|处理一下|行不行|可不可以"
        r"|(?<![a-z])(?:possible|arrange|help me|can you|could you|would you|will you)(?![a-z])"
    )
    # the main clause after an if-clause must be a real question, not a check that the threat
    # was heard ("…, understood?", "…，聽懂了嗎？")
    tag_question: str = (
        r"^\W*(?:understood|ok|okay|got it|right|clear|capisce|(?:do )?you hear me|is that clear"
        r"|听懂了?|懂|明白|知道|清楚|好|行|对)(?:了)?(?:吗|么|没有?|不)?\W*$"
    )
    # what somebody else said or wrote; the clause after the cue is reported
    reported: tuple[str, ...] = (
        # 說/講 after somebody who speaks (朋友說, 我媽叫我); alone it is also "speak a language"
        # (找個會說中文的真人, 會講台語的客服)
        r"(?:朋友|同事|同学|家人|爸|妈|哥|姐|弟|妹|老公|老婆|先生|太太|女儿|儿子|亲戚|邻居|别人|人家|阿姨|叔叔"
        r"|阿嬷|阿公|奶奶|爷爷|外婆|舅舅|室友|男友|女友|学长|学姐"
        r"|大家|网友|他|她|他们|她们|主管|经理|老板|老师|新闻|网上|网路|网站|文章|广告)"
        r"(?:也|都|有|跟我|和我|对我|之前|上次|刚刚|一直)?(?:说|讲|告诉我|叫我|提醒我|推荐我|建议我|要我)"
        r"(?!话|明|服|清楚|中文|英文|国语|台语|粤语|人话)",
        r"听说|据说|听人说|网上说|网上写|写着|写说|上面写|提到|(?<![a-z])(?:heard|read|according to"
        r"|it says|the letter says|the site says|the website says|reddit says)(?![a-z])",
    )
    # said/told cues: reported speech unless the speaker is the customer or the company
    said: tuple[str, ...] = (
        r"(?<![a-z])(?:said|says|told me|tells me|mentioned|(?<!small )claims?|wrote)(?![a-z])",
    )
    first_person: tuple[str, ...] = (
        "我", "我都", "我已经", "我刚", "我刚刚", "我一直", "我不是", "我就", "我也", "我早就",
        "i", "i've", "i have", "i already", "i just", "we", "i've already",
        # the company quoted back ("你們說要幫我轉人工，結果呢？", "your rep told me I'd get a
        # refund, where is it?") is a promise held against it, not hearsay
        "你", "你们", "您", "机器人", "客服", "专员", "门市", "店员", "you", "you guys", "your bot",
        "the bot", "ai", "your rep", "your agent", "your staff", "the agent", "the rep",
        "your colleague", "your store", "the store", "your website", "your site",
    )  # fmt: skip
    # where a reported clause stops before its punctuation: the customer speaks again
    clause_resets: tuple[str, ...] = (
        "但", "可是", "所以", "那", "不过", " but ", " so ", " and i ", " anyway",
    )  # fmt: skip
    # request hits that only name a person (真人客服, live agent, 有人対応): in a question they
    # may be about the service ("Do your live agents work on Sundays?"), so the semantic veto
    # may clear them as it clears soft keywords; a hit with a verb (找真人, talk to a human) not
    noun_requests: str = (
        r"(?:真人|人工|专人)(?:客服|服务)?|(?:real|live|human|actual)\s+(?:person|people|agent|human)s?"
        r"|human\s+agents?|live\s+chat\s+agents?|customer\s+service\s+representatives?"
        r"|オペレーター|有人対応|担当者|상담원|상담사"
    )
    # a wish for "one" of something named before it (the antecedent is the nearest word before)
    anaphora: tuple[str, ...] = (
        r"(?:帮我|给我|直接|请|麻烦)(?:帮我|直接)?(?:转|接|找|叫)(?:一个|一位|个|位|一下)?"
        r"(?=$|[\s，。！!,.~…吧啦])",
        r"(?:我(?:就|还)?(?:是)?要|给我)(?:一个|一位)(?=$|[\s，。！!,.~…吧啦])",
        # a transfer with no object: "…幾點下班，其實是想現在就轉過去", "… can you put me through?"
        r"(?:想|要|就|帮我|把我|直接)(?:现在)?(?:就)?转过去(?=$|[\s，。！!,.~…吧啦？?]|可以|好吗)|(?<![a-z])(?:put|connect|transfer)"
        r"\s+me\s+(?:through|over)(?=\s*(?:$|[.!?,]|now|please))",
        r"(?<![a-z])(?:connect|transfer|put)\s+me\s+(?:through\s+)?(?:to|with)\s+one(?![a-z])",
        r"(?<![a-z])(?:i'd like|i would like|i want|i need|get me|give me|can i (?:get|have)"
        r"|could i (?:get|have))\s+one"
        r"(?:\s+(?:now|please|asap|right now|today))*(?=$|[\s.!,?])",
        # "I've read your complaints policy. I'm lodging one now"
        r"(?<![a-z])(?:i'm|i am|i'll|i will|we're|we'll|i want to|i'd like to|i'm going to"
        r"|i need to)\s+(?:lodge|lodging|file|filing|make|making|raise|raising|submit"
        r"|submitting|open|opening|put in|putting in)\s+one(?![a-z])",
    )


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the folded turn where listed words are named, not used, and why."""

    start: int
    end: int
    kind: MentionKind


class _Compiled:
    def __init__(self, rules: SenseRules) -> None:
        self.url = re.compile(rules.url)
        self.definition = _union(rules.definition)
        self.conditional = _union(rules.conditional)
        self.cost_zh = re.compile(rules.cost_zh)
        self.cost_en = re.compile(rules.cost_en)
        self.necessity = _union(rules.necessity)
        self.staff = _union(rules.staff)
        self.polite_ask = re.compile(rules.polite_ask)
        self.reported = _union(rules.reported)
        self.said = _union(rules.said)
        self.first_person = tuple(rules.first_person)
        self.resets = tuple(rules.clause_resets)
        self.anaphora = _union(rules.anaphora)
        self.tag_question = re.compile(rules.tag_question)
        self.action_ask = re.compile(rules.action_ask)
        self.noun_request = re.compile(rules.noun_requests)


def _union(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=16)
def _compiled(rules: SenseRules) -> _Compiled:
    return _Compiled(rules)


def _clause_end(folded: str, start: int) -> int:
    """Index of the next clause break at or after `start` (or the end of the text)."""
    for i in range(start, len(folded)):
        if folded[i] in _CLAUSE_END and not _decimal_point(folded, i):
            return i
    return len(folded)


def _decimal_point(folded: str, i: int) -> bool:
    """A dot between letters or digits (3.5g, yourcompany.com) does not end a clause."""
    return folded[i] == "." and 0 < i < len(folded) - 1 and folded[i + 1].isalnum()


def mentions(
    folded: str,
    rules: SenseRules,
    question: Callable[[str], bool],
    asks: Callable[[str], bool],
) -> list[Mention]:
    """Spans of `folded` where words are mentioned (module doc). `question` says whether a text
    is phrased as a question (`screen.question_form`), `asks` whether it carries a request cue."""
    c, question = _compiled(rules), wider(question)  # + 真的假的, 會不會, 想問 (frames.py)

    def wishes(text: str) -> bool:  # the caller's request cues, "may I ask" (请问) left out
        return asks(c.polite_ask.sub(" ", text))

    found = [Mention(*m.span(), "url") for m in c.url.finditer(folded)]
    if c.definition is not None:
        found += [Mention(*m.span(), "definition") for m in c.definition.finditer(folded)]
    found += [Mention(*f) for f in frames(folded, rules.more, question, wishes)]
    found += [Mention(*f) for f in asides(folded, rules.asides, question, wishes)]
    found += [Mention(*f) for f in hearsay(folded, rules.hearsay, wishes, c.anaphora, question)]
    if question(folded):
        found += _cost(folded, c, wishes)
        framed: tuple[tuple[MentionKind, re.Pattern[str] | None], ...] = (
            ("necessity", c.necessity),
            ("staff", c.staff),
        )
        for kind, pattern in framed:
            found += [Mention(*m.span(), kind) for m in pattern.finditer(folded)] if pattern else []
    if c.conditional is not None:
        for m in c.conditional.finditer(folded):
            main = folded[m.end() : _sentence_end(folded, m.end())]
            asked = wishes(main) or c.action_ask.search(main) or c.tag_question.match(main)
            if (question(main) or CHOICE.search(main)) and not asked:
                found.append(Mention(*m.span(), "conditional"))
    if question(folded):
        found += _reported(folded, c)
    return found


def asked_after(text: str, start: int, end: int) -> str:
    """The text from the clause that holds `text[start:end]` to the end of its sentence: the
    question a word is *in* ("退款要幾天？"), not one asked before it ("退款會退到哪我知道，
    問題是還沒退，快退錢" asks nothing after 快退)."""
    clause = max((text.rfind(ch, 0, start) for ch in _CLAUSE_END), default=-1) + 1
    return text[clause : _sentence_end(text, end)]


def _sentence_end(folded: str, start: int) -> int:
    """The end of the sentence that holds `start`: the next 。？！?! (commas do not end it)."""
    ends = [i for i in (folded.find(ch, start) for ch in "。？！?!") if i >= 0]
    return min(ends) + 1 if ends else len(folded)


def _clauses(folded: str) -> list[Span]:
    """The text split at clause breaks (commas, full stops, question marks …)."""
    spans, start = [], 0
    while start < len(folded):
        end = _clause_end(folded, start)
        spans.append((start, end))
        start = end + 1
    return spans


def _cost(folded: str, c: _Compiled, asks: Callable[[str], bool]) -> list[Mention]:
    """Questions about a price whose clause asks for nothing before it ("我要退款要手續費嗎"
    keeps its 我要退款)."""
    found = []
    for start, end in _clauses(folded):
        clause = folded[start:end]
        for m in c.cost_zh.finditer(clause):
            if not asks(clause[: m.end()]):
                found.append(Mention(start + m.start(), start + m.end(), "cost"))
        if c.cost_en.search(clause) and not asks(clause):
            found.append(Mention(start, end, "cost"))
    return found


def _ends_with_word(text: str, word: str) -> bool:
    """`text` ends with `word`, as a whole word when it is Latin ("taxi" does not end in "i")."""
    if not text.endswith(word):
        return False
    before = text[: len(text) - len(word)]
    return not (word[:1].isascii() and before[-1:].isalnum())


def _reported(folded: str, c: _Compiled) -> list[Mention]:
    cues = [m for m in c.reported.finditer(folded)] if c.reported else []
    if c.said is not None:
        for m in c.said.finditer(folded):
            before = folded[: m.start()].rstrip()
            if not any(_ends_with_word(before, p) for p in c.first_person):
                cues.append(m)
    spans = []
    for cue in cues:
        end = _clause_end(folded, cue.end())
        clause = folded[cue.end() : end]
        cut = min((i for i in (clause.find(r) for r in c.resets) if i > 0), default=len(clause))
        spans.append(Mention(cue.start(), cue.end() + cut, "reported"))
    return spans


def anaphoric(
    folded: str,
    rules: SenseRules,
    negated: Callable[[int, int], bool],
    named: Sequence[tuple[re.Pattern[str] | None, G]],
) -> tuple[Span, Span, G] | None:
    """The first wish for "one" of something ("直接幫我轉一個", "connect me to one") that is not
    negated, with the span of the word it refers to (the nearest match of `named` before it,
    the longest on a tie) and that pattern's label; None without both."""
    pattern = _compiled(rules).anaphora
    for wish in pattern.finditer(folded) if pattern is not None else ():
        start, end = wish.span()
        if negated(start, end):
            continue
        before = [(m.span(), label) for p, label in named if p is not None
                  for m in p.finditer(folded[:start])]  # fmt: skip
        if before:
            span, label = max(before, key=lambda b: (b[0][1], b[0][1] - b[0][0]))
            return (start, end), span, label
    return None


def inside(start: int, end: int, spans: list[Mention]) -> Mention | None:
    """The mention that overlaps `folded[start:end]`, if any."""
    return next((m for m in spans if start < m.end and m.start < end), None)


def names_only(said: str, rules: SenseRules) -> bool:
    """A request hit that is only a noun for a person (真人客服, live agents), no verb of asking."""
    return _compiled(rules).noun_request.fullmatch(fold(said)) is not None
