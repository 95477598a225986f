"""The escalation policy: one pure function that decides whether a chat turn needs a human.

`evaluate(turn, rules, scorer, matcher)` returns an `EscalationDecision` (the seed's `escalation`
object: reason, details, severity, trigger_at) or None. No clock, no I/O: `trigger_at` comes from
`turn.at`; the semantic layer's model sits behind the injected `matcher`.

Rules, in priority order (the first that fires names the reason):

1. `user_request` – an explicit ask for a person (轉人工, 找真人, 我要人工客服, talk to a human …),
   unless negated ("不用轉人工", "I don't need to talk to a human", see `negation`).
2. `keyword` – a keyword group (legal, complaint, refund, human) matches, not negated and not
   inside an ignore phrase or pattern (人工智慧, 客服電話, agent of change, and questions *about*
   the word: 轉人工要錢嗎, 退款要幾天, human-powered, refund policy …). Soft groups (refund,
   human) are muted when the turn is positive closure: sentiment ≥ `closure_min_score` and no
   request cue.
   With several groups matching, the most severe wins.
3. `ai_failure` – `ai_fail_count ≥ ai_fail_threshold` (3), unless the turn is positive closure
   ("謝謝，問題解決了").
4. `sentiment` – score ≤ `sentiment_threshold` (-0.6); or sustained frustration: this turn and the
   previous `sustained_turns - 1` user turns all ≤ `sustained_threshold` (-0.3); or repetition
   (`frustration.py`, rule `repetition`): the same question again, or "第三次了", impatiently.
5. `vip` – VIP only: AI failures ≥ 1, score ≤ -0.3, or a churn keyword (解約, 攜碼 …).
6. semantic layer (`intent`), only when no rule fired and the rules found no negated or
   harmless mention and no closure: the best escalating example beats the best calm one by
   `semantic_margin`; the example's intent names the reason (`SEMANTIC_REASONS`) and `details`
   names both examples and the margin. Frustration needs a turn that is not positive.

Severity table:

| reason        | severity                                                        |
|---------------|-----------------------------------------------------------------|
| user_request  | medium                                                          |
| keyword       | the group's: legal critical, complaint high, refund/human medium |
| ai_failure    | medium; high at twice the threshold (6+ failures)               |
| sentiment     | medium; high at ≤ `sentiment_high_threshold` (-0.85)            |
| vip           | high (`vip.severity`)                                           |

A VIP customer's decision under reasons 1–4 is raised one level (`vip.raise_other_severities`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from graphs.supervision.frustration import repetition
from graphs.supervision.intent import Intent, IntentMatcher
from graphs.supervision.language import fold
from graphs.supervision.negation import declines_wish, is_negated
from graphs.supervision.rules import (
    REASONS,
    SEVERITIES,
    KeywordGroup,
    PolicyRules,
    Reason,
    Severity,
    VipRules,
    raise_severity,
)
from graphs.supervision.sentiment import DEFAULT_SCORER, SentimentScorer

__all__ = [
    "REASONS",
    "EscalationDecision",
    "KeywordGroup",
    "PolicyRules",
    "Reason",
    "Severity",
    "TurnContext",
    "UserProfile",
    "VipRules",
    "evaluate",
]


class UserProfile(BaseModel):
    """The part of the seed's `user_profile` the policy reads; other fields are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    vip: bool = False
    language: str | None = None


class TurnContext(BaseModel):
    """One customer turn and what the policy needs to know around it."""

    model_config = ConfigDict(frozen=True)

    text: str
    at: int = Field(description="UTC seconds of the turn; becomes trigger_at")
    ai_fail_count: int = Field(default=0, ge=0)
    user_profile: UserProfile = UserProfile()
    history: tuple[str, ...] = Field(default=(), description="previous user turns, oldest first")
    sentiment_score: float | None = Field(
        default=None, ge=-1, le=1, description="precomputed (e.g. by an LLM node); wins if set"
    )


class EscalationDecision(BaseModel):
    """Why a turn escalates; `as_escalation()` is the seed's `SessionState.escalation`."""

    model_config = ConfigDict(frozen=True)

    reason: Reason
    details: str
    severity: Severity
    trigger_at: int
    matched: str | None = Field(default=None, description="keyword or phrase as typed")
    rule: str | None = Field(default=None, description="keyword group or VIP sub-rule")
    score: float | None = Field(default=None, description="sentiment score, when it mattered")
    examples: tuple[str, ...] = Field(default=(), description="semantic layer: example ids")
    margin: float | None = Field(default=None, description="semantic layer: cosine margin")

    def as_escalation(self) -> dict[str, str | int]:
        """The four fields of the seed's `escalation` object."""
        return {
            "reason": self.reason,
            "details": self.details,
            "severity": self.severity,
            "trigger_at": self.trigger_at,
        }


# What an escalating intent of the semantic layer means in the seed's reasons.
SEMANTIC_REASONS: Final[Mapping[Intent, tuple[Reason, Severity, str]]] = {
    "request_human": ("user_request", "medium", "request_human"),
    "legal_threat": ("keyword", "critical", "legal"),
    "complaint": ("keyword", "high", "complaint"),
    "refund_demand": ("keyword", "medium", "refund"),
    "frustration": ("sentiment", "medium", "frustration"),
}


