"""Sentence and clause boundaries for mixed Chinese/English text.

Chinese ends a sentence with 。！？；… and needs no space after it; English ends with . ! ?
followed by a space, except after abbreviations (e.g., Dr., No.), initials and inside decimals
(3.5 has no space). Clause marks (，、,;：) are the fallback for sentences too long to keep whole.
"""

from __future__ import annotations

import re

from .text import CJK_CHAR, text_weight

ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "eg", "ie",
    "inc", "ltd", "co", "corp", "no", "nos", "fig", "figs", "approx", "dept", "est", "vol", "p",
    "pp", "cf", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "u.s", "u.k", "a.m", "p.m", "ph.d",
))  # fmt: skip
_CLOSERS = "\"'”’」』）)]】〕》"
_TERMINATOR = re.compile(rf"(?:[。！？；]+|…+|\.{{3,}}|[.!?]+)[{re.escape(_CLOSERS)}]*")
_CJK_STOPS = set("。！？；…")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_CLAUSE = re.compile(r"(?<=[，、,;；：:])")


def _is_boundary(text: str, start: int, end: int) -> bool:
    mark = text[start:end]
    if any(ch in _CJK_STOPS for ch in mark):
        return True
    if end >= len(text):
        return True
    following = text[end]
    if CJK_CHAR.match(following):
        return True
    if not following.isspace():
        return False  # 3.5, e.g.x, example.com: no space, no sentence end
    rest = text[end:].lstrip()
    if rest and rest[0].islower():
        return False  # "e.g. the", "approx. five": a lower-case word continues the sentence
    if mark[0] == "." and not mark.startswith("..."):
        word = _WORD_BEFORE.search(text[:start])
        if word:
            token = word.group(1).lower()
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                return False  # Dr. Smith, No. 5, J. Smith
    return True


def split_sentences(text: str) -> list[str]:
    """Whole sentences in order; joining them back (with the spaces trimmed) gives the text."""
    sentences: list[str] = []
    begin = 0
    for match in _TERMINATOR.finditer(text):
        if _is_boundary(text, match.start(), match.end()):
            piece = text[begin : match.end()].strip()
            if piece:
                sentences.append(piece)
            begin = match.end()
    tail = text[begin:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in "。！？；….!?:："


def split_long(sentence: str, limit: float, cjk_weight: float) -> list[str]:
    """A sentence heavier than `limit`: clause boundaries first, then spaces, then characters."""
    pieces: list[str] = []
    current = ""
    for clause in (c for c in _CLAUSE.split(sentence) if c):
        parts = (
            _hard_split(clause, limit, cjk_weight)
            if text_weight(clause, cjk_weight) > limit
            else [clause]
        )
        for part in parts:
            if current and text_weight(current + part, cjk_weight) > limit:
                pieces.append(current.strip())
                current = part
            else:
                current += part
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _hard_split(clause: str, limit: float, cjk_weight: float) -> list[str]:
    """The last resort: cut at the last space that fits (Latin), or between CJK characters."""
    parts: list[str] = []
    start, weight, last_space = 0, 0.0, -1
    for i, ch in enumerate(clause):
        w = cjk_weight if CJK_CHAR.match(ch) else 1.0
        if weight + w > limit and i > start:
            cut = last_space + 1 if last_space > start and not CJK_CHAR.match(ch) else i
            parts.append(clause[start:cut])
            start, last_space = cut, -1
            weight = text_weight(clause[start:i], cjk_weight)
        if ch.isspace():
            last_space = i
        weight += w
    parts.append(clause[start:])
    return [p for p in parts if p]
