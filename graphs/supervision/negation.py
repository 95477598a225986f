"""The negation window: "我不需要人工" and "no need for a human" must not escalate.

Why a window and not a parser: customers type short, unpunctuated turns in three languages; a
few cue lists plus a distance limit get the common cases right and stay explainable to admins.

A match (a keyword or request phrase, found in *folded* text, see `language.fold`) is negated when

* **zh, before**: a cue such as 不需要/不用/不要/不想/不必/無需/沒必要/別/免/不是/沒有要 ends at
  most `zh_window` (6) characters before the match (or overlaps it: 不要 + 要人工), the cue is
  not part of a question form (要不要, 是不是, 用不用), and the characters in between — plus the
  match's first character — contain no punctuation and no reset word (要/想/但/而是/還是/改/請/
  了/快). So "不用轉人工" and "我不需要你們公司的人工客服" are negated, while "我不要AI，我要人工"
  (punctuation), "不要AI要人工" (reset 要) and "不想等了快幫我轉人工" (了 closes the clause) are
  not. 沒有 is *not* a cue: "沒有人工嗎？" asks for a human.
* **glued**: a keyword touching a negated match belongs to the same noun phrase and is negated
  with it (不需要[人工]客服 → 客服), see `policy`.
* **zh, after**: the match is followed, within `zh_post_window` (2) filler characters (就/也/先
  …), by a post cue such as 不用了/不需要/不必/算了/免了: "人工就不用了", "退款就算了".
* **en, before**: a cue that negates a *wish* ("don't want", "do not need", "not looking for",
  "no need for", bare "no", "without") ends at most `en_window` (3) words before the match, with no
  punctuation and no reset word (but/i/we/please/instead/just/so) in between. Plain "not" is no
  cue: "I have not received my refund" still escalates, "I don't want an agent" does not.
* **en, after**: "human? no thanks", "an agent is not needed".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from graphs.supervision.language import fold

_PUNCTUATION = re.compile(r"[^\w\s']")


class Hit(Protocol):
    """A match with offsets in the folded text (`keywords.Hit`)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


_CLAUSE = re.compile(r"[，,。.;；!?！？]")


