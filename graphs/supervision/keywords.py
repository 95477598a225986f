"""Keyword scanning for the escalation policy: the rule set's phrases and groups compiled once
into regexes over folded text, and matches split into live hits and negated spans.

Separate from `policy` so the policy module reads as the decision (which rule fires, why) and
this one as the mechanics of finding words (boundaries for Latin words, longest phrase first,
ignore phrases, a hit glued to a negated match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphs.supervision.language import fold, fold_pattern
from graphs.supervision.negation import is_negated
from graphs.supervision.rules import KeywordGroup, PolicyRules


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    group: KeywordGroup | None = None


def _term_pattern(term: str) -> str:
    """Folded literal → regex; Latin words get boundaries and common endings."""
    body = re.escape(fold(term))
    if term[:1].isascii() and term[:1].isalnum():
        return rf"(?<![a-z0-9]){body}(?:s|es|ed|d|ing)?(?![a-z0-9])"
    return body


def _alternation(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(_term_pattern(t) for t in ordered))


def _group_pattern(group: KeywordGroup) -> re.Pattern[str] | None:
    """A group's literal terms and its regexes as one alternation (longest literals first)."""
    parts = [_term_pattern(t) for t in sorted(group.terms, key=len, reverse=True)]
    parts += [f"(?:{fold_pattern(p)})" for p in group.patterns]
    return re.compile("|".join(parts)) if parts else None


class CompiledRules:
    """The regexes of one `PolicyRules`, built once (frozen rules hash, see `compiled_rules`)."""

    def __init__(self, rules: PolicyRules) -> None:
        parts = [_term_pattern(p) for p in sorted(rules.request_phrases, key=len, reverse=True)]
        parts += [f"(?:{fold_pattern(p)})" for p in rules.request_patterns]
        self.request = re.compile("|".join(parts)) if parts else None
        self.groups = [(g, _group_pattern(g)) for g in rules.keyword_groups]
        ignore = [_term_pattern(p) for p in sorted(rules.ignore_phrases, key=len, reverse=True)]
        ignore += [f"(?:{fold_pattern(p)})" for p in rules.ignore_patterns]
        self.ignore = re.compile("|".join(ignore)) if ignore else None
        self.cues = _alternation(rules.request_cues)
        self.vip = _alternation(rules.vip.keywords)


@lru_cache(maxsize=16)
def compiled_rules(rules: PolicyRules) -> CompiledRules:
    return CompiledRules(rules)


Span = tuple[int, int]


def scan(
    pattern: re.Pattern[str] | None,
    folded: str,
    rules: PolicyRules,
    ignored: list[Span],
    group: KeywordGroup | None = None,
) -> tuple[list[Hit], list[Span]]:
    """Matches of `pattern` outside ignore phrases, split into live hits and negated spans."""
    hits: list[Hit] = []
    negated: list[Span] = []
    if pattern is None:
        return hits, negated
    for m in pattern.finditer(folded):
        if any(m.start() < end and start < m.end() for start, end in ignored):
            continue
        if is_negated(folded, m.start(), m.end(), rules.negation):
            negated.append(m.span())
        else:
            hits.append(Hit(m.start(), m.end(), group))
    return hits, negated


def touches(hit: Hit, spans: list[Span]) -> bool:
    """A hit glued to a negated match is part of the same noun phrase (不需要人工|客服)."""
    return any(hit.start <= end and start <= hit.end for start, end in spans)
