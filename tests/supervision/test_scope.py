"""The sixth pass (H13): a decline's scope is the rest of the turn, not a window (`negation.
declined_later`), and two frames that count only where they hold a listed word (`frames.py`: a
when-clause before a question, the word as the modifier of a rate or a law). Rules only, no
embedding model. Phrasings differ from the dev rows on purpose (kinds, not cases).
"""

from __future__ import annotations

import pytest

from graphs.supervision.frames import FrameRules, frames
from graphs.supervision.language import fold
from graphs.supervision.negation import NegationRules, declined_later
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.screen import question_form

RULES = PolicyRules()


def decide(text: str) -> str | None:
    decision = evaluate(TurnContext(text=text, at=0), RULES)
    return decision.reason if decision else None


@pytest.mark.parametrize(
    ("text", "word", "declined"),
    [
        # a decline closing a later clause, however far from the word
        ("專人客服的部分，想一想還是不用了，謝謝", "專人客服", True),
        ("退款喔？算了啦，錢不多", "退款", True),
        ("投诉的事我想想，还是免了吧", "投诉", True),
        ("I'd asked about a callback from an agent earlier, never mind that.", "agent", True),
        ("einen Rückruf brauche ich nicht mehr, danke", "Rückruf", True),
        ("真人的話，算了，直接在這裡處理就好", "真人", True),  # 直接 resumes nothing
        ("オペレーターと話す必要はありません。解決しました", "オペレーター", True),
        # not a decline: the word comes after it, a wish resumes, the cue is not bare, or-else
        ("算了，找主管來", "找主管", False),
        ("真人客服電話是幾號？算了，直接幫我轉", "真人客服", False),
        ("轉人工，不用再問我了", "轉人工", False),
        ("我打算投诉了", "投诉", False),
        ("趕快轉人工，不然我就不用你們的門號了", "轉人工", False),
        ("Get me an agent, no need for more links", "agent", False),
        ("人工客服不用錢嗎？", "人工客服", False),
    ],
)
def test_a_later_decline_takes_back_the_wish(text: str, word: str, declined: bool) -> None:
    folded = fold(text)
    end = folded.index(fold(word)) + len(word)
    assert (declined_later(folded, end, NegationRules()) is not None) is declined


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("真人客服的部分，我看是不需要了，幫我查合約到期日就好", None),
        ("本來要申訴的，後來想想算了，幫我看一下帳單", None),
        ("Was going to ask for a human, never mind, found it in the FAQ", None),
        ("I'm not asking for a refund, just explain the charge", None),  # "asking" is a wish verb
        ("I never asked for an agent, stop transferring me", None),
        ("please don't bring a human in, just text me the steps", None),
        ("我沒說要退款，只是問一下", None),
        # the recall side: the wish after the decline, or a decline of something else
        ("FAQ就不用了，幫我轉真人", "user_request"),
        ("退款就算了，我要投訴你們", "keyword"),
        ("轉真人客服，罐頭回覆就免了", "user_request"),
    ],
)
def test_declines_in_the_policy(text: str, expected: str | None) -> None:
    assert decide(text) == expected


def frame_kinds(text: str) -> set[str]:
    found = frames(fold(text), FrameRules(), question_form, lambda t: "请" in t or "can you" in t)
    return {kind for _, _, kind in found}


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("申訴成立以後，多久會收到通知？", "temporal", True),
        ("Once a refund is approved, how is it paid out?", "temporal", True),
        ("担当者から折り返しがあるとき、番号は表示されますか", "temporal", True),
        ("我申請退款的時候你們說三天，現在呢？", "temporal", False),  # the customer's own past
        ("When I asked for a refund, you said a week. Where is it?", "temporal", False),
        ("轉人工以後，請幫我備註訂單編號", "temporal", False),  # the main clause asks to act
        ("你們的退款件數每年有多少？", "measure", True),
        ("what are your complaint rates like compared to others?", "measure", True),
        ("消保法對網購有什麼規定", "measure", True),
        ("我要投訴，你們的網速太慢", "measure", False),
    ],
)
def test_word_bound_frames(text: str, kind: str, found: bool) -> None:
    assert (kind in frame_kinds(text)) is found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("申訴成立以後，多久會收到通知？", None),
        ("你們的退款件數每年有多少？", None),
        # a when-clause or a rate without a listed word does not quiet the turn's rules
        ("下雨的時候網路就斷，我要找真人", "user_request"),
        ("網路成功率這麼低，我要投訴", "keyword"),
    ],
)
def test_word_bound_frames_in_the_policy(text: str, expected: str | None) -> None:
    assert decide(text) == expected
