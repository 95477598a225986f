"""More frames in which a listed word is mentioned, not used (the fifth pass of `sense`).

Why a module of its own: `sense.py` is at its size limit, and these frames came from one
round of unseen turns (H11): the word's meaning asked as a choice ("合約上的agent是指代理商還是
客服？", "消保官是管什麼的"), the staff's status asked as a choice ("真人客服是外包的還是自己員
工？"), a price asked in another language ("Was kostet es, wenn ich mit einem Mitarbeiter
spreche?"), and a legal question for somebody else ("律師函怎麼寫，幫朋友問的", "提告要準備什麼，
我在幫我阿嬤處理房東的事"). Every pattern works on folded text (Simplified, lower case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from graphs.supervision.language import fold
from graphs.supervision.screen import question_form

FrameKind = Literal["definition", "staff", "cost", "third_party", "temporal", "measure"]
# frames that only count where they hold a listed word (a when-clause or a rate is common
# without one, and a mention found elsewhere keeps the examples from escalating the turn)
WORD_BOUND: frozenset[str] = frozenset({"temporal", "measure", "quoted", "job", "story"})
Found = tuple[int, int, FrameKind]
_SENTENCE: re.Pattern[str] = re.compile(r"[^。？！?!]+[。？！?!]?")
# a choice question (是退現金還是折抵): a question without a question particle
CHOICE: re.Pattern[str] = re.compile(r"是[^，。？！?!,.;；]{1,12}还是")
# more question forms for the frames (not for `screen.question_form`, whose bars are calibrated
# on the bank's question flags): 真的假的, 會不會, 想問
ASKS: re.Pattern[str] = re.compile(r"真的假的|会不会|想问")
_STAFF = r"(?:客服|专员|客服专员|客服人员|人工客服|真人客服|主管|经理|人工|真人)"


def asks(text: str) -> bool:
    """`screen.question_form`, a choice question (是A還是B) or a form in `ASKS`: whether the
    text after a listed word asks something (the checks by examples run only then)."""
    folded = fold(text)
    return (
        question_form(folded)
        or CHOICE.search(folded) is not None
        or ASKS.search(folded) is not None
    )


def wider(question: Callable[[str], bool]) -> Callable[[str], bool]:
    """`question` plus the forms in `ASKS`, for the sense frames only."""
    return lambda text: question(text) or ASKS.search(text) is not None


class FrameRules(BaseModel):
    """Regexes for the frames of this module (admins may change them like every other rule)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # the word's meaning as a choice or its job: X是指A還是B, X是管什麼的, X是負責什麼
    definition: tuple[str, ...] = (
        r"[^，。？！?!,.;；:：\s你我他她要想请帮去了都还]{1,12}?(?:是指|指的是|意思是)"
        r"[^，。？！?!,.;；]{1,12}?还是[^，。？！?!,.;；\s]{1,12}",
        r"[^，。？！?!,.;；:：\s你我他她要想请帮去了都还]{1,12}?是(?:管|负责|处理|做|干)(?:什么|啥|哪些)(?:的)?",
        # how it works or what its terms are (de, fr, es, ja)
        r"(?<![a-z])(?:wie (?:funktioniert|läuft|geht)|comment (?:fonctionne|marche|se passe)"
        r"|cómo funciona)[^.?!]{1,40}",
        r"[^。？?！!、，,\s]{1,12}?の(?:条件|流れ|手続き|方法|期间|期限|仕组み|规定)(?:を|は|って)",
        r"(?:返金|払い戻し)(?:って|は|が)?[^。？?]{0,8}?(?:何日|いつ|どのくらい|どれくらい|反映)",
        # how long it usually takes (H64): 投訴一般多久處理完, "how long does a refund usually
        # take", 환불은 보통 며칠 걸려요 — the general case (一般/通常/usually), not "my" case
        r"[^，。？！?!,.;；:：\s我你他她了]{1,8}?(?:一般|通常|大概|平常|正常|平均|大约|大多)(?:要|会|需要|得)?"
        r"(?:多久|多长时间|几天|几个工作天|几个工作日)[^，。？！?!,.;；]{0,8}",
        r"(?<![a-z])how long (?:does|do|will|would) (?:a |an |the )?[^.?!,;]{1,30}?"
        r"(?:usually|normally|typically|generally) take[^.?!,;]{0,30}",
        r"[^.?!,;\s]{1,8} ?(?:보통|대개|일반적으로) ?(?:며칠|얼마나)[^.?!,;]{0,12}",
        # how the service decides (H62): 怎麼判斷什麼時候要轉人工, "how does the bot decide when"
        r"(?:怎么|如何)(?:判断|决定|区分|界定)[^，。？！?!,.;；]{1,16}",
        r"(?<![a-z])how (?:do|does) (?:you|the (?:bot|system|ai|assistant)|it) (?:decide|determine"
        r"|know) (?:when|whether|if)[^.?!,;]{1,60}",
    )
    # the staff's status as a choice: 真人客服是外包的還是自己員工
    staff: tuple[str, ...] = (
        # not a rhetorical jab (你們客服是死了還是下班了)
        rf"(?:你们的?|那个|你们那个)?{_STAFF}(?:们)?(?:都)?是(?![^，。？！?!,]{{0,14}}(?:死|睡|瞎|聋|哑|倒"
        rf"|跑|消失|躲|摆烂|废|假的|下班|放假|不在))[^，。？！?!,]{{1,12}}还是[^，。？！?!,\s]{{1,12}}",
    )
    # a price asked in other languages, for the whole sentence (the wish sits in a wenn-clause)
    cost: str = (
        r"(?<![a-z])(?:was kostet|kostet (?:das|es)|kostenlos|gebühr|combien (?:ça )?co[uû]te"
        r"|gratuit|payant|cu[aá]nto cuesta|gratis|tiene costo)(?![a-z])|有料|无料|料金|いくら"
    )
    # a legal or complaint question for somebody else, or said not to be about the company
    third_party: tuple[str, ...] = (
        r"(?:帮|替|代)(?:我)?(?:的)?(?:朋友|家人|同事|同学|阿嬷|阿公|爷爷|奶奶|外婆|外公|爸|妈|老公|老婆"
        r"|先生|太太|女儿|儿子|亲戚|邻居|长辈|别人|客户)(?:问|处理|查|咨询)",
        r"(?:跟|和|与)你们(?:没|无)(?:有|什么)?关|不是(?:要)?(?:针对|告|投诉)你们",
        r"(?:房东|租屋|房客|雇主|老板|前公司|车祸|离婚|邻居)(?:的事|的问题|纠纷)",
        r"(?<![a-z])(?:asking for a friend|(?:not|nothing)\s+(?:about|against|to do with)\s+you"
        r"|unrelated to you|for my (?:landlord|employer|neighbour|neighbor))(?![a-z])",
    )

    # a when-clause (sixth pass): the word in a clause that says *when*, followed by a question
    # that asks for nothing ("轉人工的時候，之前的紀錄客服看得到嗎", "When an agent calls a
    # customer, does the number show as private?", "オペレーターにつながるまで、…待ちますか"); not
    # the customer's own past ("我申請退款的時候你們說三天"): no I/我, no 了/過 in the clause
    temporal: tuple[str, ...] = (
        r"(?:^|(?<=[，。？！?!,.;；\s]))[^，。？！?!,.;；\s我了过]{1,15}?(?:的时候|之后|以后)",
        r"(?<![a-z])(?:when|whenever|once|after|while)\s+(?!i\s|i'|we\s)[^,.;?!]{1,60}?(?=,)",
        r"(?:^|(?<=[。？！?!\s]))[^。、？?！!\s]{1,20}?(?:とき|时|まで|あと|后)(?=、)",
    )

    # the word as the modifier of a measure or a law (sixth pass): 投訴率, 退款筆數, 消保法,
    # "complaint rates": a figure or a statute is asked about, nobody complains
    measure: str = (
        r"(?:投诉|申诉|客诉|退款|退费|人工|客服|真人|律师|诉讼|消保)(?:率|件数|笔数|总数|数量|排名|统计|比例"
        r"|法(?![院官律师])|条例)|(?<![a-z])(?:complaint|refund|escalation|agent|lawsuit)s?\s+"
        r"(?:rates?|statistics|stats|volumes?|figures)(?![a-z])"
    )


