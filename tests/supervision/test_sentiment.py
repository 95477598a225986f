"""The offline sentiment lexicon: direction, modifiers, boosters, bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphs.supervision.sentiment import (
    DEFAULT_SCORER,
    LexiconSentimentScorer,
    SentimentScorer,
)

score = DEFAULT_SCORER.score


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("這什麼垃圾服務", -0.8, -0.6),
        ("你们这服务太垃圾了，气死我了", -1.0, -0.85),
        ("I'm so fed up with this useless bot", -1.0, -0.85),
        ("網路有點爛", -0.5, -0.2),  # diminisher
        ("客服態度很好謝謝", 0.6, 1.0),
        ("Thanks, that was helpful!", 0.6, 1.0),
        ("你好", 0.0, 0.0),  # greeting, not praise
        ("我想查這個月的帳單", 0.0, 0.0),
        ("我一直收到垃圾簡訊", -0.3, 0.0),  # spam SMS is not an insult
        ("麻煩你幫我查一下", 0.0, 0.0),  # 麻煩你 is "please"
    ],
)
def test_scores_land_in_the_expected_band(text: str, low: float, high: float) -> None:
    assert low <= score(text) <= high


@pytest.mark.parametrize(
    ("weaker", "stronger"),
    [
        ("爛", "很爛"),
        ("爛", "好爛"),  # 好 before a sentiment word intensifies
        ("很爛", "非常爛"),
        ("有點爛", "爛"),
        ("bad", "really bad"),
        ("this is terrible", "this is terrible!!"),
        ("this is terrible", "this is TERRIBLE"),
        ("this is terrible?", "this is terrible???"),
    ],
)
def test_modifiers_and_boosters_make_anger_stronger(weaker: str, stronger: str) -> None:
    assert score(stronger) < score(weaker) < 0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("滿意", 1),
        ("不太滿意", -1),  # negated positive turns negative
        ("不是很好", -1),
        ("happy", 1),
        ("not happy", -1),
        ("bad", -1),
        ("not bad", 1),  # negated negative turns mildly positive
    ],
)
def test_negators_flip_direction(text: str, sign: int) -> None:
    assert score(text) * sign > 0


def test_contrast_weights_the_second_clause() -> None:
    assert score("謝謝，但是你們的服務太爛了") < -0.6
    assert score("this is terrible but thanks for trying") > score("this is terrible")


def test_acronyms_are_not_shouting() -> None:
    assert score("my SIM is bad") == score("my sim is bad")


def test_boosters_never_create_sentiment_alone() -> None:
    assert score("WHERE IS MY PARCEL!!!") == 0.0


def test_analyse_keeps_the_evidence() -> None:
    result = DEFAULT_SCORER.analyse("你們真的很爛!!")
    assert [h.term for h in result.hits] == ["烂"]
    assert result.booster == pytest.approx(1.3)
    assert result.score == score("你們真的很爛!!")


def test_custom_lexicon_and_protocol() -> None:
    scorer = LexiconSentimentScorer(negative={"卡卡": -0.9}, positive={})
    assert isinstance(scorer, SentimentScorer)
    assert scorer.score("網路卡卡") < -0.6
    assert scorer.score("垃圾") == 0.0  # replaced, not merged


@given(st.text(max_size=80))
def test_score_is_always_within_bounds(text: str) -> None:
    assert -1.0 <= score(text) <= 1.0


@pytest.mark.parametrize(
    "text",
    ["ya está, gracias", "解決しました、ありがとうございます", "Danke, alles klar",
     "好的 我回家再試試看", "ok I'll try that"],
)  # fmt: skip
def test_thanks_and_acceptance_in_any_language_read_as_closure(text: str) -> None:
    assert score(text) >= 0.3  # closure_min_score: soft keywords and failures stay quiet


@pytest.mark.parametrize(
    "text",
    ["This is beyond frustrating", "honestly you guys are a joke", "I'm so done with this company",
     "服了，一點用都沒有", "說好的優惠都沒有，根本是騙人"],
)  # fmt: skip
def test_mild_words_of_anger_reach_the_threshold(text: str) -> None:
    assert score(text) <= -0.6
