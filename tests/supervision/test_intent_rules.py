"""The rules that read intent without a model: sense-aware keywords (a question *about* a word is
no request), legal threats with other verbs, demands without the listed word, frustration from
repetition, and declined wishes in other languages. Pure: no embedding model here."""

from __future__ import annotations

import pytest

from graphs.supervision.frustration import repeats, repetition, similarity
from graphs.supervision.negation import NegationRules, declines_wish
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.rules import RepeatRules

AT = 1_737_000_300
RULES = PolicyRules()


def decide(text: str, history: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    decision = evaluate(TurnContext(text=text, at=AT, history=history), RULES)
    return (decision.reason, decision.rule) if decision else (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "轉人工要錢嗎",
        "转人工需要额外收费吗？",
        "真人客服週末有上班嗎",
        "人工客服星期天有人在嗎",
        "轉人工大概要等多久",
        "退款要多久才會入帳？",
        "退費大概幾個工作天",
        "如果我月中降資費，會退款嗎？",
        "投訴專線跟客服電話一樣嗎",
        "真人客服跟AI回答有差別嗎",
        "是不是要找客服才可以辦停話",
        "我朋友是律師，他說沒問題",
        "請問律師公會有團體優惠嗎",
        "NCC 認證的型號在哪裡查",
        "手機跳出「請聯絡客服」是什麼",
        "Is this bike light human-powered?",
        "Is there a human-readable summary of the contract?",
        "Does it cost anything to speak to a live agent?",
        "How long does a refund take to show up?",
        "Would I get a refund if I cancel in the first week?",
        "what's the number for customer service",
        "My sister is a lawyer and she read the contract",
        "Does the 'AI agent' feature work on your network?",
        "オペレーターの受付時間は何時までですか",
        "人工服務一般幾點開始",  # hours, with 服務一般 between the word and the time
        "退款會原路退回嗎",  # how a refund is paid, asked
    ],
)
def test_questions_about_a_word_are_not_requests(text: str) -> None:
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "reason", "rule"),
    [
        # the same words used, not mentioned
        ("轉人工", "user_request", None),
        ("人工客服在哪裡", "user_request", None),
        ("I want a refund", "keyword", "refund"),
        ("多扣的錢原路退回來", "keyword", "refund"),  # 原路 in a demand, not a question
        # legal threats with verbs beyond the list
        ("不處理我就去法院告你們", "keyword", "legal"),
        ("你們等著收存證信函", "keyword", "legal"),
        ("我会起诉你们", "keyword", "legal"),
        ("I'm going to file a claim against your company", "keyword", "legal"),
        ("I'll report you to the police for this", "keyword", "legal"),
        ("you'll be hearing from my solicitor", "keyword", "legal"),
        ("Ich werde einen Anwalt einschalten", "keyword", "legal"),
        # demands without the listed word
        ("那筆錢還我", "keyword", "refund"),
        ("多扣的赶紧退给我", "keyword", "refund"),
        ("just give me my money back", "keyword", "refund"),
        ("please reverse this charge", "keyword", "refund"),
        # a person wanted, phrased without 真人 / human / agent
        ("可以請你們打電話給我嗎", "user_request", None),
        ("找個懂的人來跟我說", "user_request", None),
        ("機器人不懂，換個人來", "user_request", None),
        ("能轉接嗎", "user_request", None),
        ("can someone call me back", "user_request", None),
        ("I'd like a call back tomorrow", "user_request", None),
        ("just give me a ring when you can", "user_request", None),
        ("Ich möchte mit einem Mitarbeiter sprechen", "user_request", None),
        ("オペレーターにつないでください", "user_request", None),
        # "為什麼不退款" demands, "我不投訴" declines
        ("為什麼不退款", "keyword", "refund"),
    ],
)
def test_intent_beyond_the_word_lists(text: str, reason: str, rule: str | None) -> None:
    assert decide(text) == (reason, rule)


