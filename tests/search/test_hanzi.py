"""Simplified queries folded to Traditional, so rules and sheets written in zh-TW match them."""

from __future__ import annotations

import pytest

from core.hanzi import to_traditional


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("不限速的5G，带手机", "不限速的5G，帶手機"),
        ("一千块以内的无限流量套餐", "一千塊以內的無限流量套餐"),
        ("经常出差去国外，要漫游", "經常出差去國外，要漫遊"),
        ("银发族", "銀髮族"),  # 发 is 髮 in hair, 發 elsewhere
        ("智能手表", "智能手錶"),
        ("出发", "出發"),
    ],
)
def test_simplified_becomes_traditional(simplified: str, traditional: str) -> None:
    assert to_traditional(simplified) == traditional


def test_traditional_english_and_digits_are_left_alone() -> None:
    text = "學生 5G 吃到飽 599，送 Spotify Premium 6 個月"
    assert to_traditional(text) == text


def test_one_character_for_one_so_match_spans_still_fit_the_query() -> None:
    text = "给爸妈办的，每月不超过三百，要能视频；银发族也可以"
    folded = to_traditional(text)
    assert len(folded) == len(text)
    assert folded != text
