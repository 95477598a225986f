# ruff: noqa: E501  (regex tables read better unwrapped)
"""The constraint parser: regex rules over the normalised query, earlier rules first.

Each rule pairs a pattern with a handler (handlers.py) that turns the match into `Constraint`s
or into nothing; `parse_query` keeps the first rule's reading of any text span and
returns the residual text for lexical scoring.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from core.hanzi import to_traditional

from .audiences import AUDIENCE_WORDS
from .constraints import Constraint, ParsedQuery
from .facets import BRAND_ALIASES, PERK_ALIASES
from .fees import fee_around, fee_bare, fee_is, fee_max, fee_min, fee_range
from .handlers import (
    CONTRACT_WORD,
    CUR,
    FEE_WORD,
    MONTHS,
    NOT_FEE,
    THOUSANDS,
    YEARS,
    YUAN,
    Handler,
    any_of,
    fixed_reading,
    on_a_little_over,
    on_age,
    on_bare_months,
    on_below_current,
    on_brand,
    on_cheapest,
    on_contract,
    on_contract_max,
    on_contract_shorter,
    on_data_around,
    on_data_at_most,
    on_data_light,
    on_data_min,
    on_data_need,
    on_data_said,
    on_lower_fee,
    on_network,
    on_network_not,
    on_numeric,
    on_speed,
    on_under_round,
    on_upgrade_to_5g,
    on_voice_first,
    phone_means_voice,
)
from .numbers import NUM
from .query import CONTEXT_MARK
from .rules import (
    AUDIENCE_NEG,
    CHEAPEST,
    HARD_PERKS,
    NETWORK_NEG,
    OTHER_STREAMING,
    PERK_LABELS,
    PHRASES,
)
from .tokenize import normalize
from .usage import RULES as USAGE_RULES
from .wording import FILLER_RE, either_perk, spell

_N = rf"(?P<n>{NUM})"
_NY = rf"(?P<n>{NUM}|(?<![a-z])(?:one|two|three|four)(?![a-z]))"
_GB = r"\s*(?P<u>gb|g|gigs?|gigabytes?)(?![a-z0-9])"
_CEILING_PRE = (
    r"(?:(?:不|別|别|勿)\s*(?:想|要|能|會|会|可以|得|希望|用|必)?\s*(?:超過|超过|高於|高于|多於|多于|大於|大于)"
    r"|not (?:more than|over|above|exceed(?:ing)?)|(?:does ?n[o']t|do ?n[o']t|won'?t|shouldn'?t|can'?t) (?:want to )?(?:exceed|go over|be over)"
    r"|(?:can'?t|cannot|do ?n[o']t want to|won'?t|not willing to) (?:afford to )?(?:spend|pay) (?:more than|over|above)"
    r"|控制在|壓在|压在|"
    r"不超過|不超过|不要超過|不要超过|不高於|不高于|不能超過|不能超过|不到|未滿|未满|最多|頂多|顶多|上限|最高|"
    r"低於|低于|少於|少于|小於|小于|under|below|less than|cheaper than|at most|up to|no more than|"
    r"max(?:imum)?|within|sub-|<=|<|≤|預算|预算|budget(?: of| is)?)"
)
_FLOOR_PRE = r"(?:至少|最少|起碼|起码|不少於|不少于|不低於|不低于|no less than|not less than|高於|高于|超過|超过|多於|多于|大於|大于|over|above|more than|at least|>=|>|≥)"

# (pattern, handler, strip from the lexical text). Earlier rules win overlapping text, so
# negations come before the phrases they contain (不換手機 before 換手機).
RULES: list[tuple[str, Handler, bool]] = [
    *USAGE_RULES,  # ranges, budgets and habits (usage.py): before the phrases they contain
    *[(p, fixed_reading(k, v, h, lab), s) for p, k, v, h, lab, s in PHRASES["early"]],
    # device discount, speed after the cap, voice minutes: numbers that are not fees
    (
        rf"(?:discount|折扣|折價|折价|現折|现折|再折|購機折|购机折|補貼|补贴)\s*(?:of|達|达|有|至少|at least)?\s*{CUR}{_N}{YUAN}\s*(?:or more|以上|起)?",
        on_numeric("discount_min", "購機折扣 ≥ {:g}"),
        True,
    ),
    (
        rf"(?:用完|超量|降速|還有|还有|剩下?|之後|之后|後|后|after the cap|throttled to|slows? to)\s*(?:速度|網速)?\s*"
        rf"(?:還有|还有|剩|降速|仍有|會|会|還能|還可以|仍能|仍可|也有|也能|照樣|依然|可以|有)?\s*(?:維持|保持|用)?\s*{_N}\s*(?:mbps|mb/s|m|兆)(?![a-z])",
        on_speed,
        True,
    ),
    (
        rf"{_FLOOR_PRE}?\s*{_N}\s*(?:分鐘|分钟|minutes?|mins?)(?![a-z])\s*(?:以上|起|or more|\+)?",
        on_numeric("voice_min", "通話 ≥ {:g} 分鐘"),
        True,
    ),
    # "網外 200 分": after a voice word, 分 is minutes
    (
        rf"(?:網外|网外|網內外|网内外|通話|通话|語音|语音)\s*(?:要|有)?\s*{_FLOOR_PRE}?\s*{_N}\s*分(?![之期])\s*(?:以上|起)?",
        on_numeric("voice_min", "通話 ≥ {:g} 分鐘"),
        True,
    ),
    (rf"{_N}\s*(?:歲|岁|years? old|-years?-old|yo(?![a-z]))", on_age, False),
    # the fee paid today, said to be too high: a ceiling below it
    (
        rf"(?:現在|目前|原本|本來|now|currently|i pay|i'?m paying|paying)\s*(?:的)?\s*(?:{FEE_WORD}|是|繳|付|用|方案)?\s*{CUR}{_N}{YUAN}{NOT_FEE}"
        r"(?=[^0-9]{0,30}?(?:太貴|太高|好貴|貴了|有點貴|想降|降月租|降一點|省一點|便宜一點|便宜些|too (?:much|expensive|high)|lower|cheaper|reduce|save))",
        on_below_current,
        True,
    ),
    (
        rf"{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}\s*(?:的)?\s*(?:方案|月租)?\s*(?=太貴|太高|好貴|有點貴|(?:is )?too (?:much|expensive|high))",
        on_below_current,
        True,
    ),
    (
        rf"(?:不要|不想|不能|不可以|別|别|不)\s*(?:到|超|破)\s*{_N}{YUAN}{NOT_FEE}",
        on_under_round,
        True,
    ),
    (rf"破\s*{_N}{YUAN}\s*(?:的)?\s*(?:不要|不行|太貴|就不要)", on_under_round, True),
    # "超過 1000 不要": over it is refused, so it is the ceiling (not a floor)
    (
        rf"(?:超過|超过|高於|高于|over|above|more than)\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}\s*(?:的)?\s*(?:就)?\s*(?:不要|不行|太貴|太贵|免談|免谈|不考慮|不考虑|is too much|no way)",
        fee_max,
        True,
    ),
    # "不要 1199 那麼貴", "not as expensive as 1399": below that fee
    (
        rf"(?:不要|不想|不用|沒有|没有|別|别)\s*(?:像|跟|到)?\s*{CUR}{_N}{YUAN}{NOT_FEE}\s*(?:的)?\s*(?:那麼|那么|這麼|这么)\s*(?:貴|贵|高)",
        on_below_current,
        True,
    ),
    (rf"not as (?:expensive|pricey|dear) as\s*{CUR}{_N}", on_below_current, True),
    # "從 799 降到 599": the fee left behind is a ceiling, the one named after it the target
    (
        rf"(?:從|从|from)\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}(?=\s*(?:的)?\s*(?:降|換|换|改|到|轉|转|down|to))",
        on_below_current,
        True,
    ),
    # "比 1399 便宜", "比現在的 999 低": cheaper than that fee
    (
        rf"比\s*(?:現在|目前|原本|現在的|目前的)?\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}\s*(?:還|还|更|再)?\s*(?:便宜|低|少|省)",
        on_below_current,
        True,
    ),
    # "4G 升級 5G", "from 4G to 5G", "still on 4G": the 5G plans (4G stays in the text: the
    # upgrade plans' sheets say 4G 轉 5G)
    (
        r"(?<![0-9a-z])4\s*g(?![a-z0-9])(?=[^0-9]{0,12}?(?:升級|升级|升到|升|轉|转|換成|换成|換到|换到|改成|改用|換|换|(?<![a-z])to|into|→|->)\s*(?:到|成)?\s*5\s*g(?![a-z0-9]))"
        r"|(?:still on|還在用|还在用|還在|还在)\s*4\s*g(?![a-z0-9])",
        on_upgrade_to_5g,
        False,
    ),
    (
        r"(?<![0-9a-z])5\s*g(?![a-z0-9])(?=[^0-9]{0,12}?(?:降回|降到|降級|降级|換回|换回|退回|改回|back to|down to)\s*(?:到|成)?\s*4\s*g(?![a-z0-9]))",
        fixed_reading("network", "4G", False, "4G（從 5G 換回）"),
        False,
    ),
    (
        r"(?:不要|不想|別|别)\s*(?:到)?\s*四位數|四位數\s*(?:的)?\s*(?:不要|不行|太貴)",
        fixed_reading("fee_max", 999, True, "月租 ≤ 999"),
        True,
    ),
    # 幾百塊, "a few hundred": some hundreds, so under a thousand (not 百 = 100)
    (
        r"(?:幾|几)\s*百\s*(?:塊錢|块钱|塊|块|元)?|(?:a )?few hundred(?: dollars| bucks| nt)?",
        fixed_reading("fee_max", 999, True, "月租 < 1000"),
        True,
    ),
    # 五百多, 一千出頭: a little over that round number
    (rf"{_N}\s*(?:多|出頭)(?!少){NOT_FEE}", on_a_little_over, True),
    (
        r"降月租|月租降|降低月租|月租省|省月租|想降價|降價|lower (?:my )?(?:monthly )?(?:bill|fee)|reduce (?:my )?(?:monthly )?(?:bill|fee)|cut (?:my )?bill",
        on_lower_fee,
        True,
    ),
    (
        r"只打電話|只講電話|主要打電話|主要講電話|通話為主|打電話為主|電話為主"
        r"|(?:only|just|mainly|mostly) (?:makes? |for |uses? (?:it |the phone )?for )?(?:phone )?calls",
        on_voice_first,
        False,
    ),
    # fees
    (
        rf"(?:介於|介于|between)\s*{CUR}(?P<a>{NUM}){YUAN}\s*(?:到|至|~|～|-|–|—|and|to|與|与|和|跟)\s*{CUR}(?P<b>{NUM}){YUAN}{NOT_FEE}(?:\s*(?:之間|之间))?",
        fee_range,
        True,
    ),
    (
        rf"{FEE_WORD}?\s*{CUR}(?P<a>{NUM}){YUAN}\s*(?:到|至|~|～|-|–|—|to)\s*{CUR}(?P<b>{NUM}){YUAN}{NOT_FEE}(?:\s*(?:之間|之间))?",
        fee_range,
        True,
    ),
    (
        rf"(?:大約|大约|大概|差不多|約|约|around|about|approx(?:imately|\.)?|roughly|~|≈)\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}",
        fee_around,
        True,
    ),
    (
        rf"{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}\s*(?:上下|左右|附近|前後|前后|-?ish)",
        fee_around,
        True,
    ),
    (
        rf"{_CEILING_PRE}\s*(?:是|為|为|:)?\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}",
        fee_max,
        True,
    ),
    (
        rf"{FEE_WORD}?\s*{CUR}{_N}{YUAN}(?:\s*(?:/|per|a)\s*(?:month|mo)(?![a-z]))?\s*(?:以下|以內|以内|之內|之内|內|内|有找|or less|or under|and under|and below|or cheaper|max|tops|at most)",
        fee_max,
        True,
    ),
    (rf"{_FLOOR_PRE}\s*{FEE_WORD}?\s*{CUR}{_N}{YUAN}{NOT_FEE}", fee_min, True),
    (
        rf"{FEE_WORD}?\s*{CUR}{_N}{YUAN}\s*(?:以上|起跳|or more|and up|up(?![a-z])|\+)",
        fee_min,
        True,
    ),
    # data amounts
    (rf"{_FLOOR_PRE}\s*(?:要|需要|要有|有|need)?\s*{_N}{_GB}", on_data_min(True), True),
    (rf"{_N}{_GB}\s*(?:以上|起跳|起|or more|and up|up(?![a-z])|\+|plus)", on_data_min(True), True),
    (rf"{_N}{_GB}\s*(?:以下|以內|以内|就夠|就够|夠用|够用|就好|而已|or less)", on_data_light, True),
    # a ceiling on usage: 頂多 2G, 最多用 3G, at most 5 gigs
    (
        rf"(?:頂多|顶多|最多|至多|at most|no more than)\s*(?:用|用到)?\s*{_N}{_GB}",
        on_data_at_most,
        True,
    ),
    # next to a data word even 2-6 G is an amount (流量 5G 就夠), not the network
    (
        rf"(?:流量|上網量|網路量|數據|用量)\s*(?:大概|大約|約|只要|只有|才|就|頂多|最多)?\s*(?:{NUM}\s*[、到~-]\s*)?{_N}{_GB}(?P<light>\s*(?:就夠|就好|夠用|以下|以內|而已|or less))?",
        on_data_said,
        True,
    ),
    (
        rf"{_N}{_GB}\s*(?:的)?\s*(?:流量|上網量)(?P<light>\s*(?:就夠|就好|夠用|以下|以內|or less))?",
        on_data_said,
        True,
    ),
    # "30GB 左右", "大概 30G", "around 30 gigs": an allowance near that amount (not unlimited)
    (
        rf"(?:大約|大约|大概|差不多|約|约|around|about|roughly)\s*{_N}{_GB}(?!\s*(?:以上|以下|以內|以内|就夠|就够|or more|or less|up|\+))",
        on_data_around,
        True,
    ),
    (rf"(?:用)?\s*{_N}{_GB}\s*(?:左右|上下|附近|前後|前后|-?ish)", on_data_around, True),
    # usage said to be small: "only use like 2 gigs", "只用 3GB", "2GB is enough"
    (
        rf"(?:(?<![a-z])(?:only|just|barely)\s+(?:use|uses|using|need|needs)|只用|只會用|只会用|只需要|才用|頂多用|顶多用)"
        rf"\s*(?:like|about|around|maybe|roughly|大概|大約|約)?\s*{_N}{_GB}",
        on_data_light,
        True,
    ),
    (rf"{_N}{_GB}\s*(?:is|are|would be|will be)?\s*(?:enough|plenty)", on_data_light, True),
    (
        rf"(?:大概|大約|大约|差不多)?\s*(?:用|用到|用了|使用|需要|uses?|using|need)\s*(?:大概|大約|大约|約|约|about|around)?\s*{_N}{_GB}",
        on_data_need,
        True,
    ),
    (rf"{_N}(?:\s*多)?{_GB}", on_data_min(False), True),  # 一百多G: about that allowance
    # contract length
    (rf"{_CEILING_PRE}\s*{_NY}\s*(?P<u>{MONTHS}|{YEARS})", on_contract_max, True),
    (
        rf"{_NY}\s*(?P<u>{MONTHS}|{YEARS})\s*(?:以內|以内|以下|之內|之内|內|内|or less|or shorter)",
        on_contract_max,
        True,
    ),
    (
        rf"(?:不要|不想|不用|不能|不願意|不愿意|別|别)\s*(?:再)?\s*(?:綁|绑|簽|签)?\s*(?:到|滿|满)?\s*{_NY}\s*(?P<u>{MONTHS}|{YEARS})(?:\s*(?:的)?\s*{CONTRACT_WORD})?",
        on_contract_shorter,
        True,
    ),
    (
        rf"(?:(?<![a-z])no|not an?|not|don'?t want an?|don'?t want)\s+{_NY}[- ]?(?P<u>{MONTHS}|{YEARS})(?:\s*{CONTRACT_WORD})?",
        on_contract_shorter,
        True,
    ),
    (rf"{CONTRACT_WORD}\s*{_NY}\s*(?P<u>{MONTHS}|{YEARS})", on_contract, True),
    # "合約 30 期": periods of a contract are months (a bare 24期 may be installments)
    (rf"{CONTRACT_WORD}\s*{_NY}\s*(?P<u>期)", on_contract, True),
    (rf"{_NY}\s*(?P<u>{MONTHS}|{YEARS})\s*(?:的)?\s*{CONTRACT_WORD}", on_contract, True),
    (rf"{_NY}[- ](?P<u>{MONTHS}|{YEARS})[- ](?:plan|deal)", on_contract, True),
    (rf"{_NY}\s*(?P<u>{MONTHS})", on_bare_months, True),
    # fee with a fee word or a currency but no comparator: soft, near that fee
    (rf"{FEE_WORD}\s*{CUR}{_N}{YUAN}{NOT_FEE}", fee_is, True),
    (rf"{CUR}{_N}\s*(?:元|塊|块|dollars|ntd)", fee_is, True),
    (r"(?:nt\$|\$)\s*" + _N, fee_is, True),
    # a bare number in the fee range ("四百九十九的方案", "the 599 one"): sheets name plans by fee
    (rf"(?<![a-z0-9.$]){_N}{NOT_FEE}(?![a-z0-9.])", fee_bare, True),
    # no sheet says 最便宜: left in the BM25 text, its 最 matched the penalty clause's 最高
    (CHEAPEST, on_cheapest, True),
    *[(p, fixed_reading(k, v, h, lab), s) for p, k, v, h, lab, s in PHRASES["late"]],
    # "不要 5G", "not 5G": the other generation (only 4G and 5G are sold)
    (rf"(?:{NETWORK_NEG})\s*(?P<g>[45])\s*g(?![a-z0-9])", on_network_not, True),
    (r"(?<![0-9a-z])([45])\s*g(?![a-z0-9])", on_network, False),
]
for _perk, _aliases in PERK_ALIASES.items():
    RULES.append(
        (
            any_of(_aliases),
            fixed_reading("perk", _perk, _perk in HARD_PERKS, PERK_LABELS[_perk]),
            _perk in HARD_PERKS,
        )
    )
RULES.append(
    (
        any_of(OTHER_STREAMING["video"]),
        fixed_reading("streaming", "video", False, "影音串流（方案未附此平台）"),
        False,
    )
)
RULES.append(
    (
        any_of(OTHER_STREAMING["music"]),
        fixed_reading("streaming", "music", False, "音樂串流（方案未附此平台）"),
        False,
    )
)
for _name, _aliases in BRAND_ALIASES.items():
    RULES.append((any_of(_aliases), on_brand(_name), False))
# "不要學生方案", "not for students": plans for that audience last, and its word not scored
for _audience, (_words, _label) in AUDIENCE_WORDS.items():
    RULES.append(
        (
            rf"(?:{AUDIENCE_NEG})\s*(?:{any_of(_words)})(?:s(?![a-z]))?",
            fixed_reading("audience_not", _audience, False, _label.replace("對象", "排除")),
            True,
        )
    )
for _audience, (_words, _label) in AUDIENCE_WORDS.items():
    # "一般人" is in no sheet: it leaves the BM25 text; the other audiences are sheet words
    _strip = _audience == "general"
    RULES.append((any_of(_words), fixed_reading("audience", _audience, False, _label), _strip))

# Rules and queries are both folded to Traditional: a rule written once matches either script.
_COMPILED = [(re.compile(to_traditional(p)), h, s) for p, h, s in RULES]


@lru_cache(maxsize=2048)
def parse_query(query: str) -> ParsedQuery:
    """Find every constraint in `query`; overlapping matches go to the earlier rule.

    Cached (the result is frozen and depends only on the text): one staff search parses its
    text for the filters and again for `understood_constraints`, on the server's event loop;
    ~0.4 ms p50 but 2-5 ms p95 on a busy box, now a dictionary hit.
    """
    text = to_traditional(spell(THOUSANDS.sub("", normalize(" ".join(query.split())))))
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
    parts: tuple[str, ...] = ()
    if mark >= 0:  # inferred from the customer's context: a preference, not a filter
        found = [(at, replace(c, hard=False) if at > mark and c.hard else c) for at, c in found]
        text = text.replace(CONTEXT_MARK, " " * len(CONTEXT_MARK))  # keeps the spans aligned
        said, added = " ".join(text[:mark].split()), " ".join(text[mark:].split())
        parts = (said, added) if said and added else ()
    residual = text
    for start, end in sorted(stripped, reverse=True):
        residual = residual[:start] + " " + residual[end:]
    residual = FILLER_RE.sub(" ", residual)
    unique: dict[tuple[str, object], Constraint] = {}
    for _, c in sorted(found, key=lambda item: item[0]):
        seen = unique.get((c.kind, c.value))
        if seen is None or (c.hard and not seen.hard):  # "iPhone ... 搭機": the filter wins
            unique[(c.kind, c.value)] = c
    phone_means_voice(unique)
    generic = unique.get(("streaming", "video"))
    if ("streaming", "music") in unique and generic and generic.text in ("串流", "streaming"):
        del unique[("streaming", "video")]  # "music streaming" said in two places
    return ParsedQuery(
        " ".join(text.split()), " ".join(residual.split()), tuple(unique.values()), parts
    )
