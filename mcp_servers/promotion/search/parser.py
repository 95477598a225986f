# ruff: noqa: E501  (regex tables read better unwrapped)
"""The constraint parser: regex rules over the normalised query, earlier rules first.

Handlers turn a match into `Constraint`s (or nothing, when the number is implausible for what
the words around it say); `parse_query` keeps the first rule's reading of any text span and
returns the residual text for lexical scoring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from core.hanzi import to_traditional

from .constraints import Constraint, Kind, ParsedQuery, light_cap
from .facets import BRAND_ALIASES, PERK_ALIASES
from .fees import fee_around, fee_bare, fee_is, fee_max, fee_min, fee_range
from .fees import make as _c
from .fees import num as _num
from .numbers import NUM
from .query import CONTEXT_MARK
from .rules import AUDIENCE_WORDS, HARD_PERKS, OTHER_STREAMING, PERK_LABELS, PHRASES
from .tokenize import normalize
from .wording import FILLER_RE, either_perk, spell

_CUR = r"(?:nt\$|ntd|nt|\$)?\s*"
_YUAN = r"(?:\s*(?:塊錢|块钱|元|塊|块|dollars?|ntd|bucks))?"
# After a fee number none of these may follow: they make it a data amount, a duration, an age...
_NOT_FEE = (
    r"(?!\s*(?:gb|g(?![a-z])|mb|m(?![a-z])|mbps|個月|个月|月(?!租|費|费|付)|年|歲|岁|分鐘|分钟"
    r"|min(?![a-z])|months?(?![a-z])|years?(?![a-z])|則|则|天|日|期|吋|寸|mah|w(?![a-z])|%|折|人|支|門|个|個|號|号|次))"
)
_FEE_WORD = (
    r"(?:月租費?|月租费|月費|月费|月付|每月|每個月|每个月|monthly(?: fee)?|per month|a month)"
)
_MONTHS = r"(?:個月|个月|months?|mos?\b|-month)"
_YEARS = r"(?:年|years?|-year)"
_CONTRACT_WORD = r"(?:綁約|绑约|合約|合约|約期|约期|簽約|签约|綁|绑|簽|签|約|约|contract(?: of| for| is)?|commitment|term)"
KNOWN_MONTHS = (12, 18, 24, 30, 36, 48)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

STORAGE_SIZES = (64, 128, 256, 512, 1024)
Handler = Callable[[re.Match[str]], list[Constraint]]


def _numeric(kind: Kind, label: str) -> Handler:
    def handle(m: re.Match[str]) -> list[Constraint]:
        value = _num(m, "n")
        if value is None or value <= 0:
            return []
        return [_c(kind, value, True, m.group(0), label.format(value))]

    return handle


def _speed(m: re.Match[str]) -> list[Constraint]:
    value = _num(m, "n")
    if value is None or value <= 0 or value > 100:
        return []
    return [
        _c("speed_min", value, True, m.group(0), f"降速後 ≥ {value:g}Mbps"),
        _c("speed_at", value, False, m.group(0), f"降速後約 {value:g}Mbps"),
        _c("capped", True, False, m.group(0), "有上限、降速續用"),
    ]


def _below_current(m: re.Match[str]) -> list[Constraint]:
    """'現在 1199 太貴', 'I pay 999 now, want lower': the fee paid today is the ceiling."""
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000:
        return []
    ceiling = int(value) - 1
    return [
        _c("fee_max", ceiling, True, m.group(0), f"月租 < {int(value)}（比現在低）"),
        _c("cheap", True, False, m.group(0), "月租低優先"),
    ]


def _under_round(m: re.Match[str]) -> list[Constraint]:
    """'月租不要破千': below that round number."""
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000:
        return []
    return [_c("fee_max", int(value) - 1, True, m.group(0), f"月租 < {int(value)}")]


def _a_little_over(m: re.Match[str]) -> list[Constraint]:
    """'五百多', '一千出頭': around a tenth over the round number (a preference)."""
    value = _num(m, "n")
    if value is None or not 100 <= value <= 20000:
        return []
    return [_c("fee_around", int(value * 1.1), False, m.group(0), f"月租約 {int(value * 1.1)}")]


def _lower_fee(m: re.Match[str]) -> list[Constraint]:
    """'想降月租': the catalogue's price-drop renewals first, then cheaper plans."""
    return [
        _c("perk", "price_drop", False, m.group(0), PERK_LABELS["price_drop"]),
        _c("cheap", True, False, m.group(0), "月租低優先"),
    ]


