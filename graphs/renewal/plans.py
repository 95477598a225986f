"""Step 8: search the top promotions for this line, check each in parallel, keep the qualified.

Progress goes out as custom stream events with seed 000 §4.2's stages, so the API's SSE route
(and Studio) show "✅ qualified" / "❌ needs 6 months tenure" as each check finishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from graphs.renewal.deps import ToolCaller
from graphs.renewal.state import RenewalState

Writer = Callable[[Any], None]
TOP_K = 5


def _event(stage: str, status: str, **data: Any) -> dict[str, Any]:
    return {"event": "progress", "stage": stage, "status": status, **data}


def search_query(state: RenewalState, extra: str | None) -> tuple[str, dict[str, Any]]:
    """The query text and the customer context that shapes it (seed 000 §3.3.1)."""
    line = state.get("line") or {}
    contract = line.get("contract_info") or {}
    usage = line.get("usage_info") or {}
    customer = state.get("customer") or {}
    with_device = state.get("renewal_type") == "with_device"
    words = ["續約", "搭配手機" if with_device else "單純續約", contract.get("plan_type", "")]
    if extra:
        words.append(extra)
    context = {
        "current_plan_id": contract.get("plan_id"),
        "current_plan_type": contract.get("plan_type"),
        "monthly_fee": (line.get("billing_info") or {}).get("current_month_fee"),
        "data_used_gb": usage.get("data_used_gb"),
        "data_limit_gb": usage.get("data_limit_gb"),
        "voice_used_min": usage.get("voice_used_minutes"),
        "voice_limit_min": usage.get("voice_limit_minutes"),
        "tenure_months": contract.get("tenure_months"),
        "contract_end": contract.get("contract_end_date"),
        "renewal_type": state.get("renewal_type"),
        "identities": customer.get("identities"),
    }
    return " ".join(w for w in words if w), {k: v for k, v in context.items() if v is not None}


async def find_qualified_plans(
    tools: ToolCaller, state: RenewalState, extra_query: str | None, write: Writer
) -> dict[str, Any]:
    phone = state["selected_phone"]
    write(_event("query_contract", "running"))
    line = await tools.call("get_phone_details", phone_number=phone)
    write(_event("query_contract", "completed", plan=line["contract_info"]["plan_name"]))

    write(_event("check_basic_eligibility", "running"))
    basic = await tools.call(
        "check_renewal_eligibility",
        phone_number=phone,
        renewal_type=state.get("renewal_type") or "single",
    )
    write(
        _event(
            "check_basic_eligibility",
            "completed",
            is_eligible=basic["is_eligible"],
            reasons=[r["message"] for r in basic["reasons"]],
        )
    )

    write(_event("search_promotions", "running"))
    query, context = search_query({**state, "line": line}, extra_query)
    hits = await tools.call("search_promotions", query=query, customer_context=context, top_k=TOP_K)
    write(
        _event(
            "search_promotions",
            "completed",
            count=len(hits),
            candidates=[h["promotion_id"] for h in hits],
        )
    )

    async def check(hit: dict[str, Any]) -> dict[str, Any]:
        result = await tools.call(
            "check_promotion_eligibility",
            phone_number=phone,
            promotion_id=hit["promotion_id"],
            renewal_type=state.get("renewal_type"),
        )
        return {"promotion_id": hit["promotion_id"], "title": hit["title"], **result}

    checks: list[dict[str, Any]] = []
    for next_done in asyncio.as_completed([check(h) for h in hits]):
        result = await next_done
        checks.append(result)
        status = "qualified" if result["is_qualified"] else "disqualified"
        write(
            _event(
                "check_promotion_eligibility",
                status,
                promotion_id=result["promotion_id"],
                title=result["title"],
                reasons=result["reasons"],
            )
        )
    rank = {h["promotion_id"]: i for i, h in enumerate(hits)}
    checks.sort(key=lambda c: rank[c["promotion_id"]])
    qualified_ids = [c["promotion_id"] for c in checks if c["is_qualified"]]
    details = await asyncio.gather(
        *(tools.call("get_plan_details", plan_id=pid) for pid in qualified_ids)
    )
    write(
        {
            "event": "complete",
            "qualified": qualified_ids,
            "disqualified": [c["promotion_id"] for c in checks if not c["is_qualified"]],
        }
    )
    return {
        "line": line,
        "candidate_plans": hits,
        "plan_checks": checks,
        "qualified_plans": list(details),
    }
