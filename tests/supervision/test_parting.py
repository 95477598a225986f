"""The eighteenth pass (issue 20, H62): a calm goodbye after giving up keeps the AI-failure
counter quiet, a light joke is not sent to the examples (`parting.py`). Rules first, then the
policy with the shipped semantic layer; each row is a phrasing other than the dev rows'."""

from __future__ import annotations

import pytest

from graphs.supervision.intent import IntentMatcher
from graphs.supervision.language import fold
from graphs.supervision.parting import joking, leaving
from graphs.supervision.policy import PolicyRules, TurnContext, UserProfile, evaluate
from graphs.supervision.sentiment import DEFAULT_SCORER

RULES = PolicyRules()


def decide(
    text: str, fails: int = 0, vip: bool = False, matcher: IntentMatcher | None = None
) -> str | None:
    turn = TurnContext(text=text, at=0, ai_fail_count=fails, user_profile=UserProfile(vip=vip))
    decision = evaluate(turn, RULES, matcher=matcher)
    return decision.reason if decision else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # going: a goodbye or where the customer goes instead, maybe after giving up
        ("好啦 不用了 我改天自己去門市 掰", True),
        ("沒關係啦 我自己跑一趟門市", True),
        ("ok forget it, I'll just pop into the store tomorrow. bye", True),
        ("never mind then, take care", True),
        ("schon gut, tschüss", True),
        ("算了算了 再見", True),
        # giving up alone: still in the chat
        ("算了", False),
        ("forget it", False),
        ("不問了", False),
        # anger, a question or a request is no calm goodbye
        ("算了 你們真的很爛 拜拜", False),
        ("bye, you guys are useless", False),
        ("算了 那我去門市要帶什麼嗎", False),
        ("算了 幫我轉人工 拜拜", False),
        ("whatever, I'll go to the store and ask them why my bill doubled this month again", False),
    ],
)
def test_leaving(text: str, expected: bool) -> None:
    folded = fold(text)
    asks = any(cue in folded for cue in ("帮我", "please", "i want"))
    assert leaving(folded, asks, DEFAULT_SCORER.score) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你打字比我老闆還有耐心 哈哈", True),
        ("haha you're nicer than my landlord", True),
        ("lol you're more patient than my kids", True),
        ("哈哈 謝謝你 太貼心了", True),  # praise with laughter
        ("哈哈 笑死 你們網站又掛了", False),  # mockery
        ("lol are you kidding me", False),
        ("哈哈 這什麼爛服務", False),  # a bad word
        ("哈哈", False),  # laughter alone: neither comparison nor praise
    ],
)
def test_joking(text: str, expected: bool) -> None:
    folded = fold(text)
    assert joking(folded, False, DEFAULT_SCORER.score(text)) is expected


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        ("好啦 不用了 我改天自己去門市 掰", 4),
        ("ok forget it, I'll just pop into the store tomorrow. bye", 3),
        ("不问了 88 拜拜", 6),
    ],
)
def test_a_calm_goodbye_after_failures_does_not_escalate(text: str, fails: int) -> None:
    assert decide(text, fails) is None


@pytest.mark.parametrize(
    ("text", "fails", "vip", "reason"),
    [
        ("算了", 3, False, "ai_failure"),  # giving up, still here: a person helps now
        ("nvm", 4, False, "ai_failure"),
        ("算了 你們真的爛透了 拜拜", 5, False, "ai_failure"),  # a bad word: no calm goodbye
        ("算了 我要去投訴你們 拜拜", 3, False, "keyword"),
        ("算了 我去辦攜碼 拜拜", 0, True, "vip"),  # churn
        ("算了 不問了 拜拜", 1, True, "vip"),  # a VIP's first failure still counts
    ],
)
def test_giving_up_otherwise_still_escalates(text: str, fails: int, vip: bool, reason: str) -> None:
    assert decide(text, fails, vip) == reason


def test_a_light_joke_is_not_sent_to_the_examples(matcher: IntentMatcher) -> None:
    for text in ("你回得比我們家網管還快 哈哈", "haha you answer faster than my husband does"):
        assert decide(text, matcher=matcher) is None
    assert decide("哈哈 你比我家的狗还笨 快给我转人工", matcher=matcher) == "user_request"