def _voice_first(m: re.Match[str]) -> list[Constraint]:
    """'只打電話', 'only makes calls': a line with voice and little data."""
    return [
        _c("voice_needed", True, False, m.group(0), "要有通話"),
        _c("data_light", 1.0, False, m.group(0), f"上網很少（1–{light_cap(1.0):g}GB）"),
    ]


def _brand(name: str) -> Handler:
    return lambda m: [
        _c("brand", name, False, m.group(0), f"機型：{name}"),
        _c("device", True, False, m.group(0), "搭手機（品牌）"),
    ]


def _data_min(hard: bool) -> Handler:
    def handle(m: re.Match[str]) -> list[Constraint]:
        value = _num(m, "n")
        unit = m.group("u")
        if value is None or value <= 0 or (unit == "g" and value in (2, 3, 4, 5, 6)):
            return []  # "5G" names the network generation
        if not hard and value in STORAGE_SIZES:
            return []  # "Galaxy S25 256G" is the phone's storage, not a data allowance
        return [_c("data_min", value, hard, m.group(0), f"上網 ≥ {value:g}GB")]

    return handle


def _data_said(m: re.Match[str]) -> list[Constraint]:
    """'流量 5G 就夠', '每月 3G 流量': next to a data word even 2-6 G is an amount, not the network."""
    value = _num(m, "n")
    if value is None or value <= 0:
        return []
    network = m.group("u") == "g" and value in (2, 3, 4, 5, 6) and m.group(0)[0].isdigit()
    if network and not m.group("light"):
        return []  # "5G 流量大": the network, then a data word
    if m.group("light"):
        label = f"輕量上網 {value:g}–{light_cap(value):g}GB"
        return [_c("data_light", value, False, m.group(0), label)]
    return [_c("data_min", value, False, m.group(0), f"上網 ≥ {value:g}GB")]


def _data_need(m: re.Match[str]) -> list[Constraint]:
    """'我一個月大概用 50G': what the customer uses, so unlimited serves as well as 50 GB."""
    value = _num(m, "n")
    if value is None or value <= 0 or (m.group("u") == "g" and value in (2, 3, 4, 5, 6)):
        return []
    return [_c("data_need", value, False, m.group(0), f"用量約 {value:g}GB（≥ {value:g}GB）")]


def _data_light(m: re.Match[str]) -> list[Constraint]:
    value = _num(m, "n")
    if value is None or value <= 0 or (m.group("u") == "g" and value in (2, 3, 4, 5, 6)):
        return []
    label = f"輕量上網 {value:g}–{light_cap(value):g}GB"
    return [_c("data_light", value, False, m.group(0), label)]


def _months(m: re.Match[str]) -> int | None:
    value = _num(m, "n")
    if value is None or value <= 0:
        return None
    years = bool(re.search(_YEARS, m.group("u") or ""))
    return int(value * 12) if years else int(value)


def _contract(m: re.Match[str]) -> list[Constraint]:
    months = _months(m)
    if months is None or months > 60:
        return []
    return [_c("contract", (months,), True, m.group(0), f"合約 {months} 個月")]


def _bare_months(m: re.Match[str]) -> list[Constraint]:
    """'24 個月' with no contract word: a contract only at a usual length and not a gift's
    or a tenure's duration (Netflix 12 個月, 在網滿 24 個月)."""
    months = _months(m)
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


def _contract_shorter(m: re.Match[str]) -> list[Constraint]:
    """'不要綁三年', 'no 36-month contract': a shorter contract (none included)."""
    months = _months(m)
    if months is None or months > 60 or months < 2:
        return []
    return [_c("contract_max", months - 1, True, m.group(0), f"合約 < {months} 個月")]


def _contract_max(m: re.Match[str]) -> list[Constraint]:
    months = _months(m)
    if months is None or months > 60:
        return []
    return [_c("contract_max", months, True, m.group(0), f"合約 ≤ {months} 個月")]


def _age(m: re.Match[str]) -> list[Constraint]:
    """'阿嬤 78 歲', 'my 70-year-old dad', '16 歲的女兒': an age says who the line is for."""
    age = _num(m, "n")
    if age is None:
        return []
    if age >= 65:
        return [_c("audience", "senior", False, m.group(0), "對象：長輩")]
    if 6 <= age <= 22:
        return [_c("audience", "student", False, m.group(0), "對象：學生")]
    return []


def _network(m: re.Match[str]) -> list[Constraint]:
    gens = {g.upper() for g in re.findall(r"(?<![0-9a-z])([45])\s*g(?![a-z0-9])", m.string)}
    if len(gens) != 1:  # "4G 升級 5G" names both: no preference
        return []
    return [_c("network", f"{m.group(1)}G", False, m.group(0), f"{m.group(1)}G")]


