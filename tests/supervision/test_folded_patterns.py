"""Regexes over folded text must be written in folded characters.

`language.fold` turns Traditional characters into Simplified ones before any pattern runs, and
keyword literals are folded when they are compiled, but a regex is compiled as written: a
Traditional character in one (年中無休, 時間, 結構です) can never match. Literal keyword lists may
keep either script; raw-string regexes may not.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

from graphs.supervision.keywords import compiled_rules
from graphs.supervision.language import T2S, fold, fold_pattern
from graphs.supervision.rules import PolicyRules

SUPERVISION = Path(__file__).resolve().parents[2] / "graphs" / "supervision"
#: Characters that folding always replaces (Traditional-only forms).
FOLDED_AWAY = frozenset(T2S) - frozenset(T2S.values())


def _raw_strings(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [
        (tok.start[0], tok.string)
        for tok in tokens
        if tok.type == tokenize.STRING and tok.string[:2].lower() in ("r'", 'r"', "rf", "fr")
    ]


@pytest.mark.parametrize(
    "module", sorted(p.name for p in SUPERVISION.glob("*.py") if p.name != "language.py")
)
def test_regexes_are_written_in_folded_characters(module: str) -> None:
    unfolded = [
        f"{module}:{line}: {''.join(sorted({c for c in text if c in FOLDED_AWAY}))}"
        for line, text in _raw_strings(SUPERVISION / module)
        if FOLDED_AWAY.intersection(text)
    ]
    assert unfolded == []


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("國定假日", "国定假日"),
        ("年中無休", "年中无休"),
        ("結構です", "结构です"),
        ("國語", "国语"),
    ],
)
def test_traditional_text_folds_to_what_the_patterns_say(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_a_rule_set_may_write_its_regexes_in_either_script() -> None:
    """Deployers configure the policy's regexes (`PolicyRules`): a pattern typed in Traditional
    characters is folded when compiled, as keyword literals are, so it still matches."""
    rules = PolicyRules(request_patterns=(r"叫來(?:一位)?專員",))
    request = compiled_rules(rules).request
    assert request is not None
    for text in ("幫我叫來一位專員", "帮我叫来一位专员"):
        assert request.search(fold(text)) is not None, text
    assert fold_pattern(r"[^。？?]{0,8}時間\S") == r"[^。？?]{0,8}时间\S"  # only the script changes
