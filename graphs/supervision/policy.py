"""The escalation policy: one pure function that decides whether a chat turn needs a human.

`evaluate(turn, rules, scorer, matcher)` returns an `EscalationDecision` (the seed's `escalation`
object: reason, details, severity, trigger_at) or None. No clock, no I/O: `trigger_at` comes from
`turn.at`; the semantic layer's model sits behind the injected `matcher`.

Rules, in priority order (the first that fires names the reason):

1. `user_request` – an explicit ask for a person (轉人工, 找真人, 我要人工客服, talk to a human …),
   unless negated ("不用轉人工", "I don't need to talk to a human") or declined later in the
   turn ("找客服？算了吧"), see `negation`, or read as declined by labelled pairs (`decline`).
2. `keyword` – a keyword group (legal, complaint, refund, human) matches, not negated and not
   inside an ignore phrase or pattern (人工智慧, 客服電話, 轉人工要錢嗎, refund policy …). Soft
   groups (refund, human) are muted on positive closure. The most severe group wins. A hit in
   its own question is judged by examples, not lists: a soft hit is dropped when the turn is
   clearly calm (n-grams or nearest examples) or the usage examples call the word mentioned
   (`usage.py`); a legal or complaint hit when the linear head or the usage examples do
   (`head.py`). A demand keeps its keyword without the model. A request (1) with a threat or a
   refund is named by that hit. Before 1 and 2, `sense` marks where a listed word is
   *mentioned* (its meaning or price asked, an if-clause, somebody else's words, an address, a
   name), and "…不管，幫我轉一個" asks for the word before it (`sense.anaphoric`).
3. `ai_failure` – `ai_fail_count ≥ ai_fail_threshold` (3), unless positive closure or a calm
   goodbye, giving up ("好啦 不問了 掰掰", `parting.leaving`).
4. `sentiment` – score ≤ `sentiment_threshold` (-0.6); or sustained frustration: this turn and the
   previous `sustained_turns - 1` user turns all ≤ `sustained_threshold` (-0.3); or repetition
   (`frustration.py`, rule `repetition`): the same question again, or "第三次了", impatiently;
   or sarcasm (`sarcasm.py`, rule `sarcasm`): ironic praise about trouble ("好棒棒，又斷線了"),
   not once the trouble is told as over ("… but it's fixed now").
5. `vip` – VIP only: AI failures ≥ 1, score ≤ -0.3, or a churn keyword (解約, 攜碼 …).
6. semantic layer (`intent`), only when no rule fired and nothing was defused or closed: the
   turn is no calm goodbye nor light joke (`parting.py`), the
   `top_k` nearest escalating examples beat the nearest calm ones by `semantic_margin`; the
   nearest example's intent names the reason (`SEMANTIC_REASONS`), `details` names both
   examples and the margin. The n-gram first look (`screen.py`) decides the turns it is
   trusted on without the model.

Severities: user_request medium; keyword the group's (legal critical, complaint high, refund
and human medium); ai_failure medium, high at 6+ failures; sentiment medium, high at ≤ -0.85;
vip high. A VIP's decision under reasons 1–4 is raised one level (`vip.raise_other_severities`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal, cast

from graphs.supervision.analysis import REQUEST_GROUPS, Analysis
from graphs.supervision.decline import kept
from graphs.supervision.frames import asks
from graphs.supervision.frustration import repetition, tells_repetition
from graphs.supervision.head import THREATS, second_opinion
from graphs.supervision.intent import Intent, IntentMatcher, ModelNeeded, NoModel
from graphs.supervision.keywords import Hit
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
from graphs.supervision.sarcasm import sarcastic
from graphs.supervision.screen import question_form
from graphs.supervision.sense import asked_after, names_only
from graphs.supervision.sentiment import DEFAULT_SCORER, SentimentScorer
from graphs.supervision.turn import EscalationDecision, TurnContext, UserProfile
from graphs.supervision.vip_signals import leaning, trouble

__all__ = [
    "REASONS", "EscalationDecision", "KeywordGroup", "PolicyRules", "Reason", "Severity",
    "TurnContext", "UserProfile", "VipRules", "evaluate", "evaluate_without_model",
]  # fmt: skip


# What an escalating intent of the semantic layer means in the seed's reasons.
SEMANTIC_REASONS: Final[Mapping[Intent, tuple[Reason, Severity, str]]] = {
    "request_human": ("user_request", "medium", "request_human"),
    "legal_threat": ("keyword", "critical", "legal"),
    "complaint": ("keyword", "high", "complaint"),
    "refund_demand": ("keyword", "medium", "refund"),
    "frustration": ("sentiment", "medium", "frustration"),
}


def _user_request(a: Analysis) -> EscalationDecision | None:
    # a hit that only names a person (真人客服, live agents) may be a question about the service;
    # a hit with a verb (找真人, 幫我轉接) is asked first and never needs the model
    found = sorted(a.requests, key=lambda h: names_only(a.said(h), a.rules.sense))
    if found and a.declined():
        return None
    if not found or (names_only(a.said(found[0]), a.rules.sense) and _informational(a, found[0])):
        return None
    said = a.said(found[0])
    about = f" (指前面的「{a.referent}」)" if a.referent else ""
    details = f"客戶要求真人服務: {said}{about}{kept(a._declines)}"
    return a.decision("user_request", "medium", details, matched=said)


def _informational(a: Analysis, hit: Hit) -> bool:
    """A soft word (退款, 客服) in a question *about* it, judged by examples, not a list: only
    with words around it (a bare "人工" is a use), when the turn is clearly calm (`Screen` or
    `IntentMatch.clearly_calm`) or the usage examples call the word mentioned (`usage.py`)."""
    if a.matcher is None or (hit.end - hit.start) * 2 >= len(a.turn.text.strip()):
        return False
    # the question after the word, to its sentence's end ("退款會退到哪我知道，…快退錢": none)
    asked = asks(asked_after(a.turn.text, hit.start, hit.end))
    look = a.look
    if (look is not None and look.score > look.demand_bar) or (a.rules.first_look and not asked):
        return False  # a demand, or not a question: not a question *about* the word, no model
    if not (look is not None and look.clearly_calm):  # n-grams calmer than ~every escalation
        match = a.matcher.match(a.turn.text)
        if match is None or not (match.clearly_calm or (match.usage and match.usage.calm)):
            return False
    a.defused = True
    return True


def _mentioned(a: Analysis, hit: Hit) -> bool:
    """A legal or complaint word in its own question that the linear head calls calm (`head`)."""
    opinion = second_opinion(a.turn.text, a.folded, (hit.start, hit.end), a.matcher, a.wishes)
    a.second = None if opinion is None else (a.said(hit), opinion)
    a.defused |= bool(opinion and opinion.calm)
    return bool(opinion and opinion.calm)


def _keyword(a: Analysis, skip: frozenset[str] = frozenset()) -> EscalationDecision | None:
    found = [
        (h, h.group)
        for h in a.keywords
        if h.group and h.group.name not in skip and not (h.group.soft and a.closure)
    ]
    found = [(h, g) for h, g in found if not (_informational if g.soft else _mentioned)(a, h)]
    if not found or a.declined():
        return None
    hit, group = min(found, key=lambda pair: (-SEVERITIES.index(pair[1].severity), pair[0].start))
    said = a.said(hit)
    about = f", 指前面的「{a.referent}」" if a.referent else ""
    checked = f"; 「{a.second[0]}」{a.second[1].explain()}" if a.second else ""
    details = f"命中關鍵詞: {said} ({group.name}{about}){checked}{kept(a._declines)}"
    return a.decision("keyword", group.severity, details, matched=said, rule=group.name)


def _ai_failure(a: Analysis) -> EscalationDecision | None:
    fails, threshold = a.turn.ai_fail_count, a.rules.ai_fail_threshold
    severity: Severity = "high" if fails >= 2 * threshold else "medium"
    no = fails < threshold or a.closure or a.leaving  # a calm goodbye: nobody left to help
    return None if no else a.decision("ai_failure", severity, f"AI 已 {fails} 次未能解決問題")


def _sentiment(a: Analysis) -> EscalationDecision | None:
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
    repeated = _repeated(a)
    if repeated is not None:
        return repeated
    ironic = sarcastic(a.folded, rules.sarcasm)
    if ironic is not None:
        return a.decision("sentiment", "medium", f"反諷: {ironic}", rule="sarcasm", score=rounded)
    return None


def _repeated(a: Analysis, *, told: bool = False) -> EscalationDecision | None:
    """The repetition part of `_sentiment`; `told`: the customer's "I asked N times" counts."""
    repeated = repetition(a.turn.text, a.turn.history, a.rules.repeat, a.score, told=told)
    if repeated is None:
        return None
    said = repeated.cue or f"同一問題已問過 {repeated.repeats} 次"
    return a.decision("sentiment", "medium", f"重複提問的挫折: {said}", matched=repeated.cue,
                      rule="repetition", score=round(a.score, 2))  # fmt: skip


