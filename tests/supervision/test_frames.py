"""The fifth pass on unseen phrasings (H11): more frames of a mentioned word (`frames.py`),
negated negations and declines (`negation.py`), sarcasm (`sarcasm.py`), and requests for a
person without a listed word (`rules.py`). Rules only, no embedding model: each turn here is
decided by the rule under test. Phrasings differ from the dev rows on purpose (kinds, not cases).
"""

from __future__ import annotations

import pytest

from graphs.supervision.frames import FrameRules, frames
from graphs.supervision.language import fold
from graphs.supervision.negation import NegationRules, is_negated
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.sarcasm import SarcasmRules, sarcastic
from graphs.supervision.screen import question_form

RULES = PolicyRules()


def decide(text: str, rules: PolicyRules = RULES) -> tuple[str | None, str | None]:
    decision = evaluate(TurnContext(text=text, at=0), rules)
    return (decision.reason, decision.rule) if decision else (None, None)


def frame_kinds(text: str) -> set[str]:
    found = frames(fold(text), FrameRules(), question_form, lambda t: "请" in t or "please" in t)
    return {kind for _, _, kind in found}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the meaning asked as a choice, or what the thing does
        ("條款裡的主管機關是指NCC還是消保處", "definition"),
        ("投诉专员是负责什么的", "definition"),
        ("消基會是做什麼的", "definition"),
        # the staff's status asked as a choice
        ("人工客服是24小時的還是只有白天", "staff"),
        ("你們專員是正職還是約聘", "staff"),
        # a price asked in another language
        ("Kostet es etwas, wenn ich einen Berater anrufe?", "cost"),
        ("C'est gratuit de parler à un conseiller ?", "cost"),
        # somebody else's legal matter
        ("請問提告是不是要先調解 幫我媽問的", "third_party"),
        ("My landlord is suing me, unrelated to you, but can I pause my plan?", "third_party"),
        ("律師函要怎麼寄 是租屋糾紛啦", "third_party"),
        # how the service decides when to transfer (H62): a question about the process
        ("寫論文用 想請教你們如何決定要不要轉給真人客服", "definition"),
        ("我在寫報告 你們是如何區分什麼情況該轉真人客服", "definition"),
        (
            "for a class project: how does the system know whether to pass a chat to a live agent?",
            "definition",
        ),
    ],
)
def test_more_frames_are_mentions(text: str, kind: str) -> None:
    assert kind in frame_kinds(text)
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "你們客服是死了還是下班了",  # a jab, not a question about the staff
        "我要告你們 不是開玩笑",  # a threat with no third party
        "律師函明天寄到你們公司",  # a threat stated
    ],
)
def test_jabs_and_threats_are_not_framed(text: str) -> None:
    assert decide(text)[0] is not None


@pytest.mark.parametrize(
    "text",
    [
        "以前投訴過一次，後來也解決了，今天問個方案",
        "退費以前申請過一次 後來都有退回來 這次想問換機",
        "你們那個AI客服叫什麼名字",
        "智能客服回答得不錯",
        "オペレーターは平日だけですか",
    ],
)
def test_settled_past_and_bot_names_are_harmless(text: str) -> None:
    assert decide(text) == (None, None)


def test_an_unsettled_past_complaint_still_counts() -> None:
    assert decide("之前投訴過一次 到現在都沒處理 我要再投訴")[0] == "keyword"


@pytest.mark.parametrize(
    "text",
    [
        "客服暫時不用 我自己研究一下",
        "客服不用回電 用email回我就好",
        "Please don't connect me to anyone, I just need the APN settings",
        "don't transfer me please, the bot is fine",
        "I won't be filing a complaint, I just want to know the billing date",
        "Ein Rückruf ist nicht nötig, danke",
        "担当者は大丈夫です",
        "オペレーターは結構です",
    ],
)
def test_declines_do_not_escalate(text: str) -> None:
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "start", "end", "negated"),
    [
        ("不要轉人工", 2, 5, True),
        ("不是不要轉人工", 4, 7, False),  # a negated negation asks
        ("我沒說不要真人", 5, 7, False),
        ("誰說不用人工", 4, 6, False),
        ("i never said i didn't want an agent", 29, 34, False),
        ("i didn't want an agent", 17, 22, True),
    ],
)
def test_double_negation(text: str, start: int, end: int, negated: bool) -> None:
    folded = fold(text)
    assert is_negated(folded, start, end, NegationRules()) is negated


