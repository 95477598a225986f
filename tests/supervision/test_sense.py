"""Sense rules (`sense.py`): a listed word that is *mentioned* (a question about its meaning, an
if-clause before a how/what question, somebody else's words, a web address, a name) does not
escalate, while a request phrased right next to such a mention still does. Rules only: no
embedding model, so every turn here is decided by the frames, not by the examples."""

from __future__ import annotations

import pytest

from graphs.supervision.frames import proper_name
from graphs.supervision.language import fold
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.screen import question_form
from graphs.supervision.sense import SenseRules, mentions, names_only

RULES = PolicyRules()


def decide(text: str, rules: PolicyRules = RULES) -> tuple[str | None, str | None]:
    decision = evaluate(TurnContext(text=text, at=0), rules)
    return (decision.reason, decision.rule) if decision else (None, None)


def kinds(text: str) -> set[str]:
    folded = fold(text)
    found = mentions(folded, SenseRules(), question_form, lambda t: "请" in t or "please" in t)
    return {m.kind for m in found}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a question about what the word means, or how two words differ (every group)
        ("律師函是什麼？", "definition"),
        ("消協是干什么的", "definition"),
        ("申訴跟客訴差在哪", "definition"),
        ("什麼是法律途徑", "definition"),
        ("what does chargeback mean on my statement?", "definition"),
        ("what's the difference between an ombudsman and a regulator?", "definition"),
        ("What's a lawsuit?", "definition"),
        ("Was ist ein Kundenberater?", "definition"),
        ("オペレーターって何？", "definition"),
        # what it looks like (H9)
        ("存證信函通常長什麼樣子？", "definition"),
        ("what does a formal complaint look like on your side?", "definition"),
        # a question about what the word costs
        ("找主管處理要另外付費嗎？", "cost"),
        ("申訴要錢嗎", "cost"),
        ("is it free to chat with a live agent?", "cost"),
        # whether a step is required: a question about the process
        ("do I need to call customer service to unlock my SIM?", "necessity"),
        ("是不是一定要找客服才能改資料？", "necessity"),
        ("Is an attorney required to sign for a company line?", "necessity"),
        # a question about the staff as a group
        ("do your supervisors read the chat ratings?", "staff"),
        ("客服人員都是外包的嗎？", "staff"),
        # an if-clause before a question: how it would work, not a wish now
        ("萬一以後想投訴，要打哪支電話？", "conditional"),
        ("如果要找人工，是按0還是按9？", "conditional"),
        ("if I ever wanted to speak to a human, which option do I pick?", "conditional"),
        ("要是申訴的話，會影響我的信用嗎？", "conditional"),
        # a clause closed by 的話 is an if-clause without 如果 (H9)
        ("找真人的話，排隊大概要排多久？", "conditional"),
        ("申訴的話資料要寄到哪裡？", "conditional"),
        # what somebody else said, in a question
        ("我同學說他有拿到賠償，真的假的？", "reported"),
        ("聽說提告就會打折，是真的嗎？", "reported"),
        ("my cousin says you give compensation for outages, is that right?", "reported"),
        ("I heard people sue carriers over roaming, does that happen?", "reported"),
        # a web or mail address
        ("這個 www.example.com/complaint 頁面打不開", "url"),
        ("is complaints@example.com the right address for invoices?", "url"),
    ],
)
def test_mentions_are_not_escalations(text: str, kind: str) -> None:
    assert kind in kinds(text)
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "reason", "rule"),
    [
        # the request sits in another clause than the mention
        ("律師函是什麼我不管，我已經找律師了", "keyword", "legal"),
        ("申訴跟客訴差在哪？算了我要申訴", "keyword", "complaint"),
        ("what's the difference between you and a human? get me a human", "user_request", None),
        # the request is the main clause; the if-clause is only its condition
        ("如果你還是查不到，就幫我轉人工", "user_request", None),
        ("如果要轉真人，可以幫忙嗎？", "user_request", None),
        ("if I need a human, is that possible?", "user_request", None),
        ("if this isn't fixed by friday I'll sue, understood?", "keyword", "legal"),
        # a wish before the price question, or a request phrased as a question about money
        ("我要投訴，要錢嗎？", "keyword", "complaint"),
        ("多收的費用可以退給我嗎？", "keyword", "refund"),
        ("I want a human, is it free?", "user_request", None),
        # a required step that is not the contact itself, a person as the one who acts
        ("Do I have to beg to get a human?", "user_request", None),
        ("Can a human review my case?", "user_request", None),
        # the staff asked for, not asked about
        ("can your supervisors call me today?", "user_request", None),  # a call-back (H11)
        ("你們客服都是白痴嗎？", "sentiment", None),
        # not somebody else's words: the customer's own, or the agent's quoted back
        ("我說了要轉人工！聽不懂嗎？", "user_request", None),
        ("你們說要幫我轉真人，結果呢？", "user_request", None),
        ("我朋友說可以去消基會申訴你們", "keyword", "legal"),
        ("your rep told me I'd get a refund, where is it?", "keyword", "refund"),
        # a wish for "one" after a mention asks for what the mention names
        ("轉真人要錢嗎？沒差，直接幫我轉一個", "user_request", None),
        ("is a live agent free? whatever, connect me to one", "user_request", None),
        ("I heard outages get a refund, can I get one?", "keyword", "refund"),
        # H9: a polite main clause after 的話 asks; a complaint policy read, then one lodged
        ("轉人工的話，可以現在幫我轉嗎？", "user_request", None),
        ("I know your complaints process. I'm filing one today.", "keyword", "complaint"),
    ],
)
def test_requests_next_to_a_mention_still_escalate(
    text: str, reason: str, rule: str | None
) -> None:
    assert decide(text) == (reason, rule)


