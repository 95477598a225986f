"""The sixteenth pass's rules (issue 20, H47): the sense of the word, a question against a
request, and who wants the person. Rules only (no embedding model), so every decision here is
the rules': each row is a phrasing of the kind other than the dev rows it was found on."""

from __future__ import annotations

import pytest

from graphs.supervision.asides import AsideRules, asides
from graphs.supervision.language import fold
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.screen import question_form

RULES = PolicyRules()


def decide(text: str) -> str | None:
    decision = evaluate(TurnContext(text=text, at=0), RULES)
    return decision.reason if decision else None


def kinds(text: str) -> set[str]:
    folded = fold(text)
    wishes = ("请", "帮我", "please", "i want", "give me")
    found = asides(folded, AsideRules(), question_form, lambda t: any(w in t for w in wishes))
    return {kind for _, _, kind in found}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a question declared idle: curiosity, study, fiction, "in general"
        ("律師函寄出去之後多久會有回應？純粹好奇", "idle"),
        ("我在寫論文，想問一般人都怎麼投訴電信公司？", "idle"),
        ("How long does a small claims case usually take? Just curious.", "idle"),
        ("For a school project: how do customers usually complain to a phone company?", "idle"),
        ("Nur aus Neugier: wie lange dauert eine Klage gegen einen Anbieter?", "idle"),
        ("弁護士に相談する人って多いですか？興味本位です", "idle"),
        # a price or the hours asked in Korean, German, Japanese
        ("상담원과 통화하면 요금이 있나요?", "cost"),
        ("Ist die Beratung durch einen Mitarbeiter kostenpflichtig?", "cost"),
        ("担当者と話すのに料金はかかりますか？", "cost"),
        ("상담원 연결은 공휴일에도 되나요?", "hours"),
        ("Bis wann ist ein Mitarbeiter am Samstag erreichbar?", "hours"),
        # somebody else's past contact, up to where the customer speaks again
        ("My flatmate wanted a refund for her router last year, but I'm only here for a SIM "
         "swap. How long does that take?", "third_party"),
        ("我同事之前都直接找主管處理，不過我這邊只是想問帳單日期？", "third_party"),
        ("Meine Schwester wollte letzte Woche einen Menschen sprechen, aber ich brauche nur "
         "die PUK. Wie bekomme ich sie?", "third_party"),
    ],
)  # fmt: skip
def test_the_frames_find_their_kind(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "只是好奇，不過現在請幫我轉人工？",  # a request cue: not idle
        "我在寫論文，網路一直斷線，你們要不要退費？",  # study, but the customer's own line
        "Out of curiosity, why haven't I received my refund yet?",  # their own trouble
        "Just curious why my refund is still missing?",  # curiosity about a delay: no stop
        "지금 바로 상담원 연결 가능한가요?",  # now: a request, not the hours
        "My dad wants to talk to a human, but I'm typing for him. Can you help?",  # present
        "我媽說要找你們主管？",  # no story told, nobody speaks again
        # the customer takes the story up: a demand, not somebody else's matter
        "My husband was promised a refund last week, but I still haven't got it. Where is it?",
        "客服大哥之前說會退款，但我到現在都沒收到？",  # the company's staff, not a relative
    ],
)
def test_not_a_mention(text: str) -> None:
    assert kinds(text) == set()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # mentions: nothing escalates
        ("律師函寄出去之後多久會有回應？純粹好奇", None),
        ("Ist die Beratung durch einen Mitarbeiter kostenpflichtig?", None),
        ("상담원과 통화하면 요금이 있나요?", None),
        ("我同事之前都直接找主管處理，不過我這邊只是想問帳單日期？", None),
        ("人工客服過年期間有上班嗎？", None),  # the hours, a holiday named before them
        # the customer's own wish after somebody else's story still counts
        ("A friend of mine had to talk to a human last week, but I need one right now, is "
         "that possible?", "user_request"),
        ("只是好奇，不過現在請幫我轉人工？", "user_request"),
        ("지금 바로 상담원 연결 가능한가요?", "user_request"),
        ("Kann ich bitte jetzt mit einem Mitarbeiter sprechen? Ist das kostenlos?", "user_request"),
        ("My dad wants to talk to a human, but I'm typing for him. Can you help?", "user_request"),
        # a denied negation, a subject between or a word said of them: a wish
        ("誰說我們不需要真人客服？快幫我轉", "user_request"),
        ("誰說我不要退款？", "keyword"),
        ("I never said we were okay without a refund.", "keyword"),
        # a wish told as past or almost, then resolved: none now
        ("I was about to ask for a refund, but the charge disappeared, it's fixed", None),
        ("本來想找主管的，結果問題自己解決了", None),
        ("原本打算投訴，後來處理好了，謝謝", None),
        ("We nearly filed a complaint, but then your tech found the fault. Thanks!", None),
        # … not when the resolution is denied, or nothing is resolved
        ("本來想投訴，結果還是沒解決", "keyword"),
        ("I was going to ask for a refund but the site is down, so process it", "keyword"),
        ("I was about to ask for a manager, but it's still not fixed. Get me one.", "user_request"),
        # a transfer with no object after a word set aside: a wish for that word
        ("客服幾點下班？其實我想現在就轉過去", "user_request"),
        ("What's the number for customer service? Actually, can you just put me through?",
         "user_request"),
        ("錢轉過去了嗎？", None),
        ("退款政策我看過了，要轉過去哪個帳戶？", None),  # a transfer of money, not of the chat
        # asking whether a person is there at all
        ("Is anybody human on the other side of this chat?", "user_request"),
        ("Is a supervisor available? I'd like a word.", "user_request"),
        # "small claims" is a court, not somebody's claim
        ("Maybe I should take this to small claims court?", "keyword"),
    ],
)  # fmt: skip
def test_decisions(text: str, reason: str | None) -> None:
    assert decide(text) == reason


def test_a_supervisor_available_on_a_day_is_not_a_request() -> None:
    """ "Is an agent available on Sundays?" asks the hours; the request pattern stays out."""
    assert decide("Is an agent available on Sundays?") != "user_request"
