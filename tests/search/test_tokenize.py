"""Tokenizer cases: Chinese unigrams+bigrams, ASCII words and numbers whole and lower-cased."""

from __future__ import annotations

import pytest

from mcp_servers.promotion.search.tokenize import normalize, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("吃到飽", ["吃", "到", "飽", "吃到", "到飽"]),
        ("5G", ["5g"]),
        ("4g", ["4g"]),
        ("５Ｇ", ["5g"]),  # full-width folded by NFKC
        ("iPhone", ["iphone"]),
        ("iPhone16", ["iphone16", "iphone", "16"]),
        ("50GB", ["50gb", "50", "gb"]),
        ("1,399", ["1399"]),
        ("NT$1,399", ["nt", "1399"]),
        ("2.5", ["2.5"]),
        ("光世代 300M", ["光", "世", "代", "光世", "世代", "300m", "300", "m"]),
        ("5G吃到飽", ["5g", "吃", "到", "飽", "吃到", "到飽"]),  # no bigram across scripts
        ("網內，互打", ["網", "內", "網內", "互", "打", "互打"]),  # punctuation breaks runs
        ("的方案", ["方", "案", "的方", "方案"]),  # stop unigram dropped, its bigram kept
        ("", []),
        ("！？。 ", []),
        ("Wi-Fi", ["wi", "fi"]),
    ],
)
def test_tokenize_cases(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_term_frequency_is_kept() -> None:
    assert tokenize("吃到飽 吃到飽").count("吃到") == 2


def test_normalize_folds_width_case_and_thousands() -> None:
    assert normalize("ＡＢＣ１２３ 12,345 元") == "abc123 12345 元"
    assert normalize("2,5") == "2,5"  # not a thousands separator