@pytest.mark.parametrize(
    "text",
    ["你們能不能找個會說中文的真人來？", "有沒有會講台語的客服？", "我都說了要轉人工，聽不懂嗎？"],
)
def test_speaking_is_not_reporting(text: str) -> None:
    """說/講 is also "speak (a language)", and the customer's own words are no hearsay."""
    assert "reported" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "escalates"),
    [
        ("哪些案件會被自動轉給專人？", False),  # how things are routed: a description
        ("why do some calls get transferred to a human?", False),
        ("我可以被轉到真人客服嗎？", True),  # the customer as the one transferred: a request
    ],
)
def test_how_the_service_routes_things_is_no_request(text: str, escalates: bool) -> None:
    assert (decide(text) != (None, None)) is escalates


@pytest.mark.parametrize(
    "text",
    [
        "Is there a human review before a port-out?",  # the word as a modifier
        "律師高考那週可以暫停門號嗎？",  # the profession's exam
        "How are refunds processed on your side?",  # how it is handled
        "Which agent did I chat with? the agent I spoke with was great",
        # a relative's profession in German and French, a quote with an apostrophe, a third
        # party's complaint settled, the wait for a person, the complaint process (fifteenth pass)
        "Mein Bruder ist Anwalt, er braucht eine eSIM",
        "Ma soeur est avocate et cherche un forfait",
        "a guy on tv shouted 'I'll sue you' at a shop, anyway what plans do you have?",
        "我同學之前申訴過，後來處理得很好，想問家庭方案",
        "轉真人一般要等很久嗎",
        "What's the procedure for making a complaint?",
    ],
)
def test_other_senses_are_not_requests(text: str) -> None:
    assert decide(text) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        # one person met before, thanked or praised (H9)
        "早上那位客服小姐很有耐心，謝謝她",
        "I'd like to leave a compliment for the agent who sorted out my roaming",
        "can I give feedback on an agent? she was lovely",
    ],
)
def test_an_agent_met_before_is_not_a_request(text: str) -> None:
    assert decide(text) == (None, None)


def test_a_question_before_the_word_does_not_make_it_a_question_about_it() -> None:
    """The meaning check clears a soft word only when the word is in the question."""
    from graphs.supervision.intent import default_matcher

    turn = TurnContext(text="退費會退到哪張卡我知道，可是到現在都沒退，快退錢", at=0)
    decision = evaluate(turn, RULES, matcher=default_matcher())
    assert decision is not None and decision.rule == "refund"


def test_an_anaphoric_request_names_the_word_it_refers_to() -> None:
    decision = evaluate(TurnContext(text="轉真人要錢嗎？沒差，直接幫我轉一個", at=0), RULES)
    assert decision is not None and "轉真人" in decision.details


def test_a_declined_one_is_not_a_request() -> None:
    assert decide("轉真人要錢嗎？那不用幫我轉一個了") == (None, None)


def test_the_frames_are_configuration() -> None:
    """An admin who empties a frame gets the plain keyword behaviour back."""
    text = "律師函是什麼？"
    bare = RULES.model_copy(update={"sense": SenseRules(definition=())})
    assert decide(text) == (None, None)
    assert decide(text, bare) == ("keyword", "legal")


@pytest.mark.parametrize(
    ("text", "word", "name"),
    [
        ("Does Refund Shield cover water damage?", "Refund", True),
        ("is the Agent Hub app yours?", "Agent", True),
        ("Refund my deposit please", "Refund", False),  # a sentence's first word
        ("I WANT A REFUND NOW", "REFUND", False),  # shouting is not a name
        ("Please Give Me A Refund", "Refund", False),  # Title Case Everywhere
    ],
)
def test_proper_names(text: str, word: str, name: bool) -> None:
    assert proper_name(text, text.index(word)) is name


@pytest.mark.parametrize(
    ("said", "only"),
    [("真人客服", True), ("live agents", True), ("有人対応", True), ("找真人", False),
     ("talk to a human", False)],
)  # fmt: skip
def test_noun_only_request_hits(said: str, only: bool) -> None:
    assert names_only(said, SenseRules()) is only
