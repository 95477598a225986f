# ruff: noqa: E501  (regex tables read better unwrapped)
"""How people describe their usage and budget in ranges and habits (round 8, issue 20).

Rules spliced in front of parser.py's table, so their reading of a span wins:

- a data range ("40到60G", "between 50 and 100GB", "三四十G") is an allowance inside it, not
  "at least the larger number";
- a fee range said with two digits ("四五百", "六七百") or in English ("in the four hundreds")
  is that band of fees, not the larger number alone;
- a budget with a number ("預算只有 1000", "budget up to 1400") is a ceiling, not a wish for
  the cheapest plan;
- talking a lot ("電話講很多", "tons of calls", "on the phone all day") prefers unlimited voice,
  then the most minutes;
- unlimited voice refused ("不用無限通話", "don't need unlimited minutes") prefers plans that
  count minutes, and is not read as unlimited voice;
- "enough for video" ("看影片夠用", "刷視頻追劇", "fine for watching videos") is about the data
  a plan carries (uncapped, or 20 GB with a usable speed after), not a streaming gift.
"""

from __future__ import annotations

import re

from .constraints import Constraint
from .fees import make, num, plausible_fee
from .handlers import CUR, NOT_FEE, YUAN, Handler
from .numbers import EN_WORDS, NUM, ZH_DIGITS

_GB = r"\s*(?:gb|g|gigs?|gigabytes?)(?![a-z0-9])"
_ZD = r"[一二兩两三四五六七八九]"


def _digit(raw: str) -> int | None:
    if raw in EN_WORDS:
        return EN_WORDS[raw]
    return ZH_DIGITS.get(raw) if not raw.isdigit() else int(raw)


def on_data_range(m: re.Match[str]) -> list[Constraint]:
    """'40到60G', '三四十G': an allowance inside the range (at least its low end)."""
    if m.group("za"):
        a, b = _digit(m.group("za")), _digit(m.group("zb"))
        low, high = (a * 10, b * 10) if a and b else (0, 0)
    else:
        low_f, high_f = num(m, "a"), num(m, "b")
        low, high = int(low_f or 0), int(high_f or 0)
    if not 0 < low < high <= 1000 or (low, high) == (4, 5):  # 4G 到 5G: networks
        return []
    text = m.group(0)
    return [
        make("data_min", low, True, text, f"上網 ≥ {low}GB"),
        make("data_between", (low, high), False, text, f"流量 {low}–{high}GB"),
    ]


def on_fee_band(m: re.Match[str]) -> list[Constraint]:
    """'四五百' = the 399-499 steps, 'in the four hundreds' = 400-499: a band of fees."""
    if m.group("za"):
        a, b = _digit(m.group("za")), _digit(m.group("zb"))
        if not a or not b or b != a + 1:
            return []
        # 四五百: 399 and 499 (the x99 step is the round number to most readers); some also
        # count 599 (五百多): fee_band gives it half, as a preference, never a filter
        low, high = a * 100 - 1, b * 100
    else:
        a = _digit(m.group("en"))
        if not a:
            return []
        low, high = a * 100, a * 100 + 99
    return [make("fee_band", (low, high), False, m.group(0), f"月租約 {low}–{high}")]


def on_budget(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value, marked="$" in m.group(0) or "元" in m.group(0)):
        return []
    assert value is not None
    fee, text = int(value), m.group(0)
    # what they will spend: nothing above it, and plans near it before much cheaper ones
    return [
        make("fee_max", fee, True, text, f"月租 ≤ {fee}"),
        make("fee_is", fee, False, text, f"月租約 {fee}"),
    ]


def reading(*parts: tuple[str, object, str]) -> Handler:
    """Soft constraints named by the words, whatever the match's text."""
    return lambda m: [make(k, v, False, m.group(0), lab) for k, v, lab in parts]  # type: ignore[arg-type]