class _Compiled:
    def __init__(self, rules: FrameRules) -> None:
        self.measure = re.compile(rules.measure)
        self.temporal = re.compile("|".join(f"(?:{p})" for p in rules.temporal))
        self.definition = re.compile("|".join(f"(?:{p})" for p in rules.definition))
        self.staff = re.compile("|".join(f"(?:{p})" for p in rules.staff))
        self.cost = re.compile(rules.cost)
        self.third_party = re.compile("|".join(f"(?:{p})" for p in rules.third_party))


@lru_cache(maxsize=16)
def _compiled(rules: FrameRules) -> _Compiled:
    return _Compiled(rules)


def frames(
    folded: str,
    rules: FrameRules,
    question: Callable[[str], bool],
    wishes: Callable[[str], bool],
) -> list[Found]:
    """Spans where a word is named, not used (module doc); `question` and `wishes` are the
    caller's question form and request cues ("may I ask" left out)."""
    c = _compiled(rules)
    found: list[Found] = [(*m.span(), "definition") for m in c.definition.finditer(folded)]
    found += [(*m.span(), "staff") for m in c.staff.finditer(folded)]  # a choice asks itself
    found += [(*m.span(), "measure") for m in c.measure.finditer(folded)]
    if not question(folded):
        return found
    for m in _SENTENCE.finditer(folded):
        if c.cost.search(m.group()) and not wishes(m.group()):
            found.append((*m.span(), "cost"))
    if c.third_party.search(folded):  # the whole turn is about somebody else's matter
        found.append((0, len(folded), "third_party"))
    for m in c.temporal.finditer(folded):  # a when-clause before a question that asks nothing
        main = folded[m.end() : _sentence_end(folded, m.end())]
        if question(main) and not wishes(main):
            found.append((*m.span(), "temporal"))
    return found


def _sentence_end(folded: str, start: int) -> int:
    """The end of the sentence that holds `start` (the next 。？！?!)."""
    ends = [i for i in (folded.find(ch, start) for ch in "。？！?!") if i >= 0]
    return min(ends) + 1 if ends else len(folded)


class _Mention(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...


M = TypeVar("M", bound=_Mention)


def word_bound(found: Sequence[M], folded: str, words: Sequence[re.Pattern[str]]) -> list[M]:
    """The mentions of `folded` kept: a `WORD_BOUND` frame only where one of `words` (the
    rules' listed words) matches inside it."""
    return [
        m for m in found
        if m.kind not in WORD_BOUND or any(p.search(folded, m.start, m.end) for p in words)
    ]  # fmt: skip


def proper_name(text: str, start: int) -> bool:
    """An English word capitalised inside a sentence ("Is Refund Protection an add-on", "the
    Agent app") is part of a name, not the common word; a sentence's first word is not."""
    if not text[start : start + 1].isupper() or not text[start + 1 : start + 2].islower():
        return False
    before = text[:start].rstrip()
    words = text.split()
    if sum(w[:1].isupper() for w in words) * 2 > len(words):
        return False  # Title Case Everywhere: emphasis, not a name
    return bool(before) and before[-1] not in ".?!:;\"'“「("
