"""The clauses of a staff question, before it is routed (`offline_intents.py`).

Why a module: staff write two questions in one, say what they do not want before what they do,
and follow up with a bare subject ("那方案C呢"); the router scores one question at a time, so the
question is cut here first, by punctuation and a few joining words, never by meaning.
"""

from __future__ import annotations

import re

_DELIM = r"\s，,。；;！!？?:：\-—–"
# "不是要查庫存，…", "別管價格 …", "not the price, …": a clause saying what staff do NOT want,
# followed by what they do; only at a clause start and only before more text, so "有不用綁約的
# 方案嗎" keeps its words (a negation before a lookup verb, a plan letter, or 別管 / never mind)
_NEGATED = re.compile(
    rf"(?:^|(?<=[{_DELIM}]))(?:我|他|她|客人|客戶|客户)?(?:"
    r"(?:並|并)?(?:不是|不用|不要|不需要|沒有|没有|不想)(?:要|再|幫我|帮我|先)?"
    r"(?:查|看|問|问|比|推|算|找|報|报|換|换|買|买|辦|办|[A-E](?![A-Za-z0-9]))"
    rf"|別管|别管|先不管|不管)[^{_DELIM}]*(?=[{_DELIM}]+\S)"
    r"|(?i:(?:^|(?<=[,.;:!?]\s))(?:no[,.]?\s+)?(?:not|don't|dont|do not|no need to|never mind"
    r"|forget)\b[^,.;:!?—–]*?(?:[,.;:!?—–]|\s-\s)(?=\s*\S))"
)
# clauses of a question that asks two things: punctuation, a space between two CJK words,
# "順便" / "然後" / "then" / "also"
_CLAUSE = re.compile(
    r"[，,；;。！!？?]+|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])|順便|顺便|然後|然后|接著|接着"
    r"|(?i:\s(?:and\s)?then\s|\salso\s|\splus\s|\s-\s)"
)


# "那方案C呢", "what about S003?": a follow-up naming only a plan, a store, a device or a line
FOLLOW_UP = re.compile(
    r"(?i)^\s*(?:那麼|那么|那如果|那|還有|还有|what about|how about|and)\s*(.+?)\s*呢?\s*[?？]?\s*$"
)


def without_negated(text: str) -> str:
    """The question minus the clauses that say what staff do not want."""
    kept = _NEGATED.sub(" ", text)
    if kept == text:
        return text
    kept = kept.lstrip(" \t，,。；;！!？?:：-—–").strip()
    return kept if len(kept) >= 2 else text


def clauses(text: str) -> list[str]:
    return [part.strip() for part in _CLAUSE.split(text) if len(part.strip()) >= 2]