_TALK = (
    r"(?:講|讲|打)\s*(?:電話|电话)\s*(?:的)?\s*(?:時間|时间)?\s*(?:講|讲|打)?\s*(?:很多|很久|很長|很长|很兇|很凶|超多|超久|多|不少)"
    r"|(?:電話|电话)\s*(?:講|讲|打)\s*(?:得)?\s*(?:很多|很久|很兇|很凶|超多|超久|不少)"
    r"|(?:常|很常|經常|经常|每天|整天|一直)\s*(?:在)?\s*(?:講|讲|打)\s*(?:電話|电话)"
    r"|(?:通話|通话|電話|电话)\s*(?:量)?\s*(?:很多|大|很大|超多)(?!少)|話很多|话很多|講很久|讲很久"
    r"|tons of calls|lots of (?:phone )?calls|many (?:phone )?calls|calls? a lot|talks? a lot|heavy (?:caller|talker)"
    r"|on the phone (?:a lot|constantly|all day|all the time|nonstop|non-stop)|talks? (?:on the phone )?(?:all day|constantly|nonstop)"
    r"|makes? (?:a lot of|lots of|tons of) calls"
)
_VOICE_REFUSED = (
    r"(?:不用|不需要|不要|不必|用不到|不需|不用到|don'?t need|do not need|no need for|doesn'?t need|not|without)\s*"
    r"(?:到)?\s*(?:無限|无限|吃到飽|吃到饱|unlimited)\s*(?:的)?\s*(?:通話|通话|語音|语音|暢打|畅打|minutes|calls?|voice|talk(?:time)?)"
    r"|(?:通話|通话|語音|语音)\s*(?:不用|不需要|不必|不要)\s*(?:到)?\s*(?:無限|无限|吃到飽|吃到饱|打到飽)"
)
_VIDEO = (
    r"(?:要|要能|能|可以|夠|够|足夠|足够)\s*(?:刷|看|追)\s*(?:短)?\s*(?:影片|視頻|视频|影音|劇|剧)(?:\s*(?:追劇|追剧|看劇|看剧))?"
    r"|(?:看|刷)\s*(?:短)?\s*(?:影片|視頻|视频|影音)\s*(?:要|也)?\s*(?:夠用|够用|不卡|順|顺|沒問題|没问题|可以)"
    r"|(?:fine|good|enough|ok|okay|plenty) for (?:watching )?(?:videos?|streaming|shows)"
    r"|(?:handle|watch) (?:videos?|streaming|shows) (?:fine|ok|okay|without)"
)
_BAND_AFTER = r"(?!\s*(?:多|出頭|到|至|~|-|上下|左右))"

RULES: list[tuple[str, Handler, bool]] = [
    (_VOICE_REFUSED, reading(("voice_finite", True, "語音不必無限（計分鐘的方案）")), True),
    (
        _TALK,
        reading(
            ("voice_min", 300, "通話量大（≥ 300 分鐘）"),
            ("voice_more", 800, "通話量大（分鐘越多越好，語音無限最好）"),
        ),
        False,
    ),
    (_VIDEO, reading(("video_ok", True, "看影片夠用（吃到飽或 ≥ 20GB 降速仍可看）")), True),
    (
        rf"(?![45]\s*g\s*(?:到|至|~|-|to)\s*[45]\s*g)(?:between\s*)?(?P<a>{NUM})\s*(?:gb|g|gigs?)?\s*(?:到|至|~|-|–|to|and)\s*(?P<b>{NUM}){_GB}(?:\s*(?:之間|之间|range))?"
        rf"|(?P<za>{_ZD})(?P<zb>{_ZD})十{_GB}",
        on_data_range,
        True,
    ),
    (
        rf"(?P<za>{_ZD})(?P<zb>{_ZD})百{_BAND_AFTER}|in the (?P<en>one|two|three|four|five|six|seven|eight|nine|\d) hundreds",
        on_fee_band,
        True,
    ),
    (
        rf"(?:預算|预算|budget)\s*(?:只有|只|就|才|是|大概|of|is)?\s*(?:up to|under|at most|max|最多|頂多|顶多|不超過|不超过)?\s*{CUR}(?P<n>{NUM}){YUAN}{NOT_FEE}{_BAND_AFTER}",
        on_budget,
        True,
    ),
]
