"""The local index snapshot: text indexes plus every plan column the filters and boosts read.

Columns are numpy arrays built once per index generation, so a filter or a soft constraint is
one vectorised expression over all plans (5,000 plans: well under a millisecond), never a
Python loop per plan at query time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mcp_servers.backoffice.records import Plan

from .constraints import Constraint
from .facets import PERK_ALIASES, PlanFacets, facets_of
from .lexical import LexicalIndex
from .models import SearchFilters
from .vector import DenseIndex


@dataclass(frozen=True)
class State:
    """An immutable snapshot; `ensure_index` swaps it whole so searches never see a mix."""

    content_hash: str
    plans: tuple[Plan, ...]
    facets: tuple[PlanFacets, ...]
    lexical: LexicalIndex
    dense: DenseIndex
    plan_type: np.ndarray
    with_device: np.ndarray
    contract_months: np.ndarray
    fee: np.ndarray
    data: np.ndarray  # GB, +inf for unlimited
    throttled: np.ndarray
    speed_after: np.ndarray
    voice_minutes: np.ndarray
    device_discount: np.ndarray
    has_gift: np.ndarray
    identity: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    ids: np.ndarray
    tags: dict[str, np.ndarray]  # "perk:netflix", "audience:student", "network:5G" -> bool
    row_of: dict[str, int]

    @classmethod
    def build(
        cls, key: str, plans: Sequence[Plan], lexical: LexicalIndex, dense: DenseIndex
    ) -> State:
        facets = tuple(facets_of(p) for p in plans)
        names = {f"perk:{perk}" for perk in PERK_ALIASES}
        for f in facets:
            names |= {f"audience:{a}" for a in f.audiences}
            names |= {f"network:{n}" for n in f.networks}
            names |= {f"brand:{b}" for b in f.brands}
        tags = {name: np.zeros(len(plans), dtype=bool) for name in names}
        for row, f in enumerate(facets):
            for name in (
                *(f"perk:{p}" for p in f.perks),
                *(f"audience:{a}" for a in f.audiences),
                *(f"network:{n}" for n in f.networks),
                *(f"brand:{b}" for b in f.brands),
            ):
                tags[name][row] = True
        return cls(
            content_hash=key,
            plans=tuple(plans),
            facets=facets,
            lexical=lexical,
            dense=dense,
            plan_type=np.array([p.plan_type for p in plans], dtype=object),
            with_device=np.array([p.with_device for p in plans], dtype=bool),
            contract_months=np.array([p.contract_months for p in plans], dtype=np.int32),
            fee=np.array([p.monthly_fee for p in plans], dtype=np.int64),
            data=np.array([f.data for f in facets], dtype=float),
            throttled=np.array([f.throttled for f in facets], dtype=bool),
            speed_after=np.array([f.speed_after for f in facets], dtype=float),
            voice_minutes=np.array([f.voice_minutes for f in facets], dtype=float),
            device_discount=np.array([f.device_discount for f in facets], dtype=np.int64),
            has_gift=np.array([f.has_gift for f in facets], dtype=bool),
            identity=np.array([p.rules.required_identity or "" for p in plans], dtype=object),
            valid_from=np.array([p.valid_from.toordinal() for p in plans], dtype=np.int64),
            valid_to=np.array([p.valid_to.toordinal() for p in plans], dtype=np.int64),
            ids=np.array([p.plan_id for p in plans], dtype=object),
            tags=tags,
            row_of={p.plan_id: i for i, p in enumerate(plans)},
        )

    def tag(self, name: str) -> np.ndarray:
        found = self.tags.get(name)
        return found if found is not None else np.zeros(len(self.plans), dtype=bool)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Vectorised `SearchFilters.admits` over all plans (None = everything admitted)."""
        if filters is None or filters.is_empty():
            return None
        keep = np.ones(len(self.plans), dtype=bool)
        if filters.plan_types is not None:
            keep &= np.isin(self.plan_type, list(filters.plan_types))
        if filters.with_device is not None:
            keep &= self.with_device == filters.with_device
        if filters.contract_months is not None:
            keep &= np.isin(self.contract_months, list(filters.contract_months))
        if filters.max_contract_months is not None:
            keep &= self.contract_months <= filters.max_contract_months
        if filters.max_monthly_fee is not None:
            keep &= self.fee <= filters.max_monthly_fee
        if filters.min_monthly_fee is not None:
            keep &= self.fee >= filters.min_monthly_fee
        if filters.unlimited_data is not None:
            keep &= np.isinf(self.data) == filters.unlimited_data
        if filters.min_data_gb is not None:
            keep &= self.data >= filters.min_data_gb
        if filters.voice_unlimited is not None:
            keep &= np.isinf(self.voice_minutes) == filters.voice_unlimited
        for perk in filters.perks or ():
            keep &= self.tag(f"perk:{perk}")
        if filters.any_perks:
            keep &= np.logical_or.reduce([self.tag(f"perk:{p}") for p in filters.any_perks])
        if filters.pay_per_use is not None:
            keep &= (~np.isinf(self.data) & (self.speed_after == 0)) == filters.pay_per_use
        if filters.min_speed_after_mbps is not None:
            keep &= self.speed_after >= filters.min_speed_after_mbps
        if filters.min_voice_minutes is not None:
            keep &= self.voice_minutes >= filters.min_voice_minutes
        if filters.min_device_discount is not None:
            keep &= self.device_discount >= filters.min_device_discount
        if filters.has_gift is not None:
            keep &= self.has_gift == filters.has_gift
        if filters.identities is not None:
            keep &= (self.identity == "") | np.isin(self.identity, list(filters.identities))
        if filters.valid_on is not None:
            day = filters.valid_on.toordinal()
            keep &= (self.valid_from <= day) & (day <= self.valid_to)
        if filters.exclude_plan_ids:
            keep &= ~np.isin(self.ids, list(filters.exclude_plan_ids))
        return keep

    def satisfaction(self, c: Constraint, floor_fee: float | None = None) -> np.ndarray:
        """`Constraint.satisfaction` for every plan at once (0..1)."""
        return np.broadcast_to(c.satisfaction(self, floor_fee), (len(self.plans),))