def _vip(a: Analysis) -> EscalationDecision | None:
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
    return None if a.defused else _vip_unlisted(a)


def _vip_unlisted(a: Analysis) -> EscalationDecision | None:
    """Churn said sideways, or a calm first report of trouble (`vip_signals.py`)."""
    for find, rule, label in ((leaning, "churn", "流失傾向"), (trouble, "trouble", "反映問題")):
        span = find(a.folded)
        if span is not None:
            said = a.turn.text[span[0] : span[1]]
            return a.decision("vip", a.rules.vip.severity, f"VIP 客戶: {label} {said}",
                              matched=said, rule=rule)  # fmt: skip
    return None


_RULES: Final[Mapping[Reason, Callable[[Analysis], EscalationDecision | None]]] = {
    "user_request": _user_request,
    "keyword": _keyword,
    "ai_failure": _ai_failure,
    "sentiment": _sentiment,
    "vip": _vip,
}


def _semantic(a: Analysis) -> EscalationDecision | None:
    """Nearest examples, asked only when no rule fired and the rules found nothing defused."""
    if a.matcher is None or a.defused or a.closure or a.first_look() == "calm":
        return None
    if a.leaving or a.joking or a.told:  # a calm goodbye, a light joke, somebody else's story
        return None
    look, calibrated = a.look, a.rules.semantic_margin <= 0  # the first look's bars assume 0
    if look is not None and look.nearest is not None and calibrated and look.verdict == "escalate":
        intent, evidence = cast("Intent", look.nearest.intent), f"n-gram: {look.explain()}"
        examples: tuple[str, ...] = (look.nearest.id,)  # the nearest example by n-grams
        margin: float | None = None
    else:
        match = a.matcher.match(a.turn.text)
        if match is None or match.margin < a.rules.semantic_margin:
            return None
        intent, evidence = match.escalating.example.intent, f"語意相近: {match.explain()}"
        if intent in THREATS and match.head and match.head.calm and question_form(a.turn.text):
            return None  # a threat named by the examples, asked as a question the head calls calm
        if a.declined():
            return None  # a wish the decline head reads as declined ("don't put me through")
        examples = (match.escalating.example.id, match.calm.example.id)
        margin = round(match.margin, 4)
    reason, severity, rule = SEMANTIC_REASONS[intent]
    if reason not in a.rules.enabled_reasons or (intent == "frustration" and a.score > 0):
        return None
    return a.decision(reason, severity, evidence, rule=f"semantic:{rule}", examples=examples,
                      margin=margin)  # fmt: skip


