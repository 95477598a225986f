# ruff: noqa: E501  (regex fragments read better unwrapped)
"""What a constraint rule does with its match: handlers turn a regex match into `Constraint`s,
or into nothing when the number is implausible for what the words around it say (a "5G" is a
network, not five gigabytes). The rule table that pairs them with patterns is parser.py's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .constraints import Constraint, Kind, light_cap
from .facets import PERK_ALIASES
from .fees import make as _c
from .fees import num as _num
from .rules import NETWORK_NEG, PERK_LABELS

CUR = r"(?:nt\$|ntd|nt|\$)?\s*"
YUAN = r"(?:\s*(?:塊錢|块钱|元|塊|块|dollars?|ntd|bucks))?"
# After a fee number none of these may follow: they make it a data amount, a duration, an age...
NOT_FEE = (
    r"(?!\s*(?:gb|g(?![a-z])|mb|m(?![a-z])|mbps|個月|个月|月(?!租|費|费|付)|年|歲|岁|分鐘|分钟"
    r"|min(?![a-z])|months?(?![a-z])|years?(?![a-z])|則|则|天|日|期|吋|寸|mah|w(?![a-z])|%|折|人|支|門|个|個|號|号|次))"
)
FEE_WORD = (
    r"(?:月租費?|月租费|月費|月费|月付|每月|每個月|每个月|monthly(?: fee)?|per month|a month)"
)
MONTHS = r"(?:個月|个月|months?|mos?\b|-month)"
YEARS = r"(?:年半|年|years?|-year)"  # 兩年半: 30 months
CONTRACT_WORD = r"(?:綁約|绑约|合約|合约|約期|约期|簽約|签约|綁|绑|簽|签|約|约|contract(?: of| for| is)?|commitment|term)"
KNOWN_MONTHS = (12, 18, 24, 30, 36, 48)
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

STORAGE_SIZES = (64, 128, 256, 512, 1024)
Handler = Callable[[re.Match[str]], list[Constraint]]


def on_numeric(kind: Kind, label: str) -> Handler:
    def handle(m: re.Match[str]) -> list[Constraint]:
        value = _num(m, "n")
        if value is None or value <= 0:
            return []
        return [_c(kind, value, True, m.group(0), label.format(value))]

    return handle


def on_speed(m: re.Match[str]) -> list[Constraint]:
    value = _num(m, "n")
    if value is None or value <= 0 or value > 100:
        return []
    return [
        _c("speed_min", value, True, m.group(0), f"降速後 ≥ {value:g}Mbps"),
        _c("speed_at", value, False, m.group(0), f"降速後約 {value:g}Mbps"),
        _c("capped", True, False, m.group(0), "有上限、降速續用"),
    ]


def on_below_current(m: re.Match[str]) -> list[Constraint]:
    """'現在 1199 太貴', 'I pay 999 now, want lower': the fee paid today is the ceiling."""
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000:
        return []
    ceiling = int(value) - 1
    return [
        _c("fee_max", ceiling, True, m.group(0), f"月租 < {int(value)}（比現在低）"),
        _c("cheap", True, False, m.group(0), "月租低優先"),
    ]


def on_under_round(m: re.Match[str]) -> list[Constraint]:
    """'月租不要破千': below that round number."""
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000:
        return []
    return [_c("fee_max", int(value) - 1, True, m.group(0), f"月租 < {int(value)}")]


def on_a_little_over(m: re.Match[str]) -> list[Constraint]:
    """'五百多', '一千出頭': above the round number and below the next step (a preference).

    The step is the round number's last place (五百多 = 501-599, 一千多 = 1001-1999, 一千二多
    = 1201-1299) and 出頭 a third of the number at most (一千出頭 = 1001-1299): the round
    number itself is not "over".
    """
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000 or value != int(value):
        return []
    place = 1
    while int(value) % (place * 10) == 0:
        place *= 10
    top = value + (min(place, value * 0.3) if "出頭" in m.group(0) else place) - 1
    low, high = int(value) + 1, int(top)
    return [_c("fee_over", (low, high), False, m.group(0), f"月租約 {low}–{high}")]


def on_cheapest(m: re.Match[str]) -> list[Constraint]:
    """'最便宜', 'cheapest': a low fee (as 便宜 says) and, on top, the fee order itself, so
    the lowest fees lead even over plans that share more words with the rest of the query."""
    return [
        _c("cheap", True, False, m.group(0), "月租低優先"),
        _c("cheap", "most", False, m.group(0), "月租最低優先"),
    ]


def on_lower_fee(m: re.Match[str]) -> list[Constraint]:
    """'想降月租': the catalogue's price-drop renewals first, then cheaper plans."""
    return [
        _c("perk", "price_drop", False, m.group(0), PERK_LABELS["price_drop"]),
        _c("cheap", True, False, m.group(0), "月租低優先"),
    ]


