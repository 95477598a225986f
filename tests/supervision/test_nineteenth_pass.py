"""The nineteenth pass (issue 20, H64): a VIP's churn said sideways and a VIP's calm first
report of trouble (`vip_signals.py`); somebody else's deed told at second hand in other
languages (`hearsay.py`); Korean declines after the word and a denied past deed
(`negation.py`); how long a process usually takes (`frames.py`). Rules only (no embedding
model); every row is a phrasing of the kind other than the dev rows it was found on."""

from __future__ import annotations

import pytest

from graphs.supervision.frames import FrameRules, frames
from graphs.supervision.hearsay import HearsayRules, hearsay
from graphs.supervision.language import fold
from graphs.supervision.negation import NegationRules, is_negated
from graphs.supervision.policy import PolicyRules, TurnContext, UserProfile, evaluate
from graphs.supervision.vip_signals import leaning, trouble

RULES = PolicyRules()


def decide(text: str, vip: bool = False) -> tuple[str, str | None] | None:
    turn = TurnContext(text=text, at=0, user_profile=UserProfile(vip=vip))
    decision = evaluate(turn, RULES)
    return (decision.reason, decision.rule) if decision else None


@pytest.mark.parametrize(
    ("text", "churn"),
    [
        # not renewing, hesitating over the renewal
        ("約滿之後我大概不會再續約了", True),
        ("合同快到期了，老实说不太想续了", True),
        ("Honestly I'm not planning to renew when this runs out", True),
        ("契約の更新をするかどうか迷っているところです", True),
        ("이번에는 재계약 안 할 것 같아요", True),
        # another operator weighed
        ("隔壁那家的資費比你們便宜很多耶", False),  # no operator named: not this rule
        ("別家電信的方案比較划算欸", True),
        ("Other providers are way cheaper for the same data, just saying", True),
        ("I keep seeing deals from a different carrier lately", True),
        ("他社の料金の方が安いんですよね", True),
        ("다른 통신사가 훨씬 저렴하던데요", True),
        # not churn: renewal asked about, continuing, a plan change
        ("續約有什麼優惠嗎", False),
        ("我想繼續用這個方案", False),
        ("When does my contract renew?", False),
        ("I'm thinking about switching plans to a bigger one", False),
        ("Do calls to other carriers cost extra?", False),
    ],
)
def test_leaning(text: str, churn: bool) -> None:
    assert (leaning(fold(text)) is not None) is churn


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("家裡的網速這禮拜變得很慢", True),
        ("手機訊號一直斷斷續續", True),
        ("My home internet has been really slow since Monday", True),
        ("the signal keeps dropping in my flat", True),
        ("說真的，這次的服務讓我有點失望", True),
        ("I'm a little disappointed with the installation", True),
        # a case asked about, denied, or the bill alone: none
        ("如果網路變慢的話要怎麼重開數據機？", False),
        ("網路沒有慢，只是想問速率", False),
        ("What should I do if the signal drops abroad?", False),
        ("我這個月帳單好像比較高", False),
        ("Can I get a faster internet plan?", False),
    ],
)
def test_trouble(text: str, reported: bool) -> None:
    assert (trouble(fold(text)) is not None) is reported


@pytest.mark.parametrize(
    ("text", "vip", "expected"),
    [
        ("合同到期以后应该不会再续了", True, ("vip", "churn")),
        ("合同到期以后应该不会再续了", False, None),
        ("The other carrier's offer is honestly better", True, ("vip", "churn")),
        ("今天晚上家裡的網路有點慢", True, ("vip", "trouble")),
        ("今天晚上家裡的網路有點慢", False, None),
        ("請問續約有送手機嗎", True, None),
        ("我朋友說她不想續約了，她可以怎麼辦？我想問一下流程", True, None),  # hers, not theirs
    ],
)
def test_vip_unlisted(text: str, vip: bool, expected: tuple[str, str] | None) -> None:
    assert decide(text, vip) == expected


def _stories(text: str) -> list[str]:
    folded = fold(text)
    found = hearsay(folded, HearsayRules(), lambda t: "帮我" in t or "주세요" in t)
    return [folded[a:b] for a, b, kind in found if kind == "story"]


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("동생이 위약금 없이 해지했대요. 저도 그런가요?", True),
        ("엄마가 작년에 환불 받았다던데 지금도 가능해요?", True),
        ("同僚が解約したって聞いたんですが、違約金はかかりますか", True),
        ("Ma sœur a résilié son forfait hier. Moi, je voulais juste savoir le délai.", True),
        ("Mein Bruder hat gestern gekündigt. Ich wollte nur wissen, ob das online geht.", True),
        # the customer's own clause, or somebody's matter asked to be handled: not told
        ("환불 받았다던데 저도 환불해 주세요", False),  # nobody named
        ("Je veux résilier mon forfait aujourd'hui.", False),
    ],
)
def test_second_hand(text: str, told: bool) -> None:
    assert bool(_stories(text)) is told


def test_second_hand_stops_at_the_ending() -> None:
    """The customer's own wish after the reported deed stays theirs."""
    assert _stories("친구가 해지했대서 저도 해지해 주세요") == ["친구가 해지했대"]


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("아니요, 상담사는 괜찮아요", "상담사", True),
        ("환불은 됐어요. 요금제만 바꿔 주세요", "환불", True),
        ("상담원 연결해 주세요", "상담원", False),
        ("我從來沒有投訴過你們", "投訴", True),
        ("我根本沒退款過 怎麼有退款紀錄", "退款", True),
        ("錢還沒退款過來", "退款", False),  # not yet: still owed
        ("我要投訴", "投訴", False),
    ],
)
def test_negation(text: str, word: str, negated: bool) -> None:
    folded = fold(text)
    start = folded.index(fold(word))
    assert is_negated(folded, start, start + len(word), NegationRules()) is negated


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("申訴通常要多久才會有回覆", True),
        ("退费一般几个工作日能到账", True),
        ("退钱一般几天能到我卡上", True),  # was left to the examples' veto (test_intent)
        ("How long does a chargeback normally take?", True),
        ("환불은 보통 얼마나 걸려요?", True),
        ("我投訴多久了還沒人理", False),  # my own case, waited on
        ("How long will my refund take? It's been two weeks!", False),
    ],
)
def test_duration_question(text: str, asked: bool) -> None:
    found = frames(fold(text), FrameRules(), lambda t: True, lambda t: False)
    assert any(kind == "definition" for _, _, kind in found) is asked
