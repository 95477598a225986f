"""Value types shared by every search backend: filters in, hits out, and the plan's document text.

Both backends (embedded hybrid and Azure AI Search) take the same `SearchFilters` and return the
same `SearchHit`, so the MCP tool and the graphs never see which one answered.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mcp_servers.backoffice.records import Identity, Plan, PlanType

from .facets import facets_of

Side = Literal["bm25", "vector", "azure"]
IndexAction = Literal["loaded", "built", "memory", "uploaded", "unchanged"]


class SearchFilters(BaseModel):
    """Metadata constraints applied to both retrieval sides before ranking (never after top-k)."""

    model_config = ConfigDict(frozen=True)

    plan_types: tuple[PlanType, ...] | None = None
    with_device: bool | None = None
    contract_months: tuple[int, ...] | None = None
    max_monthly_fee: int | None = Field(default=None, ge=0)
    min_monthly_fee: int | None = Field(default=None, ge=0)
    # Plans that require an identity are kept only when the customer holds it.
    identities: tuple[Identity, ...] | None = None
    valid_on: date | None = None
    exclude_plan_ids: tuple[str, ...] = ()
    # Parsed from the query text (constraints.py); facets.py says what a plan offers.
    max_contract_months: int | None = Field(default=None, ge=0)
    unlimited_data: bool | None = None
    min_data_gb: float | None = Field(default=None, ge=0)  # unlimited plans always pass
    voice_unlimited: bool | None = None
    perks: tuple[str, ...] | None = None  # every one required
    any_perks: tuple[str, ...] | None = None  # at least one required ("A 或 B")
    pay_per_use: bool | None = None  # capped and charged per use after the cap, not throttled
    min_speed_after_mbps: float | None = Field(default=None, ge=0)  # unlimited plans pass
    min_voice_minutes: int | None = Field(default=None, ge=0)  # unlimited voice passes
    min_device_discount: int | None = Field(default=None, ge=0)
    has_gift: bool | None = None

    def is_empty(self) -> bool:
        return self == SearchFilters()

    def merged(self, other: SearchFilters | None) -> SearchFilters:
        """`other` wins field by field where it sets a value; exclusions are unioned."""
        if other is None:
            return self
        data = self.model_dump()
        for name, value in other.model_dump().items():
            if name == "exclude_plan_ids":
                data[name] = tuple(dict.fromkeys((*self.exclude_plan_ids, *value)))
            elif value is not None:
                data[name] = value
        return SearchFilters(**data)

    def admits(self, plan: Plan) -> bool:
        """The reference semantics; the Azure OData translation must agree with it."""
        if self.plan_types is not None and plan.plan_type not in self.plan_types:
            return False
        if self.with_device is not None and plan.with_device != self.with_device:
            return False
        if self.contract_months is not None and plan.contract_months not in self.contract_months:
            return False
        if self.max_monthly_fee is not None and plan.monthly_fee > self.max_monthly_fee:
            return False
        if self.min_monthly_fee is not None and plan.monthly_fee < self.min_monthly_fee:
            return False
        required = plan.rules.required_identity
        if self.identities is not None and required is not None and required not in self.identities:
            return False
        if self.valid_on is not None and not (plan.valid_from <= self.valid_on <= plan.valid_to):
            return False
        if self.max_contract_months is not None and plan.contract_months > self.max_contract_months:
            return False
        if self.unlimited_data is not None and (plan.data_gb is None) != self.unlimited_data:
            return False
        if self.min_data_gb is not None and (plan.data_gb or float("inf")) < self.min_data_gb:
            return False
        if (
            self.voice_unlimited is not None
            and (plan.voice_minutes is None) != self.voice_unlimited
        ):
            return False
        f = facets_of(plan)
        if self.perks and not set(self.perks) <= f.perks:
            return False
        if self.any_perks and not set(self.any_perks) & f.perks:
            return False
        if self.pay_per_use is not None and (not f.unlimited and f.speed_after == 0) != (
            self.pay_per_use
        ):
            return False
        if self.min_speed_after_mbps is not None and f.speed_after < self.min_speed_after_mbps:
            return False
        if self.min_voice_minutes is not None and f.voice_minutes < self.min_voice_minutes:
            return False
        if self.min_device_discount is not None and f.device_discount < self.min_device_discount:
            return False
        if self.has_gift is not None and f.has_gift != self.has_gift:
            return False
        return plan.plan_id not in self.exclude_plan_ids


class SearchHit(BaseModel):
    """One ranked plan with the evidence of which side(s) found it, for tracing and evals."""

    model_config = ConfigDict(frozen=True)

    plan_id: str
    score: float  # fused RRF score (local) or @search.score / reranker score (Azure)
    matched: tuple[Side, ...]
    bm25_rank: int | None = None  # 1-based rank on the lexical side, None if not in its top-N
    vector_rank: int | None = None
    bm25_score: float | None = None
    vector_score: float | None = None
    # Understood constraints (labels) this plan does not meet: only soft ones, unless the hard
    # filters left nothing and were relaxed (then `relaxed` is True and they show here too).
    unmet: tuple[str, ...] = ()
    relaxed: bool = False


class IndexReport(BaseModel):
    """What `ensure_index` did; lets the caller log whether startup paid for embeddings."""

    backend: Literal["local", "azure"]
    action: IndexAction
    documents: int
    embedded: int  # passages embedded during this call (0 when reused)
    content_hash: str
    seconds: float


def plan_text(plan: Plan) -> str:
    """The searchable text: what staff and customers would say, not the numeric columns."""
    parts: list[str] = [plan.name, plan.description]
    if plan.tags:
        parts.append("、".join(plan.tags))
    if plan.target_customers:
        parts.append(plan.target_customers)
    if plan.gifts:
        parts.append("贈品：" + "、".join(plan.gifts))
    return "\n".join(p.strip() for p in parts if p and p.strip())


# Sentences stating contract penalties and application conditions. They are structured fields
# (contract_months, early_termination_fee, rules) checked by the eligibility step; in a vector
# they are near-identical boilerplate that pulls every passage towards every other one.
_CONDITIONS = re.compile(
    r"[^。\n]*(違約金|補貼款|在網滿|以上可申辦|申辦需出示|本人申辦|統一編號申辦)[^。\n]*。?"
)


def passage_text(plan: Plan) -> str:
    """What the embedding sees: `plan_text` without contract and eligibility boilerplate.

    On the dev set this raised vector-only MRR from 0.864 to 0.895 (hybrid 0.967 -> 0.983);
    BM25 keeps the full text, so a search for 違約金 still works.
    """
    return _CONDITIONS.sub("", plan_text(plan))


def content_hash(texts: Iterable[str], ids: Sequence[str], *salt: str) -> str:
    """Stable key of an index: changes when any document text, id, order or model changes."""
    digest = hashlib.sha256()
    digest.update(json.dumps([list(salt), list(ids)], ensure_ascii=False).encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()[:20]
