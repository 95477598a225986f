"""Parser handlers for monthly fees: ceilings, floors, ranges, "around" and a fee stated as is.

A number is a fee only when plausible (NT$100-20,000, or marked by 元 / $): a small bare number
is a model number or a count. Strict words (under, 不到, 低於) make the bound exclusive.
"""

from __future__ import annotations

import re

from .constraints import Constraint, Kind
from .numbers import parse_number

FEE_RANGE = (100.0, 20000.0)


def num(match: re.Match[str], group: int | str = 1) -> float | None:
    raw = match.group(group)
    return None if raw is None else parse_number(raw)


def plausible_fee(value: float | None, *, marked: bool = False) -> bool:
    """A plausible monthly fee (a small bare number is a model number or a count)."""
    return value is not None and (FEE_RANGE[0] <= value <= FEE_RANGE[1] or (marked and value > 0))


def make(
    kind: Kind, value: float | bool | str | tuple[int, ...], hard: bool, text: str, label: str
) -> Constraint:
    return Constraint(kind, value, hard, text, label)


_STRICT = (
    "不到", "未滿", "未满", "低於", "低于", "少於", "少于", "小於", "小于",
    "under", "below", "less than", "cheaper than", "sub-", "<",
)  # fmt: skip


def fee_max(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value, marked="$" in m.group(0) or "元" in m.group(0)):
        return []
    assert value is not None
    strict = any(word in m.group(0) for word in _STRICT) and "<=" not in m.group(0)
    ceiling = int(value) - 1 if strict else int(value)
    return [make("fee_max", ceiling, True, m.group(0), f"月租 ≤ {ceiling}")]


def fee_min(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value, marked="$" in m.group(0) or "元" in m.group(0)):
        return []
    assert value is not None
    strict = any(
        w in m.group(0) for w in ("高於", "高于", "超過", "超过", "over", "above", "more than", ">")
    )
    floor = int(value) + 1 if strict and ">=" not in m.group(0) else int(value)
    return [make("fee_min", floor, True, m.group(0), f"月租 ≥ {floor}")]


def fee_range(m: re.Match[str]) -> list[Constraint]:
    low, high = num(m, "a"), num(m, "b")
    if not (plausible_fee(low) and plausible_fee(high)):
        return []
    assert low is not None and high is not None
    low, high = sorted((low, high))
    return [
        make("fee_min", int(low), True, m.group(0), f"月租 ≥ {int(low)}"),
        make("fee_max", int(high), True, m.group(0), f"月租 ≤ {int(high)}"),
    ]


def fee_around(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value, marked="元" in m.group(0) or "$" in m.group(0)):
        return []
    assert value is not None
    return [make("fee_around", int(value), False, m.group(0), f"月租約 {int(value)}")]


def fee_bare(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value) or value is None or value != int(value) or 1900 <= value <= 2100:
        return []  # a year, a fraction or a count is not a price
    return [make("fee_is", int(value), False, m.group(0), f"月租 {int(value)}")]


def fee_is(m: re.Match[str]) -> list[Constraint]:
    value = num(m, "n")
    if not plausible_fee(value, marked="元" in m.group(0) or "$" in m.group(0)):
        return []
    assert value is not None
    return [make("fee_is", int(value), False, m.group(0), f"月租 {int(value)}")]