@pytest.mark.parametrize(
    "text",
    [
        "我不投訴，只是提個建議",
        # the decline before the word, or of a contact with an unlisted verb (fifteenth pass)
        "never mind the agent, it works now",
        "Forget about the refund, how do I change plans",
        "回電就不用了，我自己查",
        "我不會申訴啦，問問而已",
        "I'm not going to complain, just curious",
        "No necesito hablar con nadie",
        "Ich brauche keinen Mitarbeiter, danke",
    ],
)
def test_declined_wishes_do_not_escalate(text: str) -> None:
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "history", "expected"),
    [
        ("帳單怎麼又多了一百，這是第三次了！", (), "repetition"),
        ("I've asked this three times already", (), "repetition"),
        ("how many times do I have to tell you, why is my bill wrong", (), "repetition"),
        ("Ich frage jetzt zum dritten Mal: warum ist die Rechnung so hoch?", (), "repetition"),
        ("Das ist das vierte Mal, dass ich schreibe. Es reicht.", (), "repetition"),
        # the customer says they asked N times (`told`, asked after the examples)
        ("I have asked you this four times: when is my bill due", (), "repetition"),
        ("我問了三次了，合約什麼時候到期", (), "repetition"),
        ("I was told three times that it is free, is that right", (), None),
        # the same question asked twice before
        ("我的帳單到底為什麼多了兩百", ("我的帳單為什麼多了兩百", "我的帳單為什麼多了兩百？"),
         "repetition"),
        # a calm count is no frustration
        ("這是我第二次辦門號，需要帶什麼", (), None),
        ("I'm ordering a second phone for the third time this year, any discount?", (), None),
        # asked once before: not yet
        ("我的帳單為什麼多了兩百", ("我的帳單為什麼多了兩百",), None),
        # short turns repeat without asking anything
        ("還是不行", ("還是不行", "還是不行"), None),
    ],
)  # fmt: skip
def test_frustration_from_repetition(
    text: str, history: tuple[str, ...], expected: str | None
) -> None:
    reason, rule = decide(text, history)
    assert rule == expected
    assert reason == ("sentiment" if expected else None)


def test_repetition_explains_itself() -> None:
    turn = TurnContext(text="這已經是第四次了！", at=AT)
    decision = evaluate(turn, RULES)
    assert decision is not None and decision.matched == "第四次"
    assert "第四次" in decision.details
    asked = TurnContext(text="我的帳單為什麼多兩百", at=AT, history=("我的帳單為什麼多兩百",) * 2)
    decision = evaluate(asked, RULES)
    assert decision is not None and "2 次" in decision.details


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [("我的帳單為什麼多兩百", "我的帳單為什麼多兩百？", 1.0, 1.0),
     ("我的帳單為什麼多兩百", "請問漫遊怎麼開", 0.0, 0.1),
     ("why is my bill so high", "why is my bill this high", 0.6, 0.9)],
)  # fmt: skip
def test_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= similarity(a, b) <= high


def test_repeats_and_configurable_bar() -> None:
    history = ("why is my bill so high", "why is my bill so high?")
    assert repeats("why is my bill so high", history, RepeatRules()) == 2
    strict = RepeatRules(repeats=3)
    assert repetition("why is my bill so high", history, strict, 0.0) is None
    assert repetition("why is my bill so high", history, RepeatRules(), 0.0) is not None
    assert repetition("這是第三次了!", (), RepeatRules(), 0.5) is None  # positive: not frustration


@pytest.mark.parametrize(
    ("text", "declined"),
    [("No quiero hablar con nadie", True), ("Pas besoin d'un conseiller", True),
     ("オペレーターは不要です", True), ("Quiero hablar con una persona", False),
     ("Ich brauche einen Mitarbeiter", False)],
)  # fmt: skip
def test_declines_wish(text: str, declined: bool) -> None:
    assert declines_wish(text.lower(), NegationRules()) is declined
