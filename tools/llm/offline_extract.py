"""Typed argument extractors for the offline model: pure functions of (text, context).

Why here and not in the router: which tool to call and what to pass it are separate questions;
these functions answer the second one the same way whatever chose the tool, and each is tested
from a table. Plans are read from the workflow context (the plans on screen, in display order:
"方案 A" / "plan C" / "第二個" / "the second plan" / "最便宜的" / "目前方案"); devices are in
`offline_devices.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

_PHONE = re.compile(r"(?<!\d)(09\d{2})[- ]?(\d{3})[- ]?(\d{3})(?!\d)")
_STORE = re.compile(r"(?i)(?<![A-Za-z0-9])(S\d{3})(?!\d)")
_PLAN_ID = re.compile(r"(?i)(?<![A-Za-z0-9])(P\d{2,4}|PLAN[_-][A-Z0-9]+)(?![A-Za-z0-9])")
_PROMO_ID = re.compile(r"(?i)(?<![A-Za-z0-9])(P\d{2,4}|PROMO[_-]?[A-Z0-9]+)(?![A-Za-z0-9])")
_CN_DIGITS = {"一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}  # fmt: skip


def number_word(token: str) -> int | None:
    """ "6" / "六" / "十二" / "二十四" → int."""
    if token.isdigit():
        return int(token)
    if token and all(c in _CN_DIGITS for c in token):
        if "十" not in token:
            return _CN_DIGITS[token[0]] if len(token) == 1 else None
        tens, _, ones = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0))
    return None


def phone_number(text: str, context: Mapping[str, Any]) -> str | None:
    """A 09xxxxxxxx number named in the text, else the line being renewed."""
    if m := _PHONE.search(text):
        return "".join(m.groups())
    value = context.get("phone_number")
    return str(value) if value else None


def store_id(text: str, context: Mapping[str, Any]) -> str | None:
    if m := _STORE.search(text):
        return m.group(1).upper()
    value = context.get("store_id")
    return str(value) if value else None


_NUM = r"(\d{1,2}|[一二兩两三四五六七八九十]{1,3})"
_MONTHS_LEFT = (
    re.compile(rf"(?:剩|還有|还有|剩下|尚有|只剩)\s*{_NUM}\s*(?:個|个)?\s*月"),
    re.compile(r"(?i)(\d{1,2})\s*months?\s*(?:left|remaining|to go)"),
    re.compile(r"(?i)(?:remaining|left)\D{0,20}?(\d{1,2})\s*months?"),
)
_PERIOD = (
    re.compile(r"(?<!\d)(24|30|36)\s*(?:期|個月|个月|月|-?\s*months?|m\b)", re.I),
    re.compile(r"(?<![一二三四五六七八九十])(二十四|三十六|三十)\s*(?:期|個月|个月)"),
    re.compile(r"(?:綁|绑|簽|签|約|约)\s*(兩|两|二|三|2|3)\s*年"),
    re.compile(r"(兩|两|二|三|2|3)\s*年\s*(?:的)?\s*(?:約|约|合約|合约)"),
    re.compile(r"(?i)(two|three|2|3)[- ]years?"),
)
_YEARS = {"兩": 24, "两": 24, "二": 24, "2": 24, "two": 24, "三": 36, "3": 36, "three": 36,
          "二十四": 24, "三十": 30, "三十六": 36}  # fmt: skip


def months_left(text: str) -> int | None:
    """ "剩 6 個月" / "6 months left" → 6 (months left on the contract, as said)."""
    for pattern in _MONTHS_LEFT:
        if m := pattern.search(text):
            return number_word(m.group(1))
    return None


def months_until(end: str | date | None, today: date) -> int | None:
    """Whole months from today to a contract end date (0 when it has passed)."""
    if end is None:
        return None
    try:
        end_date = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
    except ValueError:
        return None
    months = (end_date.year - today.year) * 12 + end_date.month - today.month
    if end_date.day < today.day:
        months -= 1
    return max(0, months)


def contract_period(text: str) -> int | None:
    """24 / 30 / 36 from "30期", "三十六個月", "綁兩年", "兩年約", "3-year"; None when not said."""
    for pattern in _PERIOD:
        if m := pattern.search(text):
            token = m.group(1).lower()
            return int(token) if token in ("24", "30", "36") else _YEARS.get(token)
    return None


# --- plans ------------------------------------------------------------------------------------

_INDEX = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4, "一": 0, "二": 1, "三": 2, "四": 3, "五": 4,
          "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "first": 0, "second": 1, "third": 2,
          "fourth": 3, "fifth": 4, "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}  # fmt: skip
_PLAN_WORD = r"(?:方案|套餐|資費|资费|選項|选项)"
_LETTER_REFS = (
    re.compile(rf"{_PLAN_WORD}\s*([A-Ea-e一二三四五1-5])(?![A-Za-z0-9])"),
    re.compile(rf"(?<![A-Za-z0-9])([A-Ea-e])\s*{_PLAN_WORD}"),
    re.compile(r"第\s*([一二三四五1-5])\s*(?:個|个|款|項|项|種|种|組|组|案|套|名)?"),
    re.compile(r"(?i)(?<![a-z0-9])(?:plans?|options?|offers?)\s+([a-e1-5])(?![a-z0-9])"),
    re.compile(
        r"(?i)(?<![a-z])(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+"
        r"(?:plan|one|option|offer|candidate)"
    ),
)
_LETTER_PAIR = re.compile(  # "A 和 C", "B vs D": two bare letters joined are plans on screen
    r"(?<![A-Za-z0-9])([A-E])\s*(?:和|跟|與|与|及|還是|还是|、|,|/|&|and|or|vs\.?)\s*([A-E])(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])([a-e])\s*(?:vs\.?|跟|和|與|与|還是|还是|/)\s*([a-e])(?![A-Za-z0-9])"
)  # lower-case letters only where no English article fits: "a vs c", "b跟c"
# "換成B", "改C", "那B呢": a capital letter right after a switch verb, or asked about alone
_VERB_LETTER = re.compile(
    r"(?:換成|换成|換到|换到|轉到|转到|改成|改到|改辦|改办|升到|降到|升級到|升级到|換|换|轉|转|改|"
    r"選|选|辦|办|那)\s*([A-E])(?![A-Za-z0-9])"
    r"|(?i:switch\w*|mov\w*|upgrad\w*|downgrad\w*|go\w*|chang\w*|put|upg|cost|fee)\s+"
    r"(?:(?i:him|her|them)\s+)?"
    r"(?i:to|onto|on)\s+([A-E])(?![A-Za-z0-9])"
)
_BARE_LETTER = re.compile(r"(?<![A-Za-z0-9&])([A-E])(?![A-Za-z0-9])")  # not the C of "T&C"
_CURRENT = ("目前方案", "目前的方案", "現在的方案", "現行方案", "原方案", "原本的方案", "舊方案",
            "現在方案", "目前套餐", "现在的套餐", "当前套餐", "目前的套餐", "现在的方案",
            "当前方案", "原来的套餐", "current plan", "curr plan", "existing plan", "old plan",
            "plan they're on", "plan he's on", "plan she's on", "plan they are on")  # fmt: skip
_SELECTED = ("選的方案", "已選方案", "選定的方案", "选的方案", "selected plan", "chosen plan")
_CHEAPEST = ("最便宜", "最低", "月租最少", "cheapest", "lowest", "least expensive")
_PRICIEST = ("最貴", "最贵", "最高", "most expensive", "priciest", "highest")
_LAST = ("最後一個", "最后一个", "最後那個", "last plan", "last one", "last option")
_FEE_IN_NAME = re.compile(r"(?<![\dA-Za-z])(\d{3,4})(?![\dA-Za-z])")


def candidate_plans(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(plan_id, name) of the plans on screen, in display order."""
    result: list[tuple[str, str]] = []
    for item in context.get("candidate_plans") or []:
        if isinstance(item, str):
            result.append((item, item))
        elif isinstance(item, Mapping) and item.get("plan_id"):
            result.append((str(item["plan_id"]), str(item.get("name") or item["plan_id"])))
    return result


