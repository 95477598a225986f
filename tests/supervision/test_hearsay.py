"""The seventeenth pass redone (issue 20, H57): words that are not the customer's own — a
message quoted from its named sender, a job's title, somebody else's story (`hearsay.py`).
Rules only (no embedding model): each row is a phrasing of the kind other than the dev rows
it was found on. The frames only set words aside, so no hit is ever added (last test)."""

from __future__ import annotations

import pytest

from graphs.supervision.analysis import Analysis
from graphs.supervision.hearsay import HearsayRules, hearsay
from graphs.supervision.language import fold
from graphs.supervision.policy import PolicyRules, TurnContext, UserProfile, evaluate
from graphs.supervision.sense import SenseRules
from graphs.supervision.sentiment import DEFAULT_SCORER

RULES = PolicyRules()
OFF = PolicyRules(sense=SenseRules(hearsay=HearsayRules(enabled=False)))
_WISHES = ("帮我", "给我", "我要", "please", "i want", "get me", "put me")


def kinds(text: str) -> set[str]:
    found = hearsay(fold(text), HearsayRules(), lambda t: any(w in t for w in _WISHES))
    return {kind for _, _, kind in found}


def decide(text: str, rules: PolicyRules = RULES) -> str | None:
    decision = evaluate(TurnContext(text=text, at=0), rules)
    return decision.reason if decision else None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a quote whose sender is named before it, or after it (と出ました, 라고)
        (
            'My banking app popped up "Refund failed, contact support". Is that about my bill?',
            "quoted",
        ),
        ("The modem's little screen reads 'Call your provider'. What now?", "quoted"),
        ("收到一則簡訊寫著「退款已完成」，但我沒申請過，是真的嗎？", "quoted"),
        ("網頁一直跳出「請聯絡真人客服」，要怎麼關掉？", "quoted"),
        ("画面に「オペレーターへ連絡してください」と表示されました。なぜですか？", "quoted"),
        # a post or a trade, not a person wanted
        ("Are you hiring customer service agents this summer?", "job"),
        ("我想應聘門市的客服專員，需要什麼條件？", "job"),
        ("你們還有在招兼職客服人員嗎", "job"),
        ("My aunt works as a lawyer and read the contract. How do I upgrade?", "job"),
        # somebody else's past matter, up to the customer's own need
        ("My uncle got a refund after the outage. Anyway, how do I change my PIN?", "story"),
        ("The man behind me at the shop shouted for a refund. I only need a charger.", "story"),
        ("我同學上禮拜被扣了違約金，說要去投訴，我想問學生方案還有嗎", "story"),
        ("我表姊之前吵著要退款，後來辦好了，我想了解一下她那個方案", "story"),
    ],
)
def test_words_that_are_not_the_customers_own(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        'I said "human" twice already, get me a human',  # the customer quoting themselves
        "我都說了「我要退款」，你們到底退不退？",
        'Please, "refund" is all I am asking for',  # a quote with no sender named
        "My dad wants to talk to a real person about his bill. Anyway, add a line?",  # his wish now
        "My sister got her refund last week and I want mine too",  # no turn to a lesser need
        "面試前幫我轉人工問帳單",  # a clause that asks to be put through is not about a post
    ],
)
def test_the_customers_own_words_stay_theirs(text: str) -> None:
    assert kinds(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Are you hiring customer service agents this summer?",
        "我想應徵門市的客服專員，要投履歷到哪裡？",
        "The man behind me at the shop shouted for a refund. I only need a charger.",
        "My cousin asked for a supervisor at your store and got it sorted. I just need earbuds.",
    ],
)
def test_somebody_elses_words_do_not_escalate(text: str) -> None:
    assert decide(text, OFF) is not None  # the listed word escalates without the frames
    assert decide(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # the customer takes the quote or the story up: their own words are read as usual
        ('The app says "contact an agent". Fine, connect me to an agent then.', "user_request"),
        ('The app says "contact an agent". Just get me one.', "user_request"),
        ("系統跳出「請洽真人客服」，那就幫我轉一個", "user_request"),
        ("短信说“请联系人工客服”，那你现在就帮我转人工", "user_request"),
        ("My neighbour got a refund for the outage. I want a refund too, right now.", "keyword"),
        ("我鄰居上次投訴成功了，我也要投訴，幫我登記", "keyword"),
        (
            "My cousin asked for a supervisor last week. I want one too, put me through.",
            "user_request",
        ),
    ],
)
def test_taken_up_it_still_escalates(text: str, reason: str) -> None:
    assert decide(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        'The app says "contact an agent". Just get me one.',
        "簡訊寫著「請洽真人客服」，這裡可以處理嗎？",
        "我要應徵客服人員，幫我轉給人資",
        "My brother asked for a manager last week. I just need one too.",
        "The guy ahead of me wanted a lawyer, lol. Anyway, do you sell cases?",
    ],
)
def test_the_frames_never_add_a_hit(text: str) -> None:
    def hits(rules: PolicyRules) -> set[tuple[int, int]]:
        a = Analysis(TurnContext(text=text, at=0), rules, DEFAULT_SCORER)
        return {(h.start, h.end) for h in a.requests + a.keywords}

    assert hits(RULES) <= hits(OFF)


# The eighteenth pass (H62): somebody else's question reported, and their present wish when
# the customer's own words after it only ask (decided by those words).
@pytest.mark.parametrize(
    ("text", "vip"),
    [
        ("my daughter asked whether you're a real person, haha. can she use my data too?", False),
        (
            "my mom asked if I was chatting with a human agent, ha. how do I add her to my plan",
            False,
        ),
        (
            "My mum wants to switch carrier when her deal ends, which documents should she bring?",
            True,
        ),
        ("我朋友想攜碼過來你們這 有什麼新辦優惠嗎", True),
        ("我表哥想退款 一般要多久才會入帳？", False),
        (
            "my neighbour plans to file a complaint about the noise, is that something you do?",
            False,
        ),
        ("我有想要解約的同事 你們有什麼挽留方案嗎", True),
    ],
)
def test_somebody_elses_question_or_wish_is_theirs(text: str, vip: bool) -> None:
    def reason(rules: PolicyRules) -> str | None:
        turn = TurnContext(text=text, at=0, user_profile=UserProfile(vip=vip))
        decision = evaluate(turn, rules)
        return decision.reason if decision else None

    assert reason(OFF) is not None  # the listed word escalates without the frames
    assert reason(RULES) is None


@pytest.mark.parametrize(
    ("text", "vip"),
    [
        ("My grandma wants a real person, she hates typing", False),  # nothing asked after it
        ("我媽想解約 你們可以直接幫她辦嗎", True),  # the customer asks for it
        ("我跟我老婆都想解約，要怎麼辦？", True),  # the customer's own wish too
        ("my wife wants a refund for the outage. me too, how do we claim it?", False),
        ("我爸想找真人客服 要等多久", False),  # a relative who wants a person is in this chat
        ("my son asked if I could get him a real person, can you?", False),
        ("my husband asked if we can talk to a manager today", False),
    ],
)
def test_the_customers_own_words_keep_the_wish(text: str, vip: bool) -> None:
    turn = TurnContext(text=text, at=0, user_profile=UserProfile(vip=vip))
    assert evaluate(turn, RULES) is not None