@dataclass(frozen=True, slots=True)
class _Hit:
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
    parts += [f"(?:{p})" for p in group.patterns]
    return re.compile("|".join(parts)) if parts else None


class _Compiled:
    """The regexes of one `PolicyRules`, built once (frozen rules hash, see `_compile`)."""

    def __init__(self, rules: PolicyRules) -> None:
        parts = [_term_pattern(p) for p in sorted(rules.request_phrases, key=len, reverse=True)]
        parts += [f"(?:{p})" for p in rules.request_patterns]
        self.request = re.compile("|".join(parts)) if parts else None
        self.groups = [(g, _group_pattern(g)) for g in rules.keyword_groups]
        ignore = [_term_pattern(p) for p in sorted(rules.ignore_phrases, key=len, reverse=True)]
        ignore += [f"(?:{p})" for p in rules.ignore_patterns]
        self.ignore = re.compile("|".join(ignore)) if ignore else None
        self.cues = _alternation(rules.request_cues)
        self.vip = _alternation(rules.vip.keywords)


@lru_cache(maxsize=16)
def _compile(rules: PolicyRules) -> _Compiled:
    return _Compiled(rules)


Span = tuple[int, int]


def _scan(
    pattern: re.Pattern[str] | None,
    folded: str,
    rules: PolicyRules,
    ignored: list[Span],
    group: KeywordGroup | None = None,
) -> tuple[list[_Hit], list[Span]]:
    """Matches of `pattern` outside ignore phrases, split into live hits and negated spans."""
    hits: list[_Hit] = []
    negated: list[Span] = []
    if pattern is None:
        return hits, negated
    for m in pattern.finditer(folded):
        if any(m.start() < end and start < m.end() for start, end in ignored):
            continue
        if is_negated(folded, m.start(), m.end(), rules.negation):
            negated.append(m.span())
        else:
            hits.append(_Hit(m.start(), m.end(), group))
    return hits, negated


def _touches(hit: _Hit, spans: list[Span]) -> bool:
    """A hit glued to a negated match is part of the same noun phrase (不需要人工|客服)."""
    return any(hit.start <= end and start <= hit.end for start, end in spans)


class _Analysis:
    """One turn scanned against one rule set; the sentiment score is computed only if needed."""

    def __init__(
        self,
        turn: TurnContext,
        rules: PolicyRules,
        scorer: SentimentScorer,
        matcher: IntentMatcher | None = None,
    ) -> None:
        self.turn, self.rules, self.scorer, self.matcher = turn, rules, scorer, matcher
        compiled = _compile(rules)
        folded = fold(turn.text)
        ignored = [m.span() for m in compiled.ignore.finditer(folded)] if compiled.ignore else []
        requests, negated = _scan(compiled.request, folded, rules, ignored)
        keywords: list[_Hit] = []
        for group, pattern in compiled.groups:
            hits, spans = _scan(pattern, folded, rules, ignored, group)
            keywords += hits
            negated += spans
        churn, spans = _scan(compiled.vip, folded, rules, ignored)
        negated += spans
        # the rules saw a negated or harmless mention: the semantic layer must not overrule them
        self.defused = bool(negated or ignored) or declines_wish(folded, rules.negation)
        self.requests = [h for h in requests if not _touches(h, negated)]
        self.keywords = [h for h in keywords if not _touches(h, negated)]
        self.churn = [h for h in churn if not _touches(h, negated)]
        self.asks = compiled.cues is not None and compiled.cues.search(folded) is not None
        self._score: float | None = turn.sentiment_score

    @property
    def score(self) -> float:
        if self._score is None:
            self._score = self.scorer.score(self.turn.text)
        return self._score

    @property
    def closure(self) -> bool:
        """Praise or thanks with no request in it: soft keywords and failures stay quiet."""
        return not self.asks and self.score >= self.rules.closure_min_score

    def said(self, hit: _Hit) -> str:
        """The matched words as the customer typed them (folding keeps offsets)."""
        return self.turn.text[hit.start : hit.end]

    def decision(
        self,
        reason: Reason,
        severity: Severity,
        details: str,
        *,
        matched: str | None = None,
        rule: str | None = None,
        score: float | None = None,
        examples: tuple[str, ...] = (),
        margin: float | None = None,
    ) -> EscalationDecision:
        return EscalationDecision(
            reason=reason, severity=severity, details=details, trigger_at=self.turn.at,
            matched=matched, rule=rule, score=score, examples=examples, margin=margin,
        )  # fmt: skip


def _user_request(a: _Analysis) -> EscalationDecision | None:
    if not a.requests:
        return None
    said = a.said(a.requests[0])
    return a.decision("user_request", "medium", f"客戶要求真人服務: {said}", matched=said)