def _fixed(
    kind: str, value: float | bool | str | tuple[int, ...], hard: bool, label: str
) -> Handler:
    return lambda m: [_c(kind, value, hard, m.group(0), label)]  # type: ignore[arg-type]


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_N = rf"(?P<n>{NUM})"
_NY = rf"(?P<n>{NUM}|(?<![a-z])(?:one|two|three|four)(?![a-z]))"
_GB = r"\s*(?P<u>gb|g|gigs?|gigabytes?)(?![a-z0-9])"
_CEILING_PRE = (
    r"(?:(?:不|別|别|勿)\s*(?:想|要|能|會|会|可以|得|希望|用|必)?\s*(?:超過|超过|高於|高于|多於|多于|大於|大于)"
    r"|not (?:more than|over|above|exceed(?:ing)?)|(?:does ?n[o']t|do ?n[o']t|won'?t|shouldn'?t|can'?t) (?:want to )?(?:exceed|go over|be over)"
    r"|控制在|壓在|压在|"
    r"不超過|不超过|不要超過|不要超过|不高於|不高于|不能超過|不能超过|不到|未滿|未满|最多|頂多|顶多|上限|最高|"
    r"低於|低于|少於|少于|小於|小于|under|below|less than|cheaper than|at most|up to|no more than|"
    r"max(?:imum)?|within|sub-|<=|<|≤|預算|预算|budget(?: of| is)?)"
)
_FLOOR_PRE = r"(?:至少|最少|起碼|起码|不少於|不少于|不低於|不低于|no less than|not less than|高於|高于|超過|超过|多於|多于|大於|大于|over|above|more than|at least|>=|>|≥)"

