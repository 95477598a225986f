"""Constraints people type into a promotion search, parsed into typed hard filters and boosts.

"5G 吃到飽 1000 以下、不綁約、有送 Netflix" says four checkable things that BM25 and a sentence
vector cannot enforce (a 1399 plan is lexically as close to "1000" as a 999 one). `parser.py`
finds them (zh-TW, zh-CN, English), returns the residual text for lexical scoring, and
`ParsedQuery.filters()` turns the hard ones into `SearchFilters`; the soft ones are scored by
`Constraint.satisfaction`. Which are hard: an explicit ceiling/floor/range on the fee, "at
least N GB", unlimited or unthrottled data, unlimited voice, a contract length or none, a
phone wanted or not, a named perk the catalogue carries. Soft: "around 800", "cheap", an
audience (a student may still take a general plan), the network generation, a bare "30GB", a
streaming service the catalogue does not carry (it boosts plans that carry one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from .facets import MUSIC_STREAMING, VIDEO_STREAMING
from .models import SearchFilters
from .rules import NO_VOICE

Kind = Literal[
    "fee_max",
    "fee_min",
    "fee_around",
    "fee_is",
    "fee_over",
    "fee_band",
    "cheap",
    "data_min",
    "data_light",
    "data_around",
    "data_need",
    "data_between",
    "unlimited",
    "capped",
    "throttled",
    "pay_per_use",
    "speed_min",
    "speed_at",
    "voice_unlimited",
    "voice_min",
    "voice_needed",
    "voice_finite",
    "voice_more",
    "video_ok",
    "contract",
    "contract_max",
    "device",
    "discount_min",
    "gift",
    "perk",
    "perk_any",
    "streaming",
    "audience",
    "audience_not",
    "network",
    "brand",
    "data_only",
    "open_to_all",
    "phone_line",
]


class Columns(Protocol):
    """One plan's facets or all plans' columns: scalars or numpy arrays, same names."""

    @property
    def fee(self) -> Any: ...
    @property
    def data(self) -> Any: ...
    @property
    def throttled(self) -> Any: ...
    @property
    def speed_after(self) -> Any: ...
    @property
    def voice_minutes(self) -> Any: ...
    @property
    def contract_months(self) -> Any: ...
    @property
    def with_device(self) -> Any: ...
    @property
    def device_discount(self) -> Any: ...
    @property
    def has_gift(self) -> Any: ...
    @property
    def plan_type(self) -> Any: ...

    def tag(self, name: str) -> Any: ...


def _f(values: object) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _any(cols: Columns, names: Iterable[str], prefix: str) -> object:
    found = [np.asarray(cols.tag(f"{prefix}:{n}"), dtype=bool) for n in sorted(names)]
    return np.logical_or.reduce(found)


def light_cap(amount: float) -> float:
    """ "10G 就夠": plans from 10 GB up to about twice that (a 100 GB plan is not light)."""
    return max(2 * amount, amount + 5)


# RRF gives ~0.016 per side at rank 1. One fully met soft constraint (something the query said:
# 學生, 500 左右, 60G) is worth a little more than one side's top rank, so a plan that meets it
# beats one that merely shares words with the query; text relevance still orders plans that
# meet the same constraints. Dev (169): 0.005/0.01/0.015/0.02/0.03 -> R@5 0.954/0.965/0.967/
# 0.970/0.968, MRR 0.978/0.974/0.977/0.978/0.977: flat from 0.015 to 0.03.
SOFT_WEIGHT = 0.02


@dataclass(frozen=True)
class Constraint:
    """One understood constraint: what it asks, whether it filters, and the words that said it."""

    kind: Kind
    value: float | bool | str | tuple[int, ...] | tuple[str, ...]
    hard: bool
    text: str
    label: str

    def satisfaction(self, cols: Columns, floor_fee: float | None = None) -> np.ndarray:
        """How well plans meet it, 0..1: one plan (`PlanFacets`) or all (the local `State`).

        Written once in numpy so both backends score alike. `floor_fee` is the lowest fee among
        the candidates being ranked (both backends pass it): "最便宜" is relative to it.
        """
        v = self.value
        n = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0
        kind = self.kind
        if kind in ("fee_max", "fee_min", "fee_around", "fee_is", "fee_over", "fee_band", "cheap"):
            fee = np.asarray(cols.fee, dtype=float)
            if kind == "fee_band" and isinstance(v, tuple):  # "四五百": (399, 500); 5xx half
                low, high = float(v[0]), float(v[1])
                return np.where(
                    (fee >= low) & (fee <= high), 1.0, (fee > high) * (fee < high + 100) * 0.5
                )
            if kind == "fee_over" and isinstance(v, tuple):  # "一千出頭": (low, high)
                return _f((fee >= float(v[0])) & (fee <= float(v[1])))
            if kind == "fee_max":
                return _f(fee <= n)
            if kind == "fee_min":
                return _f(fee >= n)
            if kind == "fee_around":  # "800 上下": the catalogue's step either side (±100,
                # or a tenth of a dearer fee) half met, nearer better, 0 by twice that (round 8)
                step = max(100.0, 0.1 * n) + 1.0
                return np.clip(1.0 - 0.5 * np.abs(fee - n) / step, 0.0, 1.0)
            if kind == "fee_is":  # "月租 799", "四百九十九的": that fee, neighbours a little
                return np.clip(1.0 - np.abs(fee - n) / (0.3 * n), 0.0, 1.0)
            if v == "most" and floor_fee is not None:
                # "最便宜": the cheapest candidate meets it; each NT$100 more costs a quarter
                return np.clip(1.0 - (fee - floor_fee) / 400.0, 0.0, 1.0)
            if v == "most":  # no candidates known: every NT$100 more costs a tenth, 0 at 1299
                return np.clip((1299.0 - fee) / 1000.0, 0.0, 1.0)
            if floor_fee is not None:  # "便宜": each NT$100 above the cheapest costs an eighth
                return np.clip(1.0 - (fee - floor_fee) / 800.0, 0.0, 1.0)
            return np.clip(399.0 / np.maximum(fee, 1.0), 0.0, 1.0)
        data = np.asarray(cols.data, dtype=float)
        speed = np.asarray(cols.speed_after, dtype=float)
        table: dict[str, Callable[[], object]] = {
            # a bare amount ("60G 的方案") names an allowance: unlimited meets it, half as well
            "data_min": lambda: (
                (data >= n) if self.hard else np.where(np.isinf(data), 0.5, data >= n)
            ),
            # "10G 就夠": the smallest allowance covering it best, half as well at the cap
            "data_light": lambda: np.where(
                (data >= n) & (data <= light_cap(n)),
                1.0 - 0.5 * (data - n) / (light_cap(n) - n),
                0.0,
            ),
            # "30GB 左右": near that allowance, fully within 15 %, fading out by 50 %; unlimited
            # carries it, half as well (as data_min)
            "data_around": lambda: np.where(
                np.isinf(data), 0.5, np.clip((0.5 * n - np.abs(data - n)) / (0.35 * n), 0.0, 1.0)
            ),
            # "40到60G": inside the range; within a quarter outside it, half (round 8)
            "data_between": lambda: _between(data, v),
            "data_need": lambda: data >= n,  # usage: any plan that carries it, unlimited too
            "unlimited": lambda: np.isinf(data),
            "capped": lambda: ~np.isinf(data),
            "throttled": lambda: cols.throttled,
            "pay_per_use": lambda: ~np.isinf(data) & (speed == 0),
            "speed_min": lambda: speed >= n,
            "speed_at": lambda: (speed >= n) & (speed <= 1.5 * n),
            "voice_unlimited": lambda: np.isinf(np.asarray(cols.voice_minutes, dtype=float)),
            "voice_min": lambda: np.asarray(cols.voice_minutes, dtype=float) >= n,
            "voice_needed": lambda: np.asarray(cols.voice_minutes, dtype=float) > 0,
            # "講電話很多": more minutes better, unlimited best (n minutes count fully)
            "voice_more": lambda: np.clip(
                np.asarray(cols.voice_minutes, dtype=float) / n, 0.0, 1.0
            ),
            "voice_finite": lambda: (
                np.isfinite(np.asarray(cols.voice_minutes, dtype=float))
                & (np.asarray(cols.voice_minutes, dtype=float) > 0)
            ),
            # "看影片夠用": uncapped, or 20 GB that still plays video after the cap
            "video_ok": lambda: (
                np.isinf(data) | ((data >= VIDEO_DATA_GB) & (speed >= VIDEO_SPEED_MBPS))
            ),
            "contract": lambda: np.isin(cols.contract_months, list(v)),  # type: ignore[arg-type]
            "contract_max": lambda: np.asarray(cols.contract_months) <= n,
            "device": lambda: np.asarray(cols.with_device) == bool(v),
            "discount_min": lambda: np.asarray(cols.device_discount) >= n,
            "gift": lambda: cols.has_gift,
            "perk": lambda: cols.tag(f"perk:{v}"),
            "perk_any": lambda: _any(cols, v, "perk"),  # type: ignore[arg-type]
            "streaming": lambda: _any(
                cols, MUSIC_STREAMING if v == "music" else VIDEO_STREAMING, "perk"
            ),
            "audience": lambda: cols.tag(f"audience:{v}"),
            "audience_not": lambda: ~np.asarray(cols.tag(f"audience:{v}"), dtype=bool),
            "network": lambda: cols.tag(f"network:{v}"),
            "brand": lambda: cols.tag(f"brand:{v}"),
            "data_only": lambda: np.asarray(cols.plan_type == "data_only"),
            "open_to_all": lambda: n * np.asarray(cols.tag("audience:general"), dtype=float),
            "phone_line": lambda: n * (np.asarray(cols.voice_minutes, dtype=float) > 0),
        }
        return _f(table[kind]())

    def describe(self) -> str:
        return f"{self.label} ←「{self.text.strip()}」({'filter' if self.hard else 'boost'})"


# "Enough for video" (usage.py): an allowance that carries a month of video on a phone, and
# after the cap a speed that still plays it at phone resolution.
VIDEO_DATA_GB = 20
VIDEO_SPEED_MBPS = 3

# The identities a plan may require (proof needed: 學生證, 65 歲本人, 服務證明, 統編).
IDENTITY_AUDIENCES = frozenset({"student", "senior", "military_civil", "company"})
# A query naming none is asked for someone holding none (seed §3.3.1 steps 5-6 show only plans
# the customer qualifies for; docs/search.md "Labelling conventions" 1a): plans anyone can take
# first. Weighed as a fraction of a typed soft constraint: it was not said, it is the default.
OPEN_TO_ALL_WEIGHT = 0.75
OPEN_TO_ALL = Constraint(
    "open_to_all", OPEN_TO_ALL_WEIGHT, False, "", "對象：不限身分（未指定身分時優先）"
)

# Lines without voice are asked for by what they serve (平板, 手錶, 分享器, 上網卡, data-only): a
# query naming none asks for a phone line (round 8; weighed below a typed wish, as above).
PHONE_LINE_WEIGHT = OPEN_TO_ALL_WEIGHT
PHONE_LINE = Constraint("phone_line", PHONE_LINE_WEIGHT, False, "", "手機門號（未指定裝置時優先）")
NOT_A_PHONE = frozenset(
    {("audience", "tablet"), ("audience", "wearable"), ("brand", "ipad"), ("brand", "watch"),
     ("data_only", True)}
)  # fmt: skip

# Words that name a line's use without a phone (a data SIM, a router, a POS, a second device,
# home internet replaced): no phone-line default then, though no filter reads them.
NO_VOICE_WORDS = re.compile(NO_VOICE)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalised query
    residual: str  # the query minus the words that only stated constraints
    constraints: tuple[Constraint, ...] = field(default=())
    # With a CONTEXT_MARK: (what was typed, what the context added), both normalised and
    # joined by one space they make `text`; the dense side embeds them apart (dense_query.py).
    parts: tuple[str, ...] = field(default=())

    @property
    def hard(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.hard)

    @property
    def soft(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if not c.hard)

    @property
    def defaults(self) -> tuple[Constraint, ...]:
        """Boosts nobody typed: with no identity named, plans anyone can take; with no use
        without a phone named, lines with voice (never a filter, never listed as unmet, not in
        `labels()`: staff see only what the words said)."""
        named = any(
            c.kind == "audience" and c.value in IDENTITY_AUDIENCES for c in self.constraints
        )
        no_voice = any((c.kind, c.value) in NOT_A_PHONE for c in self.constraints) or bool(
            NO_VOICE_WORDS.search(self.text)
        )
        return (() if named else (OPEN_TO_ALL,)) + (() if no_voice else (PHONE_LINE,))

    def counts_for_floor(self, cols: Columns) -> np.ndarray:
        """Which plans "最便宜"'s floor counts from: those anyone can take when no identity is
        named (the phone-line default does not narrow it), every plan otherwise."""
        sat = np.asarray(OPEN_TO_ALL.satisfaction(cols))
        return sat > 0 if OPEN_TO_ALL in self.defaults else np.ones_like(sat, dtype=bool)

    def filters(self) -> SearchFilters:
        """The hard constraints as `SearchFilters` (tightest value wins on repeats)."""
        values: dict[str, object] = {}
        perks: list[str] = []
        for c in self.hard:
            v = c.value
            if c.kind == "fee_max":
                values["max_monthly_fee"] = min(int(v), int(values.get("max_monthly_fee", v)))  # type: ignore[arg-type,call-overload]
            elif c.kind == "fee_min":
                values["min_monthly_fee"] = max(int(v), int(values.get("min_monthly_fee", v)))  # type: ignore[arg-type,call-overload]
            elif c.kind == "data_min":
                values["min_data_gb"] = max(float(v), float(values.get("min_data_gb", v)))  # type: ignore[arg-type]
            elif c.kind in ("unlimited", "capped"):
                values["unlimited_data"] = c.kind == "unlimited"
            elif c.kind == "voice_unlimited":
                values["voice_unlimited"] = True
            elif c.kind == "contract":
                values["contract_months"] = v
            elif c.kind == "contract_max":
                values["max_contract_months"] = int(v)  # type: ignore[arg-type]
            elif c.kind == "device":
                values["with_device"] = bool(v)
            elif c.kind == "perk":
                perks.append(str(v))
            elif c.kind == "perk_any":
                values["any_perks"] = tuple(v)  # type: ignore[arg-type]
            elif c.kind == "pay_per_use":
                values["pay_per_use"] = True
            elif c.kind == "speed_min":
                values["min_speed_after_mbps"] = float(v)  # type: ignore[arg-type]
            elif c.kind == "voice_min":
                values["min_voice_minutes"] = int(v)  # type: ignore[arg-type]
            elif c.kind == "discount_min":
                values["min_device_discount"] = int(v)  # type: ignore[arg-type]
            elif c.kind == "gift":
                values["has_gift"] = True
        if perks:
            values["perks"] = tuple(dict.fromkeys(perks))
        return SearchFilters.model_validate(values)

    def labels(self) -> list[str]:
        return [c.describe() for c in self.constraints]


def _between(data: np.ndarray, v: object) -> np.ndarray:
    low, high = (float(x) for x in v) if isinstance(v, tuple) else (0.0, 0.0)
    inside = (data >= low) & (data <= high)
    near = (data >= 0.75 * low) & (data <= 1.25 * high) & ~np.isinf(data)
    return np.where(inside, 1.0, np.where(near, 0.5, 0.0))


def cheapest_floor(fees: Sequence[float], open_to_all: Sequence[bool]) -> float | None:
    """The fee "最便宜" counts from: the lowest candidate's, among plans anyone can take when
    the query names no identity (a student plan at 599 does not make 999 dear for others)."""
    pool = [fee for fee, ok in zip(fees, open_to_all, strict=True) if ok] or list(fees)
    return min(pool) if pool else None


def with_parsed(explicit: SearchFilters, parsed: ParsedQuery) -> SearchFilters:
    """Explicit filters (the customer's context, the tool's) plus the query's hard constraints.

    Explicit values win a conflict, except fee bounds, where the tighter one holds (a budget of
    1000 and "800 以下" in the text mean at most 800).
    """
    found = parsed.filters()
    merged = found.merged(explicit)
    highs = [v for v in (explicit.max_monthly_fee, found.max_monthly_fee) if v is not None]
    lows = [v for v in (explicit.min_monthly_fee, found.min_monthly_fee) if v is not None]
    return merged.model_copy(
        update={
            "max_monthly_fee": min(highs) if highs else None,
            "min_monthly_fee": max(lows) if lows else None,
        }
    )