def _fee(item: Any) -> int | None:
    """A candidate's monthly fee: its own field, else the largest 3-4 digit number in its name
    ("5G 輕量續約 699" → 699), since step 8 shows names only."""
    if isinstance(item, Mapping):
        if isinstance(item.get("monthly_fee"), int):
            return int(item["monthly_fee"])
        name = str(item.get("name") or "")
    else:
        name = str(item)
    fees = [int(n) for n in _FEE_IN_NAME.findall(name) if 100 <= int(n) <= 9999]
    return max(fees) if fees else None


def _by_fee(context: Mapping[str, Any], *, cheapest: bool) -> str | None:
    priced = [
        (fee, i, str(item["plan_id"]))
        for i, item in enumerate(context.get("candidate_plans") or [])
        if isinstance(item, Mapping) and item.get("plan_id") and (fee := _fee(item)) is not None
    ]
    if not priced:
        return None
    return (min(priced) if cheapest else max(priced, key=lambda p: (p[0], -p[1])))[2]


def _find_all(text: str, words: tuple[str, ...]) -> list[int]:
    return [text.index(word) for word in words if word in text]


def resolve_plans(text: str, context: Mapping[str, Any]) -> list[str]:
    """Plan ids the question names, in the order it names them."""
    found: list[tuple[int, str]] = []
    candidates = candidate_plans(context)
    known = {pid for pid, _ in candidates}
    for key in ("current_plan_id", "selected_plan_id"):
        if context.get(key):
            known.add(str(context[key]))
    upper = text.upper()
    for pid in known:
        found.extend((m.start(), pid) for m in re.finditer(re.escape(pid.upper()), upper))
    found.extend((m.start(), m.group(1).upper()) for m in _PLAN_ID.finditer(text))
    for pid, name in sorted(candidates, key=lambda c: -len(c[1])):
        if name != pid and name in text:
            found.append((text.index(name), pid))
    letter_hit = False
    for pattern in _LETTER_REFS:
        for m in pattern.finditer(text):
            index = _INDEX.get(m.group(1).lower())
            if index is not None and index < len(candidates):
                found.append((m.start(), candidates[index][0]))
                letter_hit = True
    for m in _LETTER_PAIR.finditer(text):
        for group in (1, 2, 3, 4):
            if m.group(group) and (pos := _INDEX[m.group(group).lower()]) < len(candidates):
                found.append((m.start(group), candidates[pos][0]))
    for m in _VERB_LETTER.finditer(text):
        group = 1 if m.group(1) else 2
        index = _INDEX[m.group(group).lower()]
        if index < len(candidates):
            found.append((m.start(group), candidates[index][0]))
    if letter_hit:  # "方案 A 跟 B": the bare B counts once a lettered plan was named
        for m in _BARE_LETTER.finditer(text):
            index = _INDEX[m.group(1).lower()]
            if index < len(candidates):
                found.append((m.start(), candidates[index][0]))
    low = text.lower()
    for words, key in ((_CURRENT, "current_plan_id"), (_SELECTED, "selected_plan_id")):
        if context.get(key):
            found.extend((at, str(context[key])) for at in _find_all(low, words))
    for words, cheapest in ((_CHEAPEST, True), (_PRICIEST, False)):
        if (at := _find_all(low, words)) and (chosen := _by_fee(context, cheapest=cheapest)):
            found.append((at[0], chosen))
    if candidates and (last := _find_all(low, _LAST)):
        found.append((last[0], candidates[-1][0]))
    ordered = [pid for _, pid in sorted(found, key=lambda f: f[0])]
    return list(dict.fromkeys(ordered))


def promotion_ids(text: str, context: Mapping[str, Any]) -> list[str]:
    """Promotion ids: plans named like plans ("方案 B", "P036"), plus promotion codes."""
    ids = resolve_plans(text, context)
    ids += [m.group(1).upper() for m in _PROMO_ID.finditer(text) if m.group(1).upper() not in ids]
    return ids