# (pattern, handler, strip from the lexical text). Earlier rules win overlapping text, so
# negations come before the phrases they contain (不換手機 before 換手機).
RULES: list[tuple[str, Handler, bool]] = [
    *[(p, _fixed(k, v, h, lab), s) for p, k, v, h, lab, s in PHRASES["early"]],
    # device discount, speed after the cap, voice minutes: numbers that are not fees
    (
        rf"(?:discount|折扣|折價|折价|現折|现折|再折|購機折|购机折|補貼|补贴)\s*(?:of|達|达|有|至少|at least)?\s*{_CUR}{_N}{_YUAN}\s*(?:or more|以上|起)?",
        _numeric("discount_min", "購機折扣 ≥ {:g}"),
        True,
    ),
    (
        rf"(?:用完|超量|降速|還有|还有|剩下?|之後|之后|後|后|after the cap|throttled to|slows? to)\s*(?:速度|網速)?\s*"
        rf"(?:還有|还有|剩|降速|仍有|會|会|還能|還可以|仍能|仍可|也有|也能|照樣|依然|可以|有)?\s*(?:維持|保持|用)?\s*{_N}\s*(?:mbps|mb/s|m|兆)(?![a-z])",
        _speed,
        True,
    ),
    (
        rf"{_FLOOR_PRE}?\s*{_N}\s*(?:分鐘|分钟|minutes?|mins?)(?![a-z])\s*(?:以上|起|or more|\+)?",
        _numeric("voice_min", "通話 ≥ {:g} 分鐘"),
        True,
    ),
    (rf"{_N}\s*(?:歲|岁|years? old|-years?-old|yo(?![a-z]))", _age, False),
    # the fee paid today, said to be too high: a ceiling below it
    (
        rf"(?:現在|目前|原本|本來|now|currently|i pay|i'?m paying|paying)\s*(?:的)?\s*(?:{_FEE_WORD}|是|繳|付|用|方案)?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}"
        r"(?=[^0-9]{0,30}?(?:太貴|太高|好貴|貴了|有點貴|想降|降月租|降一點|省一點|便宜一點|便宜些|too (?:much|expensive|high)|lower|cheaper|reduce|save))",
        _below_current,
        True,
    ),
    (
        rf"{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}\s*(?:的)?\s*(?:方案|月租)?\s*(?=太貴|太高|好貴|有點貴|(?:is )?too (?:much|expensive|high))",
        _below_current,
        True,
    ),
    (
        rf"(?:不要|不想|不能|不可以|別|别|不)\s*(?:到|超|破)\s*{_N}{_YUAN}{_NOT_FEE}",
        _under_round,
        True,
    ),
    (rf"破\s*{_N}{_YUAN}\s*(?:的)?\s*(?:不要|不行|太貴|就不要)", _under_round, True),
    (
        r"(?:不要|不想|別|别)\s*(?:到)?\s*四位數|四位數\s*(?:的)?\s*(?:不要|不行|太貴)",
        _fixed("fee_max", 999, True, "月租 ≤ 999"),
        True,
    ),
    # 五百多, 一千出頭: a little over that round number
    (rf"{_N}\s*(?:多|出頭)(?!少){_NOT_FEE}", _a_little_over, True),
    (
        r"降月租|月租降|降低月租|月租省|省月租|想降價|降價|lower (?:my )?(?:monthly )?(?:bill|fee)|reduce (?:my )?(?:monthly )?(?:bill|fee)|cut (?:my )?bill",
        _lower_fee,
        True,
    ),
    (
        r"只打電話|只講電話|主要打電話|主要講電話|通話為主|打電話為主|電話為主"
        r"|only (?:makes?|for) (?:phone )?calls|just (?:makes? |for )?calls|mainly (?:makes? |for )?calls|mostly (?:for )?calls",
        _voice_first,
        False,
    ),
    # fees
    (
        rf"(?:介於|介于|between)\s*{_CUR}(?P<a>{NUM}){_YUAN}\s*(?:到|至|~|～|-|–|—|and|to|與|与|和|跟)\s*{_CUR}(?P<b>{NUM}){_YUAN}{_NOT_FEE}(?:\s*(?:之間|之间))?",
        fee_range,
        True,
    ),
    (
        rf"{_FEE_WORD}?\s*{_CUR}(?P<a>{NUM}){_YUAN}\s*(?:到|至|~|～|-|–|—|to)\s*{_CUR}(?P<b>{NUM}){_YUAN}{_NOT_FEE}(?:\s*(?:之間|之间))?",
        fee_range,
        True,
    ),
    (
        rf"(?:大約|大约|大概|差不多|約|约|around|about|approximately|roughly|~|≈)\s*{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}",
        fee_around,
        True,
    ),
    (
        rf"{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}\s*(?:上下|左右|附近|前後|前后|-?ish)",
        fee_around,
        True,
    ),
    (
        rf"{_CEILING_PRE}\s*(?:是|為|为|:)?\s*{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}",
        fee_max,
        True,
    ),
    (
        rf"{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}(?:\s*(?:/|per|a)\s*(?:month|mo)(?![a-z]))?\s*(?:以下|以內|以内|之內|之内|內|内|有找|or less|or under|and under|and below|or cheaper|max|tops|at most)",
        fee_max,
        True,
    ),
    (rf"{_FLOOR_PRE}\s*{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}", fee_min, True),
    (rf"{_FEE_WORD}?\s*{_CUR}{_N}{_YUAN}\s*(?:以上|起跳|or more|and up|\+)", fee_min, True),
    # data amounts
    (rf"{_FLOOR_PRE}\s*{_N}{_GB}", _data_min(True), True),
    (rf"{_N}{_GB}\s*(?:以上|起跳|起|or more|and up|\+|plus)", _data_min(True), True),
    (rf"{_N}{_GB}\s*(?:以下|以內|以内|就夠|就够|夠用|够用|就好|or less)", _data_light, True),
    # next to a data word even 2-6 G is an amount (流量 5G 就夠), not the network
    (
        rf"(?:流量|上網量|網路量|數據)\s*(?:大概|大約|約|只要|只有|才|就)?\s*{_N}{_GB}(?P<light>\s*(?:就夠|就好|夠用|以下|以內|or less))?",
        _data_said,
        True,
    ),
    (
        rf"{_N}{_GB}\s*(?:的)?\s*(?:流量|上網量)(?P<light>\s*(?:就夠|就好|夠用|以下|以內|or less))?",
        _data_said,
        True,
    ),
    (
        rf"(?:大概|大約|大约|差不多)?\s*(?:用|用到|用了|使用|需要|uses?|using|need)\s*(?:大概|大約|大约|約|约|about|around)?\s*{_N}{_GB}",
        _data_need,
        True,
    ),
    (rf"{_N}(?:\s*多)?{_GB}", _data_min(False), True),  # 一百多G: about that allowance
    # contract length
    (rf"{_CEILING_PRE}\s*{_NY}\s*(?P<u>{_MONTHS}|{_YEARS})", _contract_max, True),
    (
        rf"{_NY}\s*(?P<u>{_MONTHS}|{_YEARS})\s*(?:以內|以内|以下|之內|之内|內|内|or less|or shorter)",
        _contract_max,
        True,
    ),
    (
        rf"(?:不要|不想|不用|不能|不願意|不愿意|別|别)\s*(?:再)?\s*(?:綁|绑|簽|签)?\s*(?:到|滿|满)?\s*{_NY}\s*(?P<u>{_MONTHS}|{_YEARS})(?:\s*(?:的)?\s*{_CONTRACT_WORD})?",
        _contract_shorter,
        True,
    ),
    (
        rf"(?:(?<![a-z])no|not an?|not|don'?t want an?|don'?t want)\s+{_NY}[- ]?(?P<u>{_MONTHS}|{_YEARS})(?:\s*{_CONTRACT_WORD})?",
        _contract_shorter,
        True,
    ),
    (rf"{_CONTRACT_WORD}\s*{_NY}\s*(?P<u>{_MONTHS}|{_YEARS})", _contract, True),
    (rf"{_NY}\s*(?P<u>{_MONTHS}|{_YEARS})\s*(?:的)?\s*{_CONTRACT_WORD}", _contract, True),
    (rf"{_NY}[- ](?P<u>{_MONTHS}|{_YEARS})[- ](?:plan|deal)", _contract, True),
    (rf"{_NY}\s*(?P<u>{_MONTHS})", _bare_months, True),
    # fee with a fee word or a currency but no comparator: soft, near that fee
    (rf"{_FEE_WORD}\s*{_CUR}{_N}{_YUAN}{_NOT_FEE}", fee_is, True),
    (rf"{_CUR}{_N}\s*(?:元|塊|块|dollars|ntd)", fee_is, True),
    (r"(?:nt\$|\$)\s*" + _N, fee_is, True),
    # a bare number in the fee range ("四百九十九的方案", "the 599 one"): sheets name plans by fee
    (rf"(?<![a-z0-9.$]){_N}{_NOT_FEE}(?![a-z0-9.])", fee_bare, True),
    *[(p, _fixed(k, v, h, lab), s) for p, k, v, h, lab, s in PHRASES["late"]],
    (r"(?<![0-9a-z])([45])\s*g(?![a-z0-9])", _network, False),
]
for _perk, _aliases in PERK_ALIASES.items():
    RULES.append(
        (
            _alternatives(_aliases),
            _fixed("perk", _perk, _perk in HARD_PERKS, PERK_LABELS[_perk]),
            _perk in HARD_PERKS,
        )
    )
