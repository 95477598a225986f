"""How a query is worded, apart from the constraints it states.

Three clean-ups the parser applies around its rules: misspelt names one edit away from a name it
knows are corrected (Netfilx, iphnoe), English amounts in words become digits ("under a grand"),
perks joined by "or" become one any-of constraint, and the filler of a question (有哪些, 的方案,
"is there any") leaves the lexical text.
"""

from __future__ import annotations

import re

from core.hanzi import to_traditional

from .constraints import Constraint
from .facets import BRAND_ALIASES, PERK_ALIASES
from .numbers import EN_WORDS
from .rules import FILLER

FILLER_RE = re.compile(to_traditional(FILLER))
_WORD = re.compile(r"[a-z]{5,}")
# Five-letter English words one letter short of a name (phone → iphone) are left as typed.
_REAL_WORDS = frozenset({"phone", "table", "senor", "umber"})
# Names people misspell (Netfilx, Spotfy, iphnoe): one edit or one swap away is the name.
_NAMES = (
    frozenset(
        w
        for aliases in (*PERK_ALIASES.values(), *BRAND_ALIASES.values())
        for alias in aliases
        for w in alias.split()
        if w.isascii() and w.isalpha() and len(w) >= 6
    )
    | {"unlimited", "contract", "student", "senior", "business", "company", "tablet", "family"}
    | {"students", "seniors", "contracts", "tablets"}  # studnets, seniros, contarcts
)


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one substitution, insertion, deletion or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (
            a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1]
        )
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


_GRAND = re.compile(
    r"(?<![a-z])(?P<w>a|one|two|three|four|five)\s+(?:thousand|grand)(?![a-z])|(?<![a-z0-9.])(?P<d>\d+(?:\.\d+)?)\s*grand(?![a-z])"
)


def _grand(m: re.Match[str]) -> str:
    amount = float(m.group("d")) if m.group("d") else EN_WORDS[m.group("w")]
    return f"{amount * 1000:g}"


# "two and a half years": 2.5 years (30 months), as 兩年半
_HALF = re.compile(r"(?<![a-z])(?P<w>one|two|three|\d+) and a half(?=[- ]years?(?![a-z]))")


def _half(m: re.Match[str]) -> str:
    whole = m.group("w")
    return f"{float(EN_WORDS.get(whole, 0) or whole) + 0.5:g}"


def spell(text: str) -> str:
    text = _GRAND.sub(_grand, text)  # "under a grand", "two grand max"
    text = _HALF.sub(_half, text)

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in _NAMES or word in _REAL_WORDS:
            return word
        # a five-letter word is only a name missing one letter (disny, ipone): swapping a
        # letter of a short word makes too many real words look like names
        near = [n for n in _NAMES if _one_edit(word, n) and (len(word) > 5 or len(n) == 6)]
        # an inflected English word (charged, slowing) is not a misspelt name, unless the
        # name ends the same way (unlimted -> unlimited)
        ending = next((e for e in ("ed", "ing", "ly", "s") if word.endswith(e)), None)
        if ending:
            near = [n for n in near if n.endswith(ending)]
        return near[0] if len(near) == 1 else word

    return _WORD.sub(fix, text)


_OR = re.compile(r"\s*(?:或是|或者|或|還是|还是|or|/)\s*")


def either_perk(text: str, found: list[tuple[int, Constraint]]) -> list[tuple[int, Constraint]]:
    """'送行動電源或耳機': perks joined by 'or' become one any-of filter (not both required)."""
    perks = sorted(((at, c) for at, c in found if c.kind == "perk" and c.hard), key=lambda t: t[0])
    groups: list[list[tuple[int, Constraint]]] = []
    for at, c in perks:
        if groups:
            last_at, last = groups[-1][-1]
            if _OR.fullmatch(text[last_at + len(last.text) : at]):
                groups[-1].append((at, c))
                continue
        groups.append([(at, c)])
    merged = [g for g in groups if len(g) > 1]
    if not merged:
        return found
    drop = {id(c) for g in merged for _, c in g}
    out = [(at, c) for at, c in found if id(c) not in drop]
    for g in merged:
        start = g[0][0]
        end = g[-1][0] + len(g[-1][1].text)
        names = tuple(dict.fromkeys(str(c.value) for _, c in g))
        label = " 或 ".join(c.label for _, c in g)
        out.append((start, Constraint("perk_any", names, True, text[start:end], label)))
    return out
