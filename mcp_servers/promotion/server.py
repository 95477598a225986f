"""Promotion MCP server: promotion search, plan details, comparison, upgrade cost (§3.5.3)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BaseModel, Field

from core.errors import InvalidInput
from core.settings import get_settings
from mcp_servers.backoffice.access import default_store, plan_by_id, today
from mcp_servers.backoffice.device_fit import DeviceChoice, fits_device
from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.costs import (
    Comparison,
    CustomerUsage,
    UpgradeCost,
    compare,
    upgrade_cost,
)
from mcp_servers.promotion.search import (
    PromotionRetriever,
    SearchFilters,
    open_retriever,
    parse_query,
    shape_query,
)
from mcp_servers.promotion.search import phases as search_phases
from mcp_servers.server import build_server, tools_of

mcp = build_server(
    "promotion",
    "促銷方案：以自然語言搜尋方案、查方案詳情、比較方案、計算升級費用。"
    " Promotions: hybrid search, plan details, comparison, upgrade cost.",
)
tool = tools_of(mcp, read_only=True)  # every promotion tool only reads


class PromotionHit(BaseModel):
    promotion_id: str
    title: str
    plan_type: str
    monthly_fee: int
    data_limit: str  # "unlimited" or "30GB"
    contract_months: int
    with_device: bool
    relevance_score: float
    matched_by: list[str]  # bm25 / vector
    # What the search understood from the query ("月租 ≤ 999 ←「不超過999」(filter)"), the
    # same for every hit; `unmet` names those this plan misses. `relaxed`: no plan met the
    # hard ones, so these are the nearest, ranked by how many they meet.
    understood: list[str] = []
    unmet: list[str] = []
    relaxed: bool = False


class PlanDetails(BaseModel):
    plan_id: str
    name: str
    plan_type: str
    monthly_fee: int
    features: dict[str, str]
    contract_period: int
    early_termination_fee: int
    gifts: list[str]
    target_customers: str
    description: str
    with_device: bool
    device_discount: int
    valid_from: str
    valid_to: str


_retriever: PromotionRetriever | None = None
_retriever_lock = asyncio.Lock()


async def _search_index() -> PromotionRetriever:
    """Open the index once per process (loading it or building it when plans changed)."""
    global _retriever
    async with _retriever_lock:
        if _retriever is None:
            _retriever = await open_retriever(get_settings(), default_store().plans())
    return _retriever


def _data_text(data_gb: float | None) -> str:
    return "unlimited" if data_gb is None else f"{data_gb:g}GB"


@tool
async def search_promotions(
    query: Annotated[str, Field(min_length=1, max_length=500)],
    customer_context: dict[str, Any] | None = None,
    top_k: Annotated[int, Field(ge=1, le=20)] = 5,
    device_type: DeviceChoice | None = None,
) -> list[PromotionHit]:
    """以自然語言搜尋促銷方案（BM25 + 向量混合檢索）。Hybrid search over promotions. The optional
    customer_context (current_plan_type, monthly_fee, data_used_gb, data_limit_gb,
    voice_used_min, tenure_months, renewal_type with_device/single, identities ...) shapes the
    query and the filters; device_type (none/smartphone/tablet/wearable) keeps only plans that
    fit that device, before ranking. Constraints typed in the query (月租 1000 以下, 吃到飽/不降速,
    30GB 以上, 24 個月/不綁約, 搭手機/單辦門號, Netflix, 學生/長輩 ...) become filters or
    boosts; each hit lists them in `understood`, the ones it misses in `unmet`, and
    `relaxed` is true when no plan met the filters and the nearest are shown instead."""
    phases = search_phases.start()  # None unless SEARCH_PHASES_LOG is set
    context = dict(customer_context or {})
    if context.get("renewal_type") == "single":  # the CRM's word for a plain renewal
        context["renewal_type"] = "plain"
    # The catalogue once per call (cached by the store until the back office changes), not
    # one SQLite read per hit: 5-8 reads were ~0.8 of a cached search's ~2 ms here.
    catalogue = {p.plan_id: p for p in default_store().plans()}
    misfits = (
        ()
        if device_type is None
        else tuple(pid for pid, p in catalogue.items() if not fits_device(p, device_type))
    )
    # Shaped once: the search and `understood` read the same text (search_with_context and
    # understood_constraints would each shape it again).
    shaped = shape_query(query, context or None)
    # only promotions on sale today, and only those that fit the device
    filters = SearchFilters(valid_on=today(), exclude_plan_ids=misfits)
    search_phases.mark(phases, "shape")
    retriever = await _search_index()
    hits = await retriever.search(shaped.text, filters=shaped.filters.merged(filters), top_k=top_k)
    understood = parse_query(shaped.text).labels()
    results = []
    for hit in hits:
        plan = catalogue.get(hit.plan_id)
        if plan is None:
            continue
        results.append(
            PromotionHit(
                promotion_id=plan.plan_id,
                title=plan.name,
                plan_type=plan.plan_type,
                monthly_fee=plan.monthly_fee,
                data_limit=_data_text(plan.data_gb),
                contract_months=plan.contract_months,
                with_device=plan.with_device,
                relevance_score=round(hit.score, 4),
                matched_by=list(hit.matched),
                understood=understood,
                unmet=list(hit.unmet),
                relaxed=hit.relaxed,
            )
        )
    if phases is not None:
        phases.mark("understood, hits")
        phases.write()
    return results


def _plan_details(plan: Plan) -> PlanDetails:
    voice = "網外無限" if plan.voice_minutes is None else f"網外 {plan.voice_minutes} 分鐘"
    features = {
        "data": _data_text(plan.data_gb),
        "voice": voice + ("，網內免費" if plan.on_net_free else ""),
        "sms": f"{plan.sms}則/月",
    }
    if plan.speed_limit_after_mbps:
        features["speed_after_limit"] = f"{plan.speed_limit_after_mbps:g}Mbps"
    return PlanDetails(
        plan_id=plan.plan_id,
        name=plan.name,
        plan_type=plan.plan_type,
        monthly_fee=plan.monthly_fee,
        features=features,
        contract_period=plan.contract_months,
        early_termination_fee=plan.early_termination_fee,
        gifts=plan.gifts,
        target_customers=plan.target_customers,
        description=plan.description,
        with_device=plan.with_device,
        device_discount=plan.device_discount,
        valid_from=plan.valid_from.isoformat(),
        valid_to=plan.valid_to.isoformat(),
    )


@tool
async def get_plan_details(plan_id: str) -> PlanDetails:
    """取得方案完整資訊。Full terms of a plan: fee, data, voice, SMS, contract, fees, gifts."""
    return _plan_details(plan_by_id(default_store(), plan_id))


@tool
async def get_plan_details_batch(
    plan_ids: Annotated[list[str], Field(min_length=1, max_length=20)],
) -> list[PlanDetails]:
    """取得多個方案的完整資訊（批次）。get_plan_details for several plans in one call, in the
    order asked; NOT_FOUND names an unknown plan."""
    store = default_store()  # one round trip for step 8's candidates (seed 000 A.3: batching)
    return [_plan_details(plan_by_id(store, plan_id)) for plan_id in plan_ids]


@tool
async def compare_plans(
    plan_ids: list[str], customer_usage: CustomerUsage | None = None
) -> Comparison:
    """比較 2-5 個方案：比較表、預估年費與最適合的方案。Compare plans side by side; with the
    customer's monthly data/voice usage the annual costs include expected overage."""
    unique = list(dict.fromkeys(plan_ids))
    if not 2 <= len(unique) <= 5:
        raise InvalidInput("請提供 2 到 5 個不同的方案 / give 2-5 distinct plan ids")
    store = default_store()
    return compare([plan_by_id(store, pid) for pid in unique], customer_usage)


@tool
async def calculate_upgrade_cost(
    current_plan_id: str,
    new_plan_id: str,
    remaining_contract_months: Annotated[int, Field(ge=0, le=48)],
) -> UpgradeCost:
    """計算換約/升級費用。Handling fee (NT$500 while a contract runs) + this month's fee
    difference pro rata by days + pro-rata early-termination repayment when moving to a cheaper
    plan mid-contract; also the monthly difference and monthly savings."""
    store = default_store()
    current, new = plan_by_id(store, current_plan_id), plan_by_id(store, new_plan_id)
    if current.plan_id == new.plan_id:
        raise InvalidInput("新舊方案相同 / the new plan is the current plan")
    return upgrade_cost(current, new, remaining_contract_months, today())
