"""Language detection, folding and the system message table."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphs.supervision.language import (
    LANGUAGES,
    SYSTEM_MESSAGES,
    detect_language,
    fold,
    normalise_language,
    resolve_language,
    system_message,
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我要轉人工", "zh-TW"),
        ("人工服務已結束", "zh-TW"),
        ("請問這個月的帳單", "zh-TW"),
        ("我要转人工", "zh-CN"),
        ("请问这个月的账单", "zh-CN"),
        ("什么破网络", "zh-CN"),
        ("I want to talk to a human", "en"),
        ("Can I get a refund for 5G 吃到飽?", "en"),  # mostly English
        ("我要 refund", "zh-TW"),  # mostly Chinese, script tie → default
        ("你好", "zh-TW"),  # same in both scripts → default
        ("台灣的系統只有一個", "zh-TW"),  # shared forms (台/系/只) say nothing
        ("", "zh-TW"),
        ("12345 !!", "zh-TW"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_detect_language_default_for_ties() -> None:
    assert detect_language("你好", default="zh-CN") == "zh-CN"
    assert detect_language("你好", default="en") == "zh-TW"  # Chinese text is never "en"


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh-TW", "zh-TW"), ("zh_tw", "zh-TW"), ("zh-Hant", "zh-TW"), ("zh-Hant-TW", "zh-TW"),
        ("zh-HK", "zh-TW"), ("zh-CN", "zh-CN"), ("zh-Hans", "zh-CN"), ("en", "en"),
        ("en-US", "en"), ("de", None), ("zh", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_normalise_language(code: str | None, language: str | None) -> None:
    assert normalise_language(code) == language


@pytest.mark.parametrize(
    ("text", "profile", "language"),
    [
        ("我要转人工", "zh-TW", "zh-TW"),  # a supported profile language wins
        ("我要转人工", "zh", "zh-CN"),  # bare zh: the text picks the script
        ("Ich brauche Hilfe", "de", "en"),  # unsupported: Latin text → en
        ("我要轉人工", None, "zh-TW"),
    ],
)
def test_resolve_language(text: str, profile: str | None, language: str) -> None:
    assert resolve_language(text, profile) == language


def test_fold_unifies_scripts_width_and_case() -> None:
    assert fold("轉人工") == fold("转人工") == "转人工"
    assert fold("ＨＵＭＡＮ！") == "human!"
    assert fold("I don\u2019t") == "i don't"


@given(st.text(max_size=60))
def test_fold_preserves_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_every_system_message_exists_in_every_language() -> None:
    for key, texts in SYSTEM_MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        placeholders = {lang: set(re.findall(r"{(\w+)}", t)) for lang, t in texts.items()}
        assert len(set(map(frozenset, placeholders.values()))) == 1, key


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-TW", "人工服務已結束，AI 已接管"),
        ("zh-CN", "人工服务已结束，AI 已接管"),
        ("en", "The human agent has left; the AI assistant is back."),
    ],
)
def test_release_message(language: str, text: str) -> None:
    assert system_message("released", language) == text  # type: ignore[arg-type]


def test_system_message_fills_placeholders() -> None:
    assert (
        system_message("agent_joined", "zh-TW", agent_name="Alice") == "客服人員 Alice 已加入對話。"
    )
    with pytest.raises(KeyError):
        system_message("agent_joined", "en")


@pytest.mark.parametrize(
    ("text", "profile", "language"),
    [
        ("オペレーターにつないでください", "ja", "en"),
        ("상담원 연결해 주세요", None, "en"),
        ("ขอบคุณค่ะ", "th", "en"),
        ("Ich möchte mit einem Mitarbeiter sprechen", "de", "en"),
        ("返金してください", None, "en"),
        ("幫我轉人工", "ja", "zh-TW"),  # Chinese text wins over an unsupported profile
    ],
)
def test_other_languages_fall_back_to_a_supported_notice_language(
    text: str, profile: str | None, language: str
) -> None:
    chosen = resolve_language(text, profile)
    assert chosen == language
    assert system_message("escalated", chosen)


@pytest.mark.parametrize(
    ("traditional", "simplified"), [("營業幾點", "营业几点"), ("規則", "规则")]
)
def test_fold_covers_hours_and_rules_words(traditional: str, simplified: str) -> None:
    assert fold(traditional) == fold(simplified) == simplified