@pytest.mark.parametrize(
    "text",
    [
        "我沒說不要人工 趕緊轉",
        "Not saying I don't want a human. Get me one.",
        "換個能管事的來",
        "叫一個真的人來",
        "is there somebody I can actually speak with",
        "anyone real to talk to?",
    ],
)
def test_requests_without_the_listed_phrase(text: str) -> None:
    assert decide(text)[0] in {"user_request", "keyword"}


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("好棒棒喔 網路還是不能用", "好棒棒"),
        ("呵呵 又扣我錢", "呵呵"),
        ("超有效率喔 等了三天", "超有效率"),
        ("Brilliant, my internet is down again", "brilliant"),
        ("wow thanks for nothing", "thanks for nothing"),
        ("so helpful, still not working", "so helpful"),
        # praise of a skill at failing, an answer that misses or circles (fifteenth pass)
        ("佩服佩服，問三次都答非所問", "佩服"),
        ("Fantastic, back to square one after an hour", "fantastic"),
        ("Bravo, toujours pas de connexion", "bravo"),
        # the virtue named against the fact, a count or a length, the bill wrong (H57)
        ("好貼心喔，帳單又多算我三百", "好貼心"),
        ("網路真穩定呢，今天斷了三次", "真穩定"),
        ("Top-notch service: five days without a dial tone", "top-notch"),
        ("Great value: throttled to 1 Mbps by day two, again", "great value"),
        ("Congrats, the installer was a no-show twice", "congrats"),
        ("厲害了，月費照扣，網路照斷", "厲害了"),
        # ironic on its own: thanks for the harm, laughing with anger
        (
            "Thank you so much for cutting my line during a work call",
            "thank you so much for cutting",
        ),
        ("真的氣到笑，訊號又沒了", "氣到笑"),
    ],
)
def test_sarcasm_escalates_on_sentiment(text: str, cue: str) -> None:
    assert sarcastic(fold(text), SarcasmRules()) == fold(cue)
    decision = evaluate(TurnContext(text=text, at=0), RULES)
    assert decision is not None and decision.reason == "sentiment"
    assert decision.rule in {"sarcasm", None}  # a score low enough on its own names no rule
    assert decision.rule is None or fold(cue) in decision.details  # the rules read folded text


@pytest.mark.parametrize(
    "text",
    [
        "Great job guys, the line works again, thank you!",
        "太棒了 可以上網了 謝謝",
        "謝謝你們喔 問題解決了",
        "still waiting for the bill, no rush",
        "Super, jetzt funktioniert es wieder, danke",
        "你們的網路一流，想再辦一個門號",
        # trouble told as over after it is named: sincere (H57)
        "Thanks a lot! The signal dropped again yesterday, but it's fixed now.",
        "好貼心，昨天又斷線，師傅今天就修好了",
        # trouble denied, or a short wait praised
        "Brilliant, no more dropped calls since the new tower!",
        "Congrats, activation only took 2 minutes",
    ],
)
def test_real_praise_is_not_sarcasm(text: str) -> None:
    assert sarcastic(fold(text), SarcasmRules()) is None
    assert decide(text)[0] != "sentiment"


def test_sarcasm_can_be_switched_off() -> None:
    rules = PolicyRules(sarcasm=SarcasmRules(enabled=False))
    assert decide("好棒棒 又斷線了", rules) != ("sentiment", "sarcasm")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # an if-clause closed by the space chat uses as a comma, then an A-not-A question
        ("要是之後想投訴 會不會被停權", None),
        ("如果要找主管 會不會很久", None),
        # the customer's own complaint, settled since
        ("I complained last spring and it was all sorted in a day, thanks", None),
        # a demand to be answered for, without a listed word
        ("帳單亂七八糟 今天給我一個說法", "keyword"),
        # ironic praise opening the turn
        ("Perfect. Dropped calls again, fourth time today.", "sentiment"),
        ("Wonderful! Bill is wrong again.", "sentiment"),
    ],
)
def test_unseen_phrasings_of_known_kinds(text: str, reason: str | None) -> None:
    assert decide(text)[0] == reason


@pytest.mark.parametrize(
    "text",
    [
        "我阿姨說你們客服很難打通 不過想問一下國際漫遊",  # reported, then "想問"
        "同事建議我找你們主管談續約 真的有差嗎",  # somebody else's advice
        "退費的話是退到帳戶還是現金",  # if-clause, then a choice
        "I'm not complaining, just curious about the new fee",
        "Wie läuft eine Beschwerde bei Ihnen ab?",
        "返金の手続きを教えてください",
        "客服先生昨天很有耐心 謝謝",
    ],
)
def test_mentions_in_wider_question_forms(text: str) -> None:
    assert decide(text) == (None, None)


def test_cool_cool_still_broken_is_sarcasm() -> None:
    assert decide("cool cool. still no service. love it") == ("sentiment", "sarcasm")


@pytest.mark.parametrize(
    "text",
    [
        "請問轉接人工一般都要等多久",  # the wait, with 轉接 and 都
        "my cousin's a lawyer haha, anyway how do I update my address",
    ],
)
def test_waits_and_professions_are_mentions(text: str) -> None:
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # refusing the machine asks for a person; so does wanting "somebody who understands"
        ("我真的不想再跟機器人聊了", "user_request"),
        ("不要AI了 我就要人", "user_request"),
        ("I don't want to keep talking to a bot", "user_request"),
        ("找個懂行的", "user_request"),
        ("fetch me a supervisor", "user_request"),
        ("ring me asap", "user_request"),
        ("pay me back the roaming fee", "keyword"),
        # "同樣的問題" / "要我" are impatience next to a repetition cue
        ("同樣的問題要我問幾次", "sentiment"),
        # and what must stay calm
        ("我不要人工 我要查帳單", None),
        ("返金は何日くらいで反映されますか", None),
    ],
)
def test_requests_the_model_used_to_decide(text: str, reason: str | None) -> None:
    assert decide(text)[0] == reason


def test_repeat_rules_are_the_same_class_in_rules() -> None:
    from graphs.supervision import repeat_rules, rules

    assert rules.RepeatRules is repeat_rules.RepeatRules


@pytest.mark.parametrize(
    "text",
    [
        "你們怎麼判斷要不要轉人工？我問三次了，現在就幫我轉人工",
        "how do you decide when to refund? whatever, I want a refund today",
    ],
)
def test_a_process_question_does_not_hide_a_request_after_it(text: str) -> None:
    assert decide(text)[0] is not None