def on_voice_first(m: re.Match[str]) -> list[Constraint]:
    """'只打電話', 'only makes calls': a line with voice and little data."""
    return [
        _c("voice_needed", True, False, m.group(0), "要有通話"),
        _c("data_light", 1.0, False, m.group(0), f"上網很少（1–{light_cap(1.0):g}GB）"),
    ]


def on_brand(name: str) -> Handler:
    return lambda m: [
        _c("brand", name, False, m.group(0), f"機型：{name}"),
        _c("device", True, False, m.group(0), "搭手機（品牌）"),
    ]


GENERATIONS = (2, 3, 4, 5, 6)  # "5G" after a bare number: the network generation, not GB


def _gb(m: re.Match[str]) -> float | None:
    """The data amount a match names; None for none or a network generation ("5G")."""
    value = _num(m, "n")
    if value is None or value <= 0 or (m.group("u") == "g" and value in GENERATIONS):
        return None
    return value


def on_data_min(hard: bool) -> Handler:
    def handle(m: re.Match[str]) -> list[Constraint]:
        value = _gb(m)
        if value is None:
            return []
        if not hard and value in STORAGE_SIZES:
            return []  # "Galaxy S25 256G" is the phone's storage, not a data allowance
        return [_c("data_min", value, hard, m.group(0), f"上網 ≥ {value:g}GB")]

    return handle


def on_data_said(m: re.Match[str]) -> list[Constraint]:
    """'流量 5G 就夠', '每月 3G 流量': next to a data word even 2-6 G is an amount, not the network."""
    value = _num(m, "n")
    if value is None or value <= 0:
        return []
    network = m.group("u") == "g" and value in GENERATIONS and m.group(0)[0].isdigit()
    if network and not m.group("light"):
        return []  # "5G 流量大": the network, then a data word
    if m.group("light"):
        label = f"輕量上網 {value:g}–{light_cap(value):g}GB"
        return [_c("data_light", value, False, m.group(0), label)]
    return [_c("data_min", value, False, m.group(0), f"上網 ≥ {value:g}GB")]


def on_data_need(m: re.Match[str]) -> list[Constraint]:
    """'我一個月大概用 50G': what the customer uses, so unlimited serves as well as 50 GB."""
    value = _gb(m)
    if value is None:
        return []
    return [_c("data_need", value, False, m.group(0), f"用量約 {value:g}GB（≥ {value:g}GB）")]


def on_data_around(m: re.Match[str]) -> list[Constraint]:
    """'30GB 左右': an allowance near that amount (0.7-1.4x); unlimited counts half."""
    value = _gb(m)
    if value is None:
        return []
    return [_c("data_around", value, False, m.group(0), f"流量約 {value:g}GB")]


def on_data_light(m: re.Match[str]) -> list[Constraint]:
    value = _gb(m)
    if value is None:
        return []
    label = f"輕量上網 {value:g}–{light_cap(value):g}GB"
    return [_c("data_light", value, False, m.group(0), label)]


def on_data_at_most(m: re.Match[str]) -> list[Constraint]:
    """'頂多 2G', 'at most 3 gigs': after 頂多 even 2-6 G is an amount of usage, not a network."""
    value = _num(m, "n")
    if value is None or value <= 0:
        return []
    label = f"輕量上網 {value:g}–{light_cap(value):g}GB"
    return [_c("data_light", value, False, m.group(0), label)]


def on_upgrade_to_5g(m: re.Match[str]) -> list[Constraint]:
    """'4G 升 5G', 'still on 4G': the 5G plans, and first the renewals made for 4G lines."""
    return [
        _c("network", "5G", False, m.group(0), "5G（從 4G 升級）"),
        _c("audience", "upgrade_4g", False, m.group(0), "對象：4G 升級 5G"),
    ]