def _keyword(a: _Analysis) -> EscalationDecision | None:
    found = [(h, h.group) for h in a.keywords if h.group and not (h.group.soft and a.closure)]
    if not found:
        return None
    hit, group = min(found, key=lambda pair: (-SEVERITIES.index(pair[1].severity), pair[0].start))
    said = a.said(hit)
    details = f"命中關鍵詞: {said} ({group.name})"
    return a.decision("keyword", group.severity, details, matched=said, rule=group.name)


def _ai_failure(a: _Analysis) -> EscalationDecision | None:
    fails, threshold = a.turn.ai_fail_count, a.rules.ai_fail_threshold
    if fails < threshold or a.closure:
        return None
    severity: Severity = "high" if fails >= 2 * threshold else "medium"
    return a.decision("ai_failure", severity, f"AI 已 {fails} 次未能解決問題")


def _sentiment(a: _Analysis) -> EscalationDecision | None:
    rules, score = a.rules, a.score
    rounded = round(score, 2)
    if score <= rules.sentiment_threshold:
        severity: Severity = "high" if score <= rules.sentiment_high_threshold else "medium"
        return a.decision("sentiment", severity, f"負面情緒分數 {rounded}", score=rounded)
    previous = a.turn.history[-(rules.sustained_turns - 1) :]
    if (
        score <= rules.sustained_threshold
        and len(previous) == rules.sustained_turns - 1
        and all(a.scorer.score(text) <= rules.sustained_threshold for text in previous)
    ):
        details = f"持續負面情緒 (本輪 {rounded})"
        return a.decision("sentiment", "medium", details, score=rounded, rule="sustained")
    repeated = repetition(a.turn.text, a.turn.history, rules.repeat, score)
    if repeated is not None:
        said = repeated.cue or f"同一問題已問過 {repeated.repeats} 次"
        details = f"重複提問的挫折: {said}"
        return a.decision("sentiment", "medium", details, matched=repeated.cue,
                          rule="repetition", score=rounded)  # fmt: skip
    return None


def _vip(a: _Analysis) -> EscalationDecision | None:
    """The VIP lower bar: a churn signal, the first AI failure, or mild negativity."""
    vip = a.rules.vip
    if not (vip.enabled and a.turn.user_profile.vip):
        return None
    if a.churn:
        said = a.said(a.churn[0])
        return a.decision("vip", vip.severity, f"VIP 客戶: 流失風險 {said}", matched=said,
                          rule="churn")  # fmt: skip
    fails = a.turn.ai_fail_count
    if fails >= vip.ai_fail_threshold and not a.closure:
        details = f"VIP 客戶: AI 已 {fails} 次未能解決問題"
        return a.decision("vip", vip.severity, details, rule="ai_failure")
    if a.score <= vip.sentiment_threshold:
        rounded = round(a.score, 2)
        details = f"VIP 客戶: 負面情緒分數 {rounded}"
        return a.decision("vip", vip.severity, details, rule="sentiment", score=rounded)
    return None


_RULES: Final[Mapping[Reason, Callable[[_Analysis], EscalationDecision | None]]] = {
    "user_request": _user_request,
    "keyword": _keyword,
    "ai_failure": _ai_failure,
    "sentiment": _sentiment,
    "vip": _vip,
}


def _semantic(a: _Analysis) -> EscalationDecision | None:
    """Nearest examples, asked only when no rule fired and the rules found nothing defused."""
    if a.matcher is None or a.defused or a.closure:
        return None
    match = a.matcher.match(a.turn.text)
    if match is None or match.margin < a.rules.semantic_margin:
        return None
    intent = match.escalating.example.intent
    reason, severity, rule = SEMANTIC_REASONS[intent]
    if reason not in a.rules.enabled_reasons or (intent == "frustration" and a.score > 0):
        return None
    details = f"語意相近: {match.explain()}"
    return a.decision(reason, severity, details, rule=f"semantic:{rule}",
                      examples=(match.escalating.example.id, match.calm.example.id),
                      margin=round(match.margin, 4))  # fmt: skip


def evaluate(
    turn: TurnContext,
    rules: PolicyRules,
    scorer: SentimentScorer = DEFAULT_SCORER,
    matcher: IntentMatcher | None = None,
) -> EscalationDecision | None:
    """Decide whether `turn` escalates, and why (priority order and severities: module doc).

    `matcher` (the semantic layer) is consulted only when no rule fires, so the model is not
    run for turns the rules already decide.
    """
    analysis = _Analysis(turn, rules, scorer, matcher)
    for reason in REASONS:
        if reason not in rules.enabled_reasons:
            continue
        decision = _RULES[reason](analysis)
        if decision is None:
            continue
        return _raised(decision, turn, rules)
    decision = _semantic(analysis)
    return None if decision is None else _raised(decision, turn, rules)


def _raised(
    decision: EscalationDecision, turn: TurnContext, rules: PolicyRules
) -> EscalationDecision:
    """A VIP's decision under another reason goes one severity up (`vip.raise_other_severities`)."""
    raise_vip = rules.vip.enabled and rules.vip.raise_other_severities
    if decision.reason != "vip" and raise_vip and turn.user_profile.vip:
        return decision.model_copy(update={"severity": raise_severity(decision.severity)})
    return decision
