"""Offline sentiment scoring for the escalation policy: a weighted lexicon, no model.

Why a lexicon: the service must work with no network and no model weights, and an angry customer
must still reach a human. When a real model is configured, anything with a
`score(text) -> float` method (`SentimentScorer`) replaces the lexicon; a graph node can also run
an async LLM classifier first and put its result into `TurnContext.sentiment_score`.

Scoring (VADER-like, adapted to Chinese):
1. Fold the text (full-width → ASCII, lower case, Traditional → Simplified), then scan it for
   lexicon terms, intensifiers (很/非常/超/太/really …), diminishers (有點/a bit …), negators
   (不/沒有/not …) and contrast words (但是/but …); longer terms win ("不錯" is a term, not 不+錯).
2. A term's weight is multiplied by the modifiers right before it (at most 2 CJK characters or one
   word in between). A negated negative becomes weakly positive ("not bad" × -0.3); a negated
   positive becomes negative ("不滿意"-style, × -0.8).
3. Words before a contrast count half, words after count 1.5× ("謝謝，但是太爛了" is negative).
4. Boosters scale the sum: each "!" +15 % (max 3), "??" +15 %, each ALL-CAPS word +20 % (max 3,
   acronyms like SIM/VIP excluded). Boosters amplify; they never create sentiment on their own.
5. score = tanh(sum), so the result lies in [-1, 1]; one strong insult ≈ -0.66, two ≈ -0.9.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal, Protocol, runtime_checkable

from graphs.supervision.language import fold


@runtime_checkable
class SentimentScorer(Protocol):
    """Anything that rates a customer turn in [-1 (furious), 1 (delighted)]."""

    def score(self, text: str) -> float:
        """Return the sentiment of `text` in [-1, 1]."""
        ...


# Weights are written in whichever script is natural; they are folded when the scorer is built.
NEGATIVE_TERMS: Final[Mapping[str, float]] = {
    # zh strong: insults, swearing, fraud accusations
    "垃圾": -0.8, "廢物": -0.9, "氣死": -0.9, "爛透": -0.9, "爛爆": -0.9, "騙子": -0.9,
    "詐騙": -0.8, "白痴": -0.9, "白癡": -0.9, "智障": -0.9, "腦殘": -0.9, "去死": -1.0,
    "混蛋": -0.9, "王八蛋": -1.0, "他媽的": -1.0, "媽的": -0.9, "靠北": -0.8, "靠腰": -0.7,
    "幹你": -1.0, "操你": -1.0, "尼瑪": -0.9, "卧槽": -0.6, "黑心": -0.8, "吸血": -0.7,
    "搶錢": -0.8, "坑人": -0.8, "坑錢": -0.8, "噁心": -0.8, "惡劣": -0.8, "無恥": -0.9,
    "可惡": -0.7, "抓狂": -0.8, "暴怒": -0.9, "崩潰": -0.7, "憤怒": -0.8, "受夠": -0.8,
    "煩死": -0.8, "糟透": -0.8, "什麼破": -0.6, "搞屁": -0.8, "什麼鬼": -0.6,
    # zh medium
    "爛": -0.6, "差勁": -0.7, "糟糕": -0.6, "失望": -0.6, "生氣": -0.6, "火大": -0.7,
    "不爽": -0.6, "不滿": -0.6, "受不了": -0.7, "討厭": -0.6, "莫名其妙": -0.6, "離譜": -0.7,
    "荒謬": -0.7, "敷衍": -0.6, "推託": -0.6, "踢皮球": -0.7, "浪費時間": -0.7, "亂扣": -0.6,
    "亂收費": -0.7, "亂七八糟": -0.6, "搞什麼": -0.7, "笨蛋": -0.8, "蠢": -0.7, "沒用": -0.6,
    "難用": -0.6, "廢話": -0.6, "傷心": -0.5, "痛苦": -0.6, "怒": -0.5, "傻眼": -0.5,
    "無言": -0.5, "無語": -0.5, "龜速": -0.5, "笨": -0.5,
    # zh mild
    "騙人": -0.7, "煩": -0.4, "誇張": -0.4, "扯": -0.4, "浪費": -0.4, "不好": -0.4, "不行": -0.3,
    "不能用": -0.4, "到底": -0.3, "一直": -0.2, "看不懂": -0.3, "聽不懂": -0.4, "沒解決": -0.3,
    "不懂": -0.3, "遺憾": -0.3, "可惜": -0.2, "擔心": -0.2, "難過": -0.4, "抱怨": -0.3,
    "慢": -0.3, "不太好": -0.3, "沒有用": -0.6, "很差": -0.6, "太差": -0.7, "好差": -0.6,
    "超差": -0.7, "態度差": -0.7, "聽不懂人話": -0.8, "hopeless": -0.7, "forget it": -0.3,
    # en
    "terrible": -0.8, "awful": -0.8, "horrible": -0.8, "worst": -0.9, "useless": -0.7,
    "ridiculous": -0.7, "unacceptable": -0.8, "pathetic": -0.8, "disgusting": -0.8,
    "scam*": -0.8, "rip-off": -0.8, "ripoff": -0.8, "rip off": -0.8, "liar*": -0.8,
    "lying": -0.6, "stupid": -0.7, "idiot*": -0.9, "dumb": -0.6, "hate": -0.7, "angry": -0.7,
    "furious": -0.9, "pissed": -0.8, "annoy*": -0.5, "frustrat*": -0.6, "disappoint*": -0.6,
    "upset": -0.6, "fed up": -0.8, "sick of": -0.7, "tired of": -0.5, "waste of time": -0.7,
    "wasting my time": -0.8, "nonsense": -0.6, "crap*": -0.7, "shit*": -0.8, "fuck*": -0.9,
    "damn": -0.5, "wtf": -0.8, "bullshit": -0.9, "incompetent": -0.8, "bad": -0.5,
    "poor": -0.4, "slow": -0.3, "broken": -0.3, "suck*": -0.7, "joke": -0.4, "outrageous": -0.8,
    "fuming": -0.8, "garbage": -0.8, "trash": -0.7, "unhappy": -0.6, "nightmare": -0.7,
    "never again": -0.6, "horrendous": -0.9, "appalling": -0.9, "what the hell": -0.7,
    "hell": -0.4, "mad": -0.5,
    # mild-worded anger and giving up (below the old threshold on their own)
    "不高興": -0.5, "不開心": -0.5, "心寒": -0.6, "有完沒完": -0.7, "太過分": -0.7, "過分": -0.5,
    "什麼態度": -0.7, "一點用都沒有": -0.7, "一點用也沒有": -0.7, "服了": -0.4, "夠了": -0.5,
    "斷線": -0.3, "常常斷": -0.2, "一直斷": -0.2, "困擾": -0.2, "不重視": -0.5,
    "a joke": -0.75, "done with": -0.6, "not impressed": -0.5, "unbelievable": -0.6,
    "irritat*": -0.5, "sick and tired": -0.9, "enough is enough": -0.7,
    "losing my patience": -0.7, "absurd": -0.6, "disgrace*": -0.8, "shocking": -0.6,
    # other languages: the strongest words only (the semantic layer does the rest)
    "frechheit": -0.8, "unverschämt": -0.8, "ärgerlich": -0.6, "katastrophe": -0.7,
    "enttäuscht": -0.6, "wütend": -0.8, "最悪": -0.8, "ひどい": -0.6, "ふざけ": -0.8,
    "desastre": -0.7, "vergüenza": -0.7, "inaceptable": -0.8, "inadmissible": -0.8,
    "inacceptable": -0.8, "nul": -0.5,
    "쓸모없": -0.7, "짜증": -0.6, "화나": -0.7, "열받": -0.7, "최악": -0.8, "답답": -0.5,
    "โมโห": -0.7, "หงุดหงิด": -0.6, "ห่วย": -0.7, "แย่มาก": -0.7,
    # emoji
    "😡": -0.8, "🤬": -0.9, "😠": -0.7, "👎": -0.5, "💢": -0.6,
}  # fmt: skip

POSITIVE_TERMS: Final[Mapping[str, float]] = {
    "謝謝": 0.5, "感謝": 0.6, "多謝": 0.5, "感恩": 0.6, "不錯": 0.5, "滿意": 0.6, "棒": 0.6,
    "讚": 0.6, "厲害": 0.4, "貼心": 0.6, "專業": 0.4, "親切": 0.5, "有耐心": 0.5,
    "清楚": 0.3, "有幫助": 0.5, "幫了大忙": 0.7, "解決了": 0.4, "知道了": 0.3, "了解了": 0.3,
    "明白了": 0.3, "處理好了": 0.4, "沒問題": 0.3, "搞定": 0.4, "開心": 0.5, "高興": 0.5,
    "喜歡": 0.5,
    "辛苦了": 0.4, "方便": 0.3, "完美": 0.7, "優秀": 0.6, "很好": 0.5, "非常好": 0.6,
    "太好了": 0.6, "真好": 0.5, "挺好": 0.4, "超好": 0.6, "no problem": 0.3,
    "thanks": 0.5, "thank you": 0.5, "thx": 0.4, "great": 0.6, "good": 0.4, "nice": 0.4,
    "helpful": 0.5, "perfect": 0.7, "awesome": 0.7, "excellent": 0.7, "appreciate*": 0.6,
    "love": 0.6, "happy": 0.5, "resolved": 0.4, "solved": 0.4, "works now": 0.4, "fixed": 0.3,
    "got it": 0.3, "fine": 0.2, "amazing": 0.7, "wonderful": 0.7, "pleased": 0.5,
    "satisfied": 0.6, "brilliant": 0.6, "重視": 0.4,
    # accepting the advice closes the turn: "好的我再試試看", "ok I'll try that"
    "試試看": 0.35, "試看看": 0.35, "我再試": 0.35, "i'll try": 0.35, "will try": 0.35,
    "let me try": 0.35,
    # thanks in other languages, so closure works for every customer
    "danke": 0.5, "merci": 0.5, "gracias": 0.5, "obrigad*": 0.5, "ありがとう": 0.5,
    "terima kasih": 0.5, "cảm ơn": 0.5, "cám ơn": 0.5, "감사": 0.5, "고맙": 0.5, "ขอบคุณ": 0.5,
    "👍": 0.5, "🙏": 0.3, "😊": 0.4, "🙂": 0.2,
    # a goodbye closes the conversation ("明白了，拜拜", "ok got it, bye")
    "再見": 0.3, "拜拜": 0.3, "掰掰": 0.3, "bye": 0.3, "goodbye": 0.3, "tschüss": 0.3,
    "au revoir": 0.3, "またね": 0.3, "안녕히": 0.3,
}  # fmt: skip

# Phrases that contain a lexicon word but carry no feeling: they are matched (longest wins) and
# contribute nothing, e.g. 垃圾簡訊 is "spam SMS", 麻煩你 is "please", 你好 is "hello".
NEUTRAL_TERMS: Final[tuple[str, ...]] = (
    "垃圾簡訊", "垃圾短信", "垃圾郵件", "垃圾邮件", "垃圾電話", "垃圾来电", "麻煩你", "麻煩幫",
    "麻煩請", "你好", "您好", "好的", "好像", "好不好", "好嗎", "還好", "好久", "對不起",
    "不知道", "不好意思", "不要", "別", "不用", "不客氣", "一直以來", "慢慢",
    "bad request", "good morning", "good afternoon", "good evening", "fine print",
)  # fmt: skip

INTENSIFIERS: Final[Mapping[str, float]] = {
    "很": 1.3, "非常": 1.5, "超": 1.5, "超級": 1.6, "太": 1.4, "真的": 1.3, "真": 1.2,
    "特別": 1.4, "極": 1.5, "極度": 1.6, "十分": 1.4, "有夠": 1.4, "實在": 1.3, "最": 1.3,
    "根本": 1.5, "너무": 1.4, "진짜": 1.3, "정말": 1.3,
    "very": 1.3, "really": 1.3, "so": 1.3, "extremely": 1.6, "absolutely": 1.5, "totally": 1.4,
    "completely": 1.4, "super": 1.4, "incredibly": 1.5, "fucking": 1.6, "utterly": 1.6,
    "beyond": 1.5,
    # diminishers
    "有點": 0.6, "有一點": 0.6, "一點": 0.7, "稍微": 0.6, "有些": 0.7, "略": 0.7,
    "a bit": 0.6, "a little": 0.6, "slightly": 0.6, "kind of": 0.7, "somewhat": 0.7,
}  # fmt: skip

# "好" is an intensifier only when a sentiment word follows at once (好爛, 好棒), else neutral.
SOFT_INTENSIFIERS: Final[Mapping[str, float]] = {"好": 1.4}

NEGATORS: Final[tuple[str, ...]] = (
    "不", "沒", "沒有", "不是", "不會", "並不", "無", "毫無", "未", "不太",
    "not", "no", "never", "isn't", "isnt", "wasn't", "aren't", "don't", "dont", "doesn't",
    "doesnt", "didn't", "didnt", "won't", "hardly",
)  # fmt: skip

CONTRASTS: Final[tuple[str, ...]] = ("但", "但是", "可是", "不過", "只是", "but", "however")

ACRONYMS: Final[frozenset[str]] = frozenset((
    "AI", "VIP", "SMS", "MMS", "NCC", "SIM", "ESIM", "APP", "USB", "LTE", "ATM", "FAQ", "CEO",
    "WIFI", "IOS", "NFC", "OTP", "PIN", "PUK", "API", "URL", "GPS", "TWD", "USD", "EUR", "OK",
    "ID",
))  # fmt: skip

NEGATED_NEGATIVE: Final = -0.3
NEGATED_POSITIVE: Final = -0.8
BEFORE_CONTRAST: Final = 0.5
AFTER_CONTRAST: Final = 1.5

Kind = Literal["term", "intensifier", "soft", "negator", "contrast"]


@dataclass(frozen=True, slots=True)
class SentimentHit:
    """One lexicon term found in the text, with its final (modified) weight."""

    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """The score and why: the hits and the booster factor that produced it."""

    score: float
    hits: tuple[SentimentHit, ...]
    booster: float


def _pattern(term: str) -> str:
    """Regex for one folded term: Latin words get word boundaries, `*` means "any ending"."""
    stem = term.rstrip("*")
    body = re.escape(stem) + (r"[a-z']*" if term.endswith("*") else "")
    if stem[:1].isascii() and stem[:1].isalnum():
        return rf"(?<![a-z0-9']){body}(?![a-z0-9])"
    return body


class LexiconSentimentScorer:
    """The default `SentimentScorer`: zh-TW, zh-CN and English lexicons with modifiers."""

    def __init__(
        self,
        negative: Mapping[str, float] = NEGATIVE_TERMS,
        positive: Mapping[str, float] = POSITIVE_TERMS,
    ) -> None:
        table: dict[str, tuple[Kind, float]] = {}
        for term in CONTRASTS:
            table[fold(term)] = ("contrast", 1.0)
        for term in NEGATORS:
            table[fold(term)] = ("negator", 1.0)
        for term, factor in INTENSIFIERS.items():
            table[fold(term)] = ("intensifier", factor)
        for term, factor in SOFT_INTENSIFIERS.items():
            table[fold(term)] = ("soft", factor)
        for term in NEUTRAL_TERMS:
            table[fold(term)] = ("term", 0.0)
        for term, weight in {**positive, **negative}.items():
            table[fold(term)] = ("term", weight)
        self._table = table
        self._exact = {k.rstrip("*"): v for k, v in table.items()}
        self._prefixes = sorted((k[:-1] for k in table if k.endswith("*")), key=len, reverse=True)

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        """Compiled on the first turn scored, not at import: the alternation of every term
        takes ~0.1 s to compile, which every process importing the policy paid at start
        (the API, each eval CLI, each test worker), chat or no chat."""
        ordered = sorted(self._table, key=lambda t: len(t.rstrip("*")), reverse=True)
        return re.compile("|".join(_pattern(t) for t in ordered))

    def _lookup(self, token: str) -> tuple[Kind, float]:
        if token in self._exact:
            return self._exact[token]
        stem = next(p for p in self._prefixes if token.startswith(p))
        return self._exact[stem]

    def score(self, text: str) -> float:
        """Sentiment of `text` in [-1, 1] (see the module docstring for the recipe)."""
        return self.analyse(text).score

    def analyse(self, text: str) -> SentimentResult:
        """Score `text` and keep the evidence (hits, booster) for escalation details."""
        folded = fold(text)
        matches = list(self._regex.finditer(folded))
        hits: list[tuple[SentimentHit, bool]] = []  # (hit, after_contrast)
        factor, negated, modifier_end = 1.0, False, -1
        contrast_seen = False
        for index, match in enumerate(matches):
            token = match.group()
            kind, value = self._lookup(token)
            if modifier_end >= 0 and not _close(folded[modifier_end : match.start()]):
                factor, negated = 1.0, False
            if kind == "soft":
                following = matches[index + 1] if index + 1 < len(matches) else None
                if following is None or following.start() != match.end():
                    factor, negated, modifier_end = 1.0, False, -1
                    continue
                kind = "intensifier"
            if kind == "contrast":
                contrast_seen = True
                factor, negated, modifier_end = 1.0, False, -1
            elif kind == "intensifier":
                factor *= value
                modifier_end = match.end()
            elif kind == "negator":
                negated = not negated
                modifier_end = match.end()
            else:
                weight = value * factor
                if negated and weight:
                    weight *= NEGATED_NEGATIVE if weight < 0 else NEGATED_POSITIVE
                if weight:
                    hits.append((SentimentHit(token, weight), contrast_seen))
                factor, negated, modifier_end = 1.0, False, -1
        total = 0.0
        for hit, after in hits:
            if contrast_seen:
                total += hit.weight * (AFTER_CONTRAST if after else BEFORE_CONTRAST)
            else:
                total += hit.weight
        booster = _booster(text, folded)
        if total < 0:
            total *= booster
        score = max(-1.0, min(1.0, math.tanh(total)))
        return SentimentResult(round(score, 4), tuple(h for h, _ in hits), booster)


def _close(gap: str) -> bool:
    """A modifier still applies across at most one word or two CJK characters, no punctuation."""
    if any(not (c.isalnum() or c.isspace() or c == "'") for c in gap):
        return False
    cjk = sum(1 for c in gap if not c.isascii())
    return cjk <= 2 and len(gap.split()) <= (1 if cjk == 0 else 2)


_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")


def _booster(original: str, folded: str) -> float:
    """Shouting multiplies anger: exclamation marks, repeated question marks, ALL-CAPS words."""
    exclamations = min(folded.count("!"), 3)
    questions = 1 if "??" in folded else 0
    caps = sum(1 for w in _CAPS_WORD.findall(original) if w not in ACRONYMS)
    return 1.0 + 0.15 * exclamations + 0.15 * questions + 0.2 * min(caps, 3)


DEFAULT_SCORER: Final = LexiconSentimentScorer()