def evaluate(
    turn: TurnContext,
    rules: PolicyRules,
    scorer: SentimentScorer = DEFAULT_SCORER,
    matcher: IntentMatcher | None = None,
) -> EscalationDecision | None:
    """Decide whether `turn` escalates, and why (priority order and severities: module doc).

    `matcher` (the semantic layer) is consulted only when no rule fires."""
    analysis = Analysis(turn, rules, scorer, matcher)
    for reason in (r for r in REASONS if r in rules.enabled_reasons):
        decision = _RULES[reason](analysis)
        if decision is not None:
            return _raised(_most_severe(decision, analysis), turn, rules)
    decision = _semantic(analysis)
    if (  # "I've asked 3 times: …", asked last: with a wish the examples name it (request_human)
        decision is None
        and "sentiment" in rules.enabled_reasons
        and tells_repetition(turn.text, rules.repeat)
    ):
        decision = _repeated(analysis, told=True)
    return None if decision is None else _raised(decision, turn, rules)


def evaluate_without_model(
    turn: TurnContext,
    rules: PolicyRules,
    scorer: SentimentScorer = DEFAULT_SCORER,
    matcher: IntentMatcher | None = None,
) -> EscalationDecision | Literal["needs_model"] | None:
    """`evaluate` without an embedding (rules + first look, < 1 ms: fine on an event loop), or
    "needs_model" (run `evaluate(..., matcher)` off the loop); a soft hit awaiting its veto
    check is not returned as a decision, unlike `evaluate` without a matcher."""
    if matcher is None:
        return evaluate(turn, rules, scorer)
    try:
        return evaluate(turn, rules, scorer, NoModel(matcher))
    except ModelNeeded:
        return "needs_model"


def _most_severe(decision: EscalationDecision, a: Analysis) -> EscalationDecision:
    """A request for a person that also threatens, complains or demands money is named by the
    threat (`keyword`): it is the more severe reason and the one supervisors file it under."""
    if decision.reason != "user_request" or "keyword" not in a.rules.enabled_reasons:
        return decision
    keyword = _keyword(a, skip=REQUEST_GROUPS)
    return keyword if keyword is not None else decision


def _raised(
    decision: EscalationDecision, turn: TurnContext, rules: PolicyRules
) -> EscalationDecision:
    """A VIP's decision under another reason goes one severity up (`vip.raise_other_severities`)."""
    raise_vip = rules.vip.enabled and rules.vip.raise_other_severities
    if decision.reason != "vip" and raise_vip and turn.user_profile.vip:
        return decision.model_copy(update={"severity": raise_severity(decision.severity)})
    return decision
