"""Numbers as people type them in a promotion query: 999, 1,000, 1k, 1.2k, 五百, 一千二, 兩年.

Pure functions; the parser in `constraints.py` decides what a number means from the words
around it (元, GB, 個月, 以下 ...).
"""

from __future__ import annotations

import re

ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "萬": 10000, "万": 10000}
EN_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
_ZH = "零〇一二兩两三四五六七八九十百千萬万"

# One number: Arabic (with an optional k/千 multiplier) or a run of Chinese numerals. The
# look-arounds stop a regex from backtracking into the middle of a longer number.
NUM = (
    rf"(?:(?<![\d.a-z])\d+(?:\.\d+)?(?!\d)(?!\.\d)(?:\s*(?:k(?![a-z])|(?:千|百)(?:\d(?!\d))?))?"
    rf"|[{_ZH}]+(?![{_ZH}]))"
)
_ASCII = re.compile(r"(\d+(?:\.\d+)?)\s*(?:(k)|(千|百)(\d)?)?")


def zh_number(text: str) -> int | None:
    """Chinese numerals to an int; 一千二 is 1200 and 八百五 is 850, as people say prices."""
    if not text or any(ch not in ZH_DIGITS and ch not in ZH_UNITS for ch in text):
        return None
    if len(text) >= 3 and all(ch in ZH_DIGITS for ch in text):
        return int("".join(str(ZH_DIGITS[ch]) for ch in text))  # 五九九 = 599, said digit by digit
    total = section = digit = 0
    last_unit = 1
    zero_seen = False
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
            zero_seen = zero_seen or digit == 0
            continue
        unit = ZH_UNITS[ch]
        if unit == 10000:
            total += (section + digit) * unit
            section = 0
        else:
            leading = not (total or section or digit) and ch == text[0]
            section += (digit or (1 if unit == 10 or leading else 0)) * unit  # 千元 = 1000
            if digit == 0 and unit != 10 and not section:
                return None
        digit, last_unit, zero_seen = 0, unit, False
    if digit and last_unit >= 100 and not zero_seen and text[-2] in ZH_UNITS:
        digit *= last_unit // 10  # 一千二 -> 1200, 兩萬五 -> 25000
    return total + section + digit


def parse_number(text: str) -> float | None:
    """Value of one `NUM` match; None for a run that is not a number (e.g. a lone 十百)."""
    text = text.strip()
    if match := _ASCII.fullmatch(text):
        value = float(match.group(1))
        if match.group(2):
            return value * 1000
        unit = {"千": 1000, "百": 100}.get(match.group(3) or "", 1)
        tail = int(match.group(4) or 0) * unit // 10  # 1千5 = 1500, 8百5 = 850
        return value * unit + tail
    if text in EN_WORDS:
        return float(EN_WORDS[text])
    whole = zh_number(text)
    return None if whole is None else float(whole)