RULES.append(
    (
        _alternatives(OTHER_STREAMING["video"]),
        _fixed("streaming", "video", False, "影音串流（方案未附此平台）"),
        False,
    )
)
RULES.append(
    (
        _alternatives(OTHER_STREAMING["music"]),
        _fixed("streaming", "music", False, "音樂串流（方案未附此平台）"),
        False,
    )
)
for _name, _aliases in BRAND_ALIASES.items():
    RULES.append((_alternatives(_aliases), _brand(_name), False))
for _audience, (_words, _label) in AUDIENCE_WORDS.items():
    RULES.append((_alternatives(_words), _fixed("audience", _audience, False, _label), False))

# Rules and queries are both folded to Traditional: a rule written once matches either script.
_COMPILED = [(re.compile(to_traditional(p)), h, s) for p, h, s in RULES]


def parse_query(query: str) -> ParsedQuery:
    """Find every constraint in `query`; overlapping matches go to the earlier rule."""
    text = to_traditional(spell(_THOUSANDS.sub("", normalize(" ".join(query.split())))))
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Constraint]] = []
    stripped: list[tuple[int, int]] = []
    for pattern, handler, strip in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or any(s < end and start < e for s, e in taken):
                continue
            constraints = handler(match)
            if not constraints:
                continue
            taken.append((start, end))
            if strip:
                stripped.append((start, end))
            found.extend((start, c) for c in constraints)
    found = either_perk(text, found)
    mark = text.find(CONTEXT_MARK)
    if mark >= 0:  # inferred from the customer's context: a preference, not a filter
        found = [(at, replace(c, hard=False) if at > mark and c.hard else c) for at, c in found]
        text = text.replace(CONTEXT_MARK, " " * len(CONTEXT_MARK))  # keeps the spans aligned
    residual = text
    for start, end in sorted(stripped, reverse=True):
        residual = residual[:start] + " " + residual[end:]
    residual = FILLER_RE.sub(" ", residual)
    unique: dict[tuple[str, object], Constraint] = {}
    for _, c in sorted(found, key=lambda item: item[0]):
        seen = unique.get((c.kind, c.value))
        if seen is None or (c.hard and not seen.hard):  # "iPhone ... 搭機": the filter wins
            unique[(c.kind, c.value)] = c
    generic = unique.get(("streaming", "video"))
    if ("streaming", "music") in unique and generic and generic.text in ("串流", "streaming"):
        del unique[("streaming", "video")]  # "music streaming" said in two places
    return ParsedQuery(" ".join(text.split()), " ".join(residual.split()), tuple(unique.values()))
