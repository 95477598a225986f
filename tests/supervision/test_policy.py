"""The escalation policy: reasons, priority, negation, severities, VIP bar, configurability."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from graphs.supervision.policy import (
    EscalationDecision,
    KeywordGroup,
    PolicyRules,
    TurnContext,
    UserProfile,
    evaluate,
)
from graphs.supervision.rules import raise_severity

AT = 1_737_000_300
RULES = PolicyRules()


def turn(text: str, fails: int = 0, vip: bool = False, **extra: object) -> TurnContext:
    return TurnContext(
        text=text, at=AT, ai_fail_count=fails, user_profile=UserProfile(vip=vip), **extra
    )


def decide(text: str, fails: int = 0, vip: bool = False) -> EscalationDecision | None:
    return evaluate(turn(text, fails, vip), RULES)


@pytest.mark.parametrize(
    ("text", "reason", "severity", "matched"),
    [
        ("轉人工", "user_request", "medium", "轉人工"),
        ("我要人工客服", "user_request", "medium", "我要人工客服"),
        ("找真人", "user_request", "medium", "找真人"),
        ("人工服務", "user_request", "medium", "人工服務"),
        ("转人工", "user_request", "medium", "转人工"),
        ("找客服", "user_request", "medium", "找客服"),
        ("I want to talk to a human", "user_request", "medium", "talk to a human"),
        ("Can I speak to an agent please?", "user_request", "medium", "speak to an agent"),
        ("is there a real person here", "user_request", "medium", "is there a real person"),
        ("Can a human review my case?", "user_request", "medium", "Can a human"),
        ("怎么联系人工？", "user_request", "medium", "联系人工"),
        ("人工", "keyword", "medium", "人工"),
        ("我要投訴", "keyword", "high", "投訴"),
        ("我要投诉你们", "keyword", "high", "投诉"),
        ("再不處理我就找律師", "keyword", "critical", "律師"),
        ("我要去消保官那邊檢舉", "keyword", "critical", "消保"),
        ("我要退款", "keyword", "medium", "退款"),
        ("I will sue you", "keyword", "critical", "sue"),
        ("my lawyers are reading this", "keyword", "critical", "lawyers"),
        ("I want a refund", "keyword", "medium", "refund"),
        ("filing a complaint now", "keyword", "high", "complaint"),
        # H9: asking for a person, somebody to phone
        ("I'm asking for a supervisor, now", "user_request", "medium", "asking for a supervisor"),
        ("可以請人打來跟我說明一下嗎", "user_request", "medium", "請人打來"),
        ("麻煩派個同事來電說明", "user_request", "medium", "派個同事來電"),
    ],
)
def test_requests_and_keywords_escalate_with_their_severity(
    text: str, reason: str, severity: str, matched: str
) -> None:
    decision = decide(text)
    assert decision is not None
    assert (decision.reason, decision.severity, decision.matched) == (reason, severity, matched)
    assert decision.trigger_at == AT


@pytest.mark.parametrize(
    "text",
    [
        "我不需要人工",
        "我不需要人工，謝謝",
        "不用轉人工",
        "不用转人工了",
        "人工就不用了，你回答就好",
        "客服不用了",
        "不要人工",
        "我不想找客服，幫我查帳單就好",
        "我沒有要退款，只是想確認金額",
        "我不是要投诉，只是问问",
        "我不需要你們的人工客服",
        "我不需要你們公司的人工客服",
        "no need for a human",
        "no need for a human, thanks",
        "I don't want an agent",
        "I do not want to speak to an agent",
        "I don't need to talk to a human",
        "No human please",
        "I'm not asking for a refund",
        "human? no thanks",
        "I'm not asking for a supervisor, only for the invoice date",  # H9
        "不用找人打給我，傳簡訊給我就好",
    ],
)
def test_negated_requests_and_keywords_do_not_escalate(text: str) -> None:
    assert decide(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("我不要AI，我要真人", "user_request"),  # negation ends at the comma
        ("我不要AI我要人工", "user_request"),  # 要 starts a fresh request
        ("不想等了快幫我轉人工", "user_request"),  # 了 closes the negated clause
        ("No, I want a human", "user_request"),
        ("I don't want to wait, give me an agent", "user_request"),
        ("沒有人工嗎？", "user_request"),  # 沒有 asks, it does not refuse
        ("要不要轉人工比較快？", "user_request"),  # 要不要 is a question form, not a cue
        ("I have not received my refund", "keyword"),  # plain "not" negates no wish
        ("it is not working I want a refund", "keyword"),
    ],
)
def test_negation_window_does_not_swallow_real_requests(text: str, reason: str) -> None:
    decision = decide(text)
    assert decision is not None and decision.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        "人工智慧可以幫我查帳單嗎？",
        "人工智能能帮我查话费吗",
        "客服時間是幾點到幾點？",
        "客服电话是多少",
        "你是真人嗎？",
        "Are you a real person?",
        "She is an agent of change",
        "Human error on my side",
        "What are your customer service hours?",
        "what is the support phone number",
        "請問人工客服的服務時間？",
        "客服專線幾號",
        "客服电话打不通吗",
        "退款流程我已經知道了，謝謝",  # soft keyword muted by positive closure
        "客服態度很好謝謝",
        "The refund arrived, thank you so much!",
        "agentic workflows are neat",  # word boundary: agentic is not agent
    ],
)
def test_harmless_mentions_do_not_escalate(text: str) -> None:
    assert decide(text) is None


def test_hard_keywords_ignore_positive_closure() -> None:
    decision = decide("謝謝你，我會請律師處理")
    assert decision is not None and decision.reason == "keyword" and decision.rule == "legal"


def test_request_cue_keeps_soft_keyword_alive_in_a_polite_turn() -> None:
    decision = decide("謝謝，我要退款")
    assert decision is not None and decision.reason == "keyword" and decision.rule == "refund"


def test_most_severe_keyword_group_wins() -> None:
    decision = decide("我要退款，不然就找律師")
    assert decision is not None and decision.rule == "legal" and decision.severity == "critical"
    assert decision.details == "命中關鍵詞: 律師 (legal)"


@pytest.mark.parametrize(
    ("text", "fails", "expected"),
    [
        ("還是不行", 2, None),
        ("還是不行", 3, ("ai_failure", "medium")),
        ("that didn't help", 5, ("ai_failure", "medium")),
        ("that didn't help", 6, ("ai_failure", "high")),
        ("謝謝，問題解決了", 3, None),  # closure beats the counter
        ("知道了，再見", 3, None),  # a goodbye closes too
        ("ok got it, bye", 3, None),
        ("bye, this is useless", 3, ("ai_failure", "medium")),
    ],
)
def test_ai_failure_threshold(text: str, fails: int, expected: tuple[str, str] | None) -> None:
    decision = decide(text, fails)
    assert (decision and (decision.reason, decision.severity)) == expected


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("這什麼垃圾服務，浪費我一個小時", "medium"),
        ("你們的網路爛到爆，每天都斷線，氣死我了！", "high"),
        ("This is RIDICULOUS. Your service is absolutely terrible!!", "high"),
    ],
)
def test_angry_turns_escalate_on_sentiment(text: str, severity: str) -> None:
    decision = decide(text)
    assert decision is not None and decision.reason == "sentiment"
    assert decision.severity == severity
    assert decision.score is not None and decision.score <= RULES.sentiment_threshold
    assert str(decision.score) in decision.details


def test_sustained_mild_negativity_escalates_with_history() -> None:
    mild = "網路有點慢，有點失望"
    assert evaluate(turn(mild), RULES) is None
    history = ("網路又斷線了，很煩", "還是很慢")
    decision = evaluate(turn(mild, history=history), RULES)
    assert decision is not None and decision.reason == "sentiment" and decision.rule == "sustained"


def test_precomputed_score_overrides_the_lexicon() -> None:
    decision = evaluate(turn("ok", sentiment_score=-0.9), RULES)
    assert decision is not None and decision.reason == "sentiment" and decision.severity == "high"


def test_any_sentiment_scorer_can_replace_the_lexicon() -> None:
    class Furious:
        def score(self, text: str) -> float:
            return -1.0

    decision = evaluate(turn("hello"), RULES, scorer=Furious())
    assert decision is not None and decision.reason == "sentiment"


@pytest.mark.parametrize(
    ("text", "fails", "vip", "expected"),
    [
        ("還是不行耶", 1, True, ("vip", "high", "ai_failure")),
        ("還是不行耶", 1, False, None),
        ("網路有點慢，有點失望", 0, True, ("vip", "high", "sentiment")),
        ("網路有點慢，有點失望", 0, False, None),
        ("我想解約", 0, True, ("vip", "high", "churn")),
        ("I'm thinking about switching to another carrier", 0, True, ("vip", "high", "churn")),
        ("Ich möchte den Anbieter wechseln", 0, True, ("vip", "high", "churn")),
        ("Je vais résilier mon forfait", 0, True, ("vip", "high", "churn")),
        ("我想解約", 0, False, None),
        ("我不打算解約", 0, True, None),
        ("請問 iPhone 16 續約價格", 0, True, None),
        ("我要退款", 0, True, ("keyword", "high", "refund")),  # other reasons: one level up
        ("我要找律師", 0, True, ("keyword", "critical", "legal")),  # capped at critical
    ],
)
def test_vip_lower_bar(
    text: str, fails: int, vip: bool, expected: tuple[str, str, str] | None
) -> None:
    decision = decide(text, fails, vip)
    assert (decision and (decision.reason, decision.severity, decision.rule)) == expected


def test_priority_order_request_beats_keyword_beats_failure_beats_sentiment() -> None:
    angry = "你們爛透了氣死我，我要投訴"
    assert decide("轉人工！你們爛透了氣死我", fails=5).reason == "user_request"  # type: ignore[union-attr]
    assert decide(angry, fails=5).reason == "keyword"  # type: ignore[union-attr]
    assert decide("你們爛透了氣死我", fails=5).reason == "ai_failure"  # type: ignore[union-attr]
    assert decide("你們爛透了氣死我", fails=0).reason == "sentiment"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("轉人工！我要投訴你們", ("keyword", "high", "complaint")),
        ("give me a real person, I'm calling my lawyer", ("keyword", "critical", "legal")),
        ("我要找真人，還有上個月多扣的錢要退款", ("keyword", "medium", "refund")),
        ("轉人工，我要跟客服講", ("user_request", "medium", None)),  # the human group is a request
        ("I want to talk to a human", ("user_request", "medium", None)),
    ],
)
def test_request_with_a_threat_is_named_by_the_threat(
    text: str, expected: tuple[str, str, str | None]
) -> None:
    """Supervisors file "get me a person, I'm suing" under the threat: the most severe reason."""
    decision = decide(text)
    assert decision is not None
    assert (decision.reason, decision.severity, decision.rule) == expected


def test_as_escalation_is_the_seed_shape() -> None:
    decision = decide("人工")
    assert decision is not None
    assert decision.as_escalation() == {
        "reason": "keyword",
        "details": "命中關鍵詞: 人工 (human)",
        "severity": "medium",
        "trigger_at": AT,
    }


def test_rules_load_from_json_and_change_behaviour() -> None:
    data = {
        "ai_fail_threshold": 2,
        "enabled_reasons": ["keyword", "ai_failure"],
        "keyword_groups": [{"name": "billing", "severity": "low", "terms": ["帳單", "invoice"]}],
    }
    rules = PolicyRules.from_json(json.dumps(data, ensure_ascii=False))
    assert rules.keyword_groups == (
        KeywordGroup(name="billing", severity="low", terms=("帳單", "invoice")),
    )
    assert evaluate(turn("轉人工"), rules) is None  # user_request switched off
    billing = evaluate(turn("我的账单有问题"), rules)  # written zh-TW, matches zh-CN
    assert billing is not None and (billing.rule, billing.severity) == ("billing", "low")
    assert evaluate(turn("hmm", fails=2), rules).reason == "ai_failure"  # type: ignore[union-attr]
    assert PolicyRules.model_validate(rules.model_dump()) == rules


@pytest.mark.parametrize(
    "data",
    [
        {"ai_fail_threshold": 0},
        {"sentiment_threshold": -2},
        {"enabled_reasons": ["telepathy"]},
        {"keyword_groups": [{"name": "x", "severity": "urgent", "terms": []}]},
        {"unknown_setting": True},
    ],
)
def test_invalid_rules_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PolicyRules.model_validate(data)


def test_user_profile_accepts_the_seed_profile() -> None:
    profile = UserProfile.model_validate(
        {"nickname": "访客A", "vip": True, "gdpr_consent": True, "country": "DE", "language": "de"}
    )
    assert profile.vip and profile.language == "de"


@pytest.mark.parametrize(
    ("severity", "steps", "raised"),
    [("low", 1, "medium"), ("medium", 1, "high"), ("high", 1, "critical"),
     ("critical", 1, "critical"), ("low", 3, "critical")],
)  # fmt: skip
def test_raise_severity(severity: str, steps: int, raised: str) -> None:
    assert raise_severity(severity, steps) == raised  # type: ignore[arg-type]


def test_sentiment_is_only_scored_when_a_rule_needs_it() -> None:
    """An LLM-backed scorer costs a call; an explicit request must not pay for it."""
    calls: list[str] = []

    class Counting:
        def score(self, text: str) -> float:
            calls.append(text)
            return 0.0

    assert evaluate(turn("轉人工"), RULES, scorer=Counting()) is not None
    assert calls == []
    assert evaluate(turn("請問方案"), RULES, scorer=Counting()) is None
    assert calls == ["請問方案"]


def test_sustained_needs_enough_history() -> None:
    assert evaluate(turn("還是很慢", history=("網路又斷線了，很煩",)), RULES) is None
    calm = ("謝謝", "網路又斷線了，很煩")
    assert evaluate(turn("還是很慢", history=calm), RULES) is None