class NegationRules(BaseModel):
    """Cue lists and windows for the negation rule (all configurable, written in either script)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh_cues: tuple[str, ...] = (
        "不需要", "不需", "不用", "不要", "不想要", "不想", "不必", "不必要", "無需", "無須",
        "沒必要", "別", "免", "不是要", "不是想", "不是", "沒有要", "沒要", "不打算", "不找",
        "用不著", "並不想", "並不需要", "不會找", "沒說要", "沒有說要",
    )  # fmt: skip
    zh_question_prefixes: str = Field(default="要是用需想", description="X不X question forms")
    zh_post_cues: tuple[str, ...] = (
        "不用了", "不需要了", "不需要", "不必了", "不必", "免了", "算了", "不要了", "就不用",
        "先不用", "沒必要", "不用",
        # Japanese declines after the word: オペレーターは大丈夫です
        "は大丈夫", "は結構", "はいりません", "は不要", "は必要ありません",
        # … and Korean (H64): 상담원은 괜찮아요, 환불은 됐어요, 상담사는 필요 없어요
        "은 괜찮", "는 괜찮", "은 됐어", "는 됐어", "은 필요 없", "는 필요 없", "은 필요없",
        "는 필요없",
    )  # fmt: skip
    zh_fillers: str = "就也先都倒是我的了啦暂时目前"  # 客服暫時不用
    zh_resets: tuple[str, ...] = ("要", "想", "但", "可是", "而是", "還是", "改", "請", "了", "快")
    # cues that negate only when glued to the match: 我不投訴, 不會申訴 (not 不處理我就投訴),
    # and never after a why/still question (為什麼不退款, 還不退錢 are demands)
    zh_adjacent_cues: tuple[str, ...] = ("不", "不會", "並不", "從不")
    zh_adjacent_not_after: tuple[str, ...] = ("為什麼", "怎麼", "幹嘛", "憑什麼", "還", "再", "何")
    zh_window: int = Field(default=6, ge=0)
    # a deed denied, not a wish: 我根本沒申訴過, 從來沒投訴過 (沒 glued before, 過 after; not 還沒)
    zh_never_did: str = r"(?<![还都])(?:从来|根本|从)?没(?:有)?(?:真的)?$"
    zh_post_window: int = Field(default=2, ge=0)
    en_cues: tuple[str, ...] = (
        r"no need(?: for| to| of)?",
        r"(?:do not|don't|dont|does not|doesn't|doesnt|did not|didn't|didnt|won't|will not"
        r"|never|not|no longer)\s+(?:really\s+)?(?:want|need|require|wanna|asking|ask|looking"
        r"|interested|requesting|request|after|seeking|threatening)(?:ed|ing)?"
        r"(?:\s+(?:to|for|in|about))?",
        r"no",
        r"without",
        r"(?:am not|'m not|im not|not|never)\s+going\s+to",
        # "don't transfer me", "I won't be taking legal action", "not filing a complaint"
        r"(?:do not|don't|dont)\s+(?:transfer|connect|put|pass|escalate|forward|hand)(?=\s+me)",
        r"(?:do not|don't|dont|no need to)(?=\s+escalate)",  # the text is cut at the word
        r"(?:do not|don't|dont|no need to)\s+(?:get|bring|involve|loop)(?:\s+in)?",
        # the decline said before the word it takes back: "never mind the agent", "forget about
        # the refund" (as `later_declines` after it; not "don't forget my refund")
        r"(?<!n't )(?<!not )(?:never ?mind|forget)(?:\s+about)?",
        r"(?:won't|will not|wont|am not|'m not|im not|not|never|no intention of)\s+(?:be\s+)?"
        r"(?:taking|filing|making|lodging|pursuing|raising|submitting|complaining|suing)",
    )
    # a negated negation asks: 不是不要轉人工, 我沒說不要真人, I never said I didn't want one
    zh_double: tuple[str, ...] = ("不是", "没说", "没有说", "谁说", "并不是", "不是说", "又没说")
    # who the denied negation is about may sit between: 誰說我不要, 又沒說我們不需要
    zh_double_subjects: tuple[str, ...] = ("我们", "我", "人家", "咱们")
    # … and in English what was said of them ("I never said I was fine without an agent")
    en_double: str = (
        r"(?:never said|not saying|didn't say|did not say|who said|wasn't saying|not that)"
        r"\s+(?:that\s+)?(?:i|we)(?:\s+[\w']+){0,3}\s*$"
    )
    # a wish told as past or almost, then resolved, is not one now: "I was about to demand a
    # supervisor, but you've sorted it out", 本來想找客服，不過剛剛自己弄好了; only with a
    # resolution after the contrast ("I was going to ask for a refund but the site is down"
    # still wants it) and no wish resumed (`later_resume`)
    past_intent: str = (
        r"(?:(?<![a-z])(?:was|were)\s+(?:just\s+)?(?:going|about|gonna|planning|ready)(?:\s+to)?"
        r"|(?<![a-z])(?:almost|nearly)|本来|原本|本想|原先)(?:\s*[\w']+){0,3}?\s*$"
    )
    contrast: str = r"(?<![a-z])(?:but|however|then)(?![a-z])|不过|但|可是|结果|后来"
    resolved: str = (
        r"(?<![a-z])(?:fixed|sorted|solved|resolved|answered|working|works|figured|found"
        r"|got it|fine now|ok now|okay now)(?![a-z])|好了|解决|搞定|弄好|可以了|没问题|恢复"
        r"|找到了|回答了|处理好|明白了|懂了"
    )
    # a resolution denied just before it ("結果還是沒解決", "but it's still not fixed")
    unresolved: str = r"[没不未]|(?<![a-z])(?:not|never|no)(?![a-z])|n't"
    en_post_cues: tuple[str, ...] = (
        r"(?:is|are)?\s*(?:not|n't)\s+(?:needed|necessary|required)",
        r"no thanks?",
        r"not needed",
    )
    en_resets: tuple[str, ...] = ("but", "i", "we", "please", "instead", "just", "so", "rather")
    en_window: int = Field(default=3, ge=0)
    # a declined wish in other languages (no keyword to anchor on): the semantic layer stays
    # quiet for these turns, as it does for every negated match the rules found
    other_wish_cues: tuple[str, ...] = (
        r"(?<![a-z])no\s+(?:necesito|quiero|hace falta|me hace falta)(?![a-z])",
        r"(?<![a-z])(?:brauche|möchte|will|benötige)\s+(?:keine[nrm]?|nicht)(?![a-z])",
        r"(?<![a-z])kein(?:e[nrm]?)?\s+\w+\s+(?:nötig|notwendig|erforderlich)",
        r"(?<![a-z])(?:ist|sind|wäre|war)\s+nicht\s+(?:nötig|notwendig|erforderlich)",
        r"(?<![a-z])(?:pas besoin|je ne veux pas|je n'ai pas besoin|inutile de)(?![a-z])",
        r"(?<![a-z])(?:tidak perlu|nggak perlu|gak perlu|tidak mau|không cần|không muốn)(?![a-z])",
        r"(?:は)?(?:不要です|必要ありません|いりません|结构です)|필요\s?없",
        # a contact asked for earlier, taken back with a verb the lists lack (剛才要你轉接的那個先
        # 不用, 回電就不必了): transfer or call-back, then a decline closing the clause
        r"(?:转接|转过去|转给|回电|回拨|打来|来电)(?:的)?(?:那个|这个|事|部分)?(?:就|也|先|暂时|目前)?"
        r"(?:不用|不需要|不必|免)(?:了|啦)?(?=\W|$|\s)",
    )
    # a decline that closes a clause *after* the word takes back the wish before it, however
    # far ("真人客服的話，我想應該是不用了", "找客服？算了吧，我自己搞定了", "I was going to ask
    # for an agent but never mind, the reset worked"): scope is the rest of the turn, not a window
    later_declines: tuple[str, ...] = (
        r"不用|不需要|不必|算了|免了|免啦|没必要|不(?:会|想)?去?找|取消|不麻烦",
        r"才不会(?:去)?(?:做|这样做|那样做)?|(?:倒)?不至于",  # 提告這種事我才不會做啦
        r"(?<![a-z])(?:never ?mind|scratch that|forget (?:it|that|about it)|no need|not needed|nah"
        r"|not necessary|no longer needed|cancel that)",
        r"(?<![a-z])(?:brauche|brauch|benötige) ich (?:\w+ )?(?:nicht|keinen?)(?: mehr)?"
        r"|nicht (?:mehr )?nötig",
        r"必要(?:は)?(?:ない|ありません)|大丈夫です|いりません|结构です",
    )
    # what may follow the decline before its clause ends (particles, "anymore", "thanks")
    later_close: str = (
        r"(?:了|啦|吧|喔|哦|啊|呀|的|嘛|です|\s|anymore|now|then|thanks|thank you|that|it|danke"
        r"|mehr)*"
        r"(?:[^\w\s]|$|\s(?=[\u3040-\u9fff]))"
    )
    # a later clause that names its own topic declines that ("轉真人，罐頭回覆就免了" still asks
    # for a person): a topic closed by 就/也/的話 right before the cue, more than a hedge
    # ("…，我想就不用了" declines the word before)
    later_topic: str = r"(\S+?)(?:就|也|的话)\s*$"
    later_hedges: str = r"[\s我你想觉得应该是还那个其实看好像可能先暂时目前一嗯啊喔哦欸]"
    # a wish resumed after the decline keeps the word ("人工是幾號？算了，你直接幫我轉"), and a
    # decline after "or else" is a threat to leave ("快轉人工，不然我不用了")
    # (a transfer verb, not any 接 or 轉: 直接折抵, 轉帳 resume nothing)
    later_resume: str = (
        r"转(?:接|给|过去|一个|一下|人|真人|\W|$)|接通|(?<![a-z])(?:connect|transfer) me|put me"
        r" through|get me (?:a|an|some)|verbinden sie|代わって|替わって"
    )
    later_not_after: tuple[str, ...] = ("不然", "否则", "要不然", "or else", "otherwise")


class _Compiled:
    """Regexes built once per `NegationRules` (the rules are frozen, so they hash)."""

    def __init__(self, rules: NegationRules) -> None:
        zh = sorted({fold(c) for c in rules.zh_cues}, key=len, reverse=True)
        not_after = re.escape(fold(rules.zh_question_prefixes))
        self.zh_cue = re.compile(rf"(?<![{not_after}])(?:{'|'.join(map(re.escape, zh))})")
        post = sorted({fold(c) for c in rules.zh_post_cues}, key=len, reverse=True)
        fillers = re.escape(fold(rules.zh_fillers))
        self.zh_post = re.compile(
            rf"[{fillers}]{{0,{rules.zh_post_window}}}(?:{'|'.join(map(re.escape, post))})"
        )
        self.zh_resets = tuple(fold(r) for r in rules.zh_resets)
        self.zh_window = rules.zh_window
        self.never_did = re.compile(rules.zh_never_did)
        self.en_cue = re.compile(rf"(?<![a-z0-9'])(?:{'|'.join(rules.en_cues)})(?![a-z0-9'])")
        self.en_post = re.compile(rf"^[\s,.?!]*(?:{'|'.join(rules.en_post_cues)})(?![a-z])")
        self.en_resets = frozenset(rules.en_resets)
        self.en_window = rules.en_window
        adjacent = sorted({fold(c) for c in rules.zh_adjacent_cues}, key=len, reverse=True)
        self.zh_adjacent = tuple(adjacent)
        self.zh_adjacent_not_after = tuple(fold(c) for c in rules.zh_adjacent_not_after)
        self.other_wish = re.compile("|".join(f"(?:{c})" for c in rules.other_wish_cues))
        self.zh_double = tuple(fold(c) for c in rules.zh_double)
        self.later = re.compile(f"(?:{'|'.join(fold(c) for c in rules.later_declines)})"
                                f"(?={rules.later_close})")  # fmt: skip
        self.later_resume = re.compile(rules.later_resume)
        self.later_not_after = tuple(fold(c) for c in rules.later_not_after)
        self.later_topic = re.compile(rules.later_topic)
        self.later_hedges = re.compile(rules.later_hedges)
        self.en_double = re.compile(rules.en_double)
        subjects = "|".join(map(re.escape, (fold(w) for w in rules.zh_double_subjects)))
        self.zh_subject = re.compile(f"(?:{subjects})$") if subjects else None
        self.past = re.compile(rules.past_intent)
        self.contrast = re.compile(rules.contrast)
        self.resolved = re.compile(rules.resolved)
        self.unresolved = re.compile(rules.unresolved)


@lru_cache(maxsize=32)
def _compiled(rules: NegationRules) -> _Compiled:
    return _Compiled(rules)


def declines_wish(folded: str, rules: NegationRules) -> bool:
    """A turn that turns a wish down in a language the word lists do not cover (no necesito …)."""
    return bool(_compiled(rules).other_wish.search(folded))


def is_negated(folded: str, start: int, end: int, rules: NegationRules) -> bool:
    """Whether the match `folded[start:end]` sits inside a negation window (see module doc).

    A cue may also overlap the match ("don't want" + "want an agent", "不要" + "要人工").
    """
    c = _compiled(rules)
    upto = folded[:end]
    for cue in c.zh_cue.finditer(upto):
        if cue.start() >= start:
            break
        if _denied(folded[: cue.start()], c):
            continue  # 不是不要 / 沒說不要 / 誰說我不要: the negation itself is denied
        gap = folded[cue.end() : start] if cue.end() <= start else ""
        # a match that itself opens with a wish (要人工) after the cue starts a fresh request
        opener = folded[start] if cue.end() <= start else ""
        if (
            len(gap) <= c.zh_window
            and not _PUNCTUATION.search(gap)
            and not any(r in gap + opener for r in c.zh_resets)
        ):
            return True
    before = folded[:start]
    for glued in c.zh_adjacent:
        rest = before[: -len(glued)]
        if before.endswith(glued) and not rest.endswith((*c.zh_adjacent_not_after, *c.zh_double)):
            return True
    if c.zh_post.match(folded, end):
        return True
    if folded.startswith("过", end) and c.never_did.search(before):
        return True
    for cue in c.en_cue.finditer(upto):
        if cue.start() >= start:
            break
        if c.en_double.search(folded[: cue.start()]):
            continue
        between = folded[min(cue.end(), start) : start]
        words = between.split()
        if (
            len(words) <= c.en_window
            and not _PUNCTUATION.search(between)
            and not any(w in c.en_resets for w in words)
        ):
            return True
    return bool(c.en_post.match(folded[end:])) or _abandoned(folded, start, end, c)


def _denied(before: str, c: _Compiled) -> bool:
    """The text before a negation cue denies it (不是 / 沒說 / 誰說, a subject between)."""
    if c.zh_subject is not None:
        before = c.zh_subject.sub("", before)
    return before.endswith(c.zh_double)


def _abandoned(folded: str, start: int, end: int, c: _Compiled) -> bool:
    """A wish told as past or almost, then a contrast and a resolution (`past_intent`)."""
    if c.past.search(folded, max(0, start - 40), start) is None:
        return False
    contrast = c.contrast.search(folded, end)
    if contrast is None or c.later_resume.search(folded, contrast.end()) is not None:
        return False
    resolved = c.resolved.search(folded, contrast.end())
    if resolved is None:
        return False
    return (
        c.unresolved.search(folded, max(contrast.end(), resolved.start() - 12), resolved.start())
        is None
    )


def declined_later(folded: str, end: int, rules: NegationRules) -> int | None:
    """Where a decline after `folded[:end]` closes its clause ("…，算了吧"), the wish before it
    taken back; None when there is none, or a wish resumes after it (the caller also keeps the
    word when another hit follows the decline: the returned offset is where to look)."""
    c = _compiled(rules)
    for cue in c.later.finditer(folded, end):
        clause = _CLAUSE.split(folded[: cue.start()])[-1]  # its own clause, up to the cue
        if any(n in clause for n in c.later_not_after):
            continue  # "…，不然我不用了": the decline is a threat in an or-else clause
        apart = _CLAUSE.search(folded, end, cue.start()) is not None
        topic = c.later_topic.search(clause) if apart else None
        if topic is not None and c.later_hedges.sub("", topic.group(1)):
            continue  # a later clause with its own topic declines that topic
        if c.later_resume.search(folded, cue.end()) is None:
            return cue.end()
    return None


def declined(folded: str, hits: Sequence[Hit], rules: NegationRules) -> list[tuple[int, int]]:
    """The spans of `hits` a later decline takes back (`declined_later`), unless another hit
    follows the decline: "退款就算了，我要投訴" keeps 投訴 (it comes after) and drops 退款."""
    spans = []
    for hit in hits:
        back = declined_later(folded, hit.end, rules)
        if back is not None and not any(other.start >= back for other in hits):
            spans.append((hit.start, hit.end))
    return spans