def on_months(m: re.Match[str]) -> int | None:
    value = _num(m, "n")
    if value is None or value <= 0:
        return None
    unit = m.group("u") or ""
    if unit.startswith("年半"):
        value += 0.5
    years = bool(re.search(YEARS, unit))
    return int(value * 12) if years else int(value)


def on_contract(m: re.Match[str]) -> list[Constraint]:
    months = on_months(m)
    if months is None or months > 60:
        return []
    return [_c("contract", (months,), True, m.group(0), f"合約 {months} 個月")]


def on_bare_months(m: re.Match[str]) -> list[Constraint]:
    """'24 個月' with no contract word: a contract only at a usual length and not a gift's
    or a tenure's duration (Netflix 12 個月, 在網滿 24 個月)."""
    months = on_months(m)
    before = m.string[max(0, m.start() - 10) : m.start()]
    blocked = (
        "送", "贈", "赠", "免費", "免费", "折抵", "在網", "在网", "滿", "满", "用了", "已", "了",
        "free", "for",
    )  # fmt: skip
    if months not in KNOWN_MONTHS or any(w in before for w in blocked):
        return []
    if any(alias in before for aliases in PERK_ALIASES.values() for alias in aliases):
        return []
    return [_c("contract", (months,), True, m.group(0), f"合約 {months} 個月")]


def on_contract_shorter(m: re.Match[str]) -> list[Constraint]:
    """'不要綁三年', 'no 36-month contract': a shorter contract (none included)."""
    months = on_months(m)
    if months is None or months > 60 or months < 2:
        return []
    return [_c("contract_max", months - 1, True, m.group(0), f"合約 < {months} 個月")]


def on_contract_max(m: re.Match[str]) -> list[Constraint]:
    months = on_months(m)
    if months is None or months > 60:
        return []
    return [_c("contract_max", months, True, m.group(0), f"合約 ≤ {months} 個月")]


def on_age(m: re.Match[str]) -> list[Constraint]:
    """'阿嬤 78 歲', 'my 70-year-old dad', '16 歲的女兒': an age says who the line is for."""
    age = _num(m, "n")
    if age is None:
        return []
    if age >= 65:
        return [_c("audience", "senior", False, m.group(0), "對象：長輩")]
    if 6 <= age <= 22:
        return [_c("audience", "student", False, m.group(0), "對象：學生")]
    return []


def on_network_not(m: re.Match[str]) -> list[Constraint]:
    """'不要 5G', 'not 5G': the other generation, as a preference."""
    other = "4G" if m.group("g") == "5" else "5G"
    return [_c("network", other, False, m.group(0), f"{other}（不要 {m.group('g')}G）")]


def on_network(m: re.Match[str]) -> list[Constraint]:
    negated = {g.upper() for g in re.findall(rf"(?:{NETWORK_NEG})\s*([45])\s*g", m.string)}
    said = re.findall(r"(?<![0-9a-z])([45])\s*g(?![a-z0-9])", m.string)
    gens = {g.upper() for g in said} - negated
    if len(gens) != 1:  # "4G 升級 5G" names both: no preference
        return []
    return [_c("network", f"{m.group(1)}G", False, m.group(0), f"{m.group(1)}G")]


def fixed_reading(
    kind: str, value: float | bool | str | tuple[int, ...], hard: bool, label: str
) -> Handler:
    return lambda m: [_c(kind, value, hard, m.group(0), label)]  # type: ignore[arg-type]


def any_of(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# a phone named (typed, or 手機專案 from a with-device renewal's context), not a brand alone
_PHONE_WORD = re.compile(r"手機|手机|phone|handset")
_NOT_A_PHONE = (
    ("audience", "tablet"),
    ("audience", "wearable"),
    ("brand", "ipad"),
    ("brand", "watch"),
    ("data_only", True),
    ("device", False),
)


def phone_means_voice(unique: dict[tuple[str, object], Constraint]) -> None:
    """A device bought with the line is a phone unless a tablet or a watch is named: prefer
    lines with voice (搭機, 換手機, 合約機, new phone; not 平板, 手錶, 分享器)."""
    device = unique.get(("device", True))
    said = device is not None and (device.hard or _PHONE_WORD.search(device.text) is not None)
    if device is None or not said or ("voice_needed", True) in unique:
        return
    if any(key in unique for key in _NOT_A_PHONE):
        return
    unique[("voice_needed", True)] = Constraint(
        "voice_needed", True, False, device.text, "要有通話（手機）"
    )
