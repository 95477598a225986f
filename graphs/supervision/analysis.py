"""One chat turn scanned against one rule set: what the rules found and what they set aside.

Why apart from `policy.py`: the scan (requests, keyword hits, mentions, negations, the
anaphoric "one" of a word set aside) is the same for every rule, while the rules themselves
decide in priority order; the costly parts (sentiment score, first look, decline head) are
computed once, only when a rule asks.
"""

from __future__ import annotations

from functools import cached_property, partial
from typing import Final, Literal

from graphs.supervision.decline import decline_score
from graphs.supervision.frames import proper_name, word_bound
from graphs.supervision.head import HeadScore
from graphs.supervision.intent import IntentMatcher
from graphs.supervision.keywords import CompiledRules, Hit, Span, compiled_rules, scan, touches
from graphs.supervision.language import fold
from graphs.supervision.negation import declined, declines_wish, is_negated
from graphs.supervision.parting import joking, leaving
from graphs.supervision.rules import PolicyRules, Reason, Severity
from graphs.supervision.screen import Screen, Verdict, question_form
from graphs.supervision.sense import anaphoric, mentions
from graphs.supervision.sentiment import SentimentScorer
from graphs.supervision.turn import EscalationDecision, TurnContext
from graphs.supervision.usage import UsageScore

__all__ = ["REQUEST_GROUPS", "Analysis"]

REQUEST_GROUPS: Final = frozenset({"human"})  # a request for a person: never renames one
# mentions that only lift words out (`hearsay.py`): they never start the anaphora of a word
# set aside, so they cannot add a hit the turn did not have without them
LIFTED: Final = frozenset({"quoted", "job", "story"})


class Analysis:
    """One turn scanned against one rule set; the sentiment score is computed only if needed."""

    def __init__(
        self,
        turn: TurnContext,
        rules: PolicyRules,
        scorer: SentimentScorer,
        matcher: IntentMatcher | None = None,
    ) -> None:
        self.turn, self.rules, self.scorer, self.matcher = turn, rules, scorer, matcher
        compiled = compiled_rules(rules)
        self.folded = folded = fold(turn.text)  # the rules' text (sarcasm reads it too)
        asks = compiled.cues
        self.asks = asks is not None and asks.search(folded) is not None
        ignored = [m.span() for m in compiled.ignore.finditer(folded)] if compiled.ignore else []
        self.wishes = said = lambda text: asks is not None and asks.search(text) is not None
        groups = (p for _, p in compiled.groups)  # and the churn words: a friend's 攜碼 is theirs
        words = [p for p in (compiled.request, *groups, compiled.vip) if p]
        found = mentions(folded, rules.sense, question_form, said)
        self.mentions = word_bound(found, folded, words)  # a when-clause or a rate: with a word
        # somebody else's matter told, no request cue: the examples are not asked (H64)
        self.told = not self.asks and any(m.kind == "story" for m in found)
        skipped = ignored + [(m.start, m.end) for m in self.mentions]
        requests, negated = scan(compiled.request, folded, rules, skipped)
        keywords: list[Hit] = []
        for group, pattern in compiled.groups:
            hits, spans = scan(pattern, folded, rules, skipped, group)
            named = [h for h in hits if group.soft and proper_name(turn.text, h.start)]
            keywords += [h for h in hits if h not in named]
            negated += spans + [(h.start, h.end) for h in named]  # a name: a harmless mention
        churn, spans = scan(compiled.vip, folded, rules, skipped)
        negated += spans
        negated += declined(folded, requests + keywords + churn, rules.negation)
        # the rules saw a negated or harmless mention: the semantic layer must not overrule them
        self.defused = bool(negated or skipped) or declines_wish(folded, rules.negation)
        self.requests = [h for h in requests if not touches(h, negated)]
        self.keywords = [h for h in keywords if not touches(h, negated)]
        self.churn = [h for h in churn if not touches(h, negated)]
        self.referent: str | None = None
        # "人工要錢嗎？不管，幫我轉一個" (sense.anaphoric), as the turn reads without `LIFTED`
        unlifted = ignored + [(m.start, m.end) for m in self.mentions if m.kind not in LIFTED]
        if unlifted and not self.requests and self._unlifted_requests(unlifted, negated):
            self._refer(folded, compiled)
        self._score: float | None = turn.sentiment_score
        self._look: Screen | Literal[False] | None = False
        self.second: tuple[str, HeadScore | UsageScore] | None = None  # a hard hit, judged
        self._declines: UsageScore | Literal[False] | None = False  # `declines`, once a turn

    def _unlifted_requests(self, unlifted: list[Span], negated: list[Span]) -> bool:
        """No request either when the `LIFTED` mentions are not set aside (rescanned only when
        there is one): the anaphora runs exactly where it ran without them."""
        if not any(m.kind in LIFTED for m in self.mentions):
            return True
        requests, _ = scan(compiled_rules(self.rules).request, self.folded, self.rules, unlifted)
        return not any(not touches(h, negated) for h in requests)

    def _refer(self, folded: str, compiled: CompiledRules) -> None:
        """A wish for "one" of the word set aside before it becomes a hit of that word's kind."""
        named = [(compiled.request, None), *((p, g) for g, p in compiled.groups)]
        negated = partial(is_negated, folded, rules=self.rules.negation)
        found = anaphoric(folded, self.rules.sense, negated, named)
        if found is not None:
            (start, end), (first, last), group = found
            self.referent = self.turn.text[first:last]
            if group is None or group.name in REQUEST_GROUPS:
                self.requests.append(Hit(start, end))
            else:
                self.keywords.append(Hit(start, end, group))

    @property
    def score(self) -> float:
        if self._score is None:
            self._score = self.scorer.score(self.turn.text)
        return self._score

    @property
    def closure(self) -> bool:
        """Praise or thanks with no request in it: soft keywords and failures stay quiet."""
        return not self.asks and self.score >= self.rules.closure_min_score

    @cached_property
    def leaving(self) -> bool:
        """Giving up or saying goodbye, calmly (`parting.leaving`): failures stay quiet. Cached:
        the AI-failure rule and the semantic layer both ask, and it scores the turn's rest."""
        return not self.churn and leaving(self.folded, self.asks, self.scorer.score)

    @cached_property
    def joking(self) -> bool:
        """A light joke (`parting.joking`): the semantic layer is not asked."""
        return joking(self.folded, self.asks, self.score)

    @property
    def look(self) -> Screen | None:
        """The n-gram first look (`screen.py`), None when it is off or absent."""
        if self._look is False:
            screener = self.matcher if self.rules.first_look else None
            self._look = None if screener is None else screener.screen(self.turn.text)
        return self._look

    def first_look(self) -> Verdict:
        """The first look's verdict: "unsure" when it is off or absent."""
        return "unsure" if self.look is None else self.look.verdict

    def declined(self) -> bool:
        """A kept hit in a turn the decline head (`decline.py`) reads as a decline: the hit is
        dropped and the turn defused (the examples may not escalate what the head declined)."""
        if self._declines is False:
            self._declines = decline_score(self.turn.text, self.folded, self.matcher)
        calm = bool(self._declines and self._declines.calm)
        self.defused |= calm
        return calm

    def said(self, hit: Hit) -> str:
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
