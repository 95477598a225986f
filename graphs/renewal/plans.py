"""Step 8: search the top promotions for this line, check them all at once, keep the qualified.

Progress goes out as custom stream events with seed 000 §4.2's stages, so the API's SSE route
(and Studio) show "✅ qualified" / "❌ needs 6 months tenure" for each candidate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from graphs.renewal.deps import ToolCaller
from graphs.renewal.state import RenewalState

Writer = Callable[[Any], None]
TOP_K = 5
# The promotion search's CONTEXT_MARK (mcp_servers/promotion/search/query.py): the words after
# it were not typed by the staff. Not imported, so the API does not load the search engine.
CONTEXT_MARK = "||"
# What the search looks for per device choice (step 5); the filter does the rest.
DEVICE_WORDS = {
    "smartphone": "搭配手機",
    "tablet": "搭配平板 行動上網",
    "wearable": "搭配智慧手錶 穿戴",
}


def device_choice(state: RenewalState) -> str:
    """Step 5's answer; a plain renewal is "none" whatever was picked before going back."""
    if state.get("renewal_type") != "with_device":
        return "none"
    return state.get("device_type") or "smartphone"


def _event(stage: str, status: str, **data: Any) -> dict[str, Any]:
    return {"event": "progress", "stage": stage, "status": status, **data}


def search_query(state: RenewalState, extra: str | None) -> tuple[str, dict[str, Any]]:
    """The query text and the customer context that shapes it (seed 000 §3.3.1).

    The step's own words follow `CONTEXT_MARK`, after what the staff typed (if anything): the
    search embeds only the typed words afresh and reuses the vector of the rest, which is the
    vector of this renewal's search without typed words (a typed search's embedding: ~28 ->
    ~13 ms of CPU). What the step's words say is a preference there; the filters come from the
    context (renewal type) and the device fit, as before.
    """
    line = state.get("line") or {}
    contract = line.get("contract_info") or {}
    usage = line.get("usage_info") or {}
    customer = state.get("customer") or {}
    typed = " ".join((extra or "").replace(CONTEXT_MARK, " ").split())  # one mark, ours
    words = [
        typed,
        CONTEXT_MARK,
        "續約",
        DEVICE_WORDS.get(device_choice(state), "單純續約"),
        contract.get("plan_type", ""),
    ]
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


@asynccontextmanager
async def _together() -> AsyncIterator[asyncio.TaskGroup]:
    """A task group (a failure cancels the other calls) that raises that failure as itself, so
    a coded tool error keeps its HTTP status instead of arriving wrapped in an ExceptionGroup."""
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def find_qualified_plans(
    tools: ToolCaller, state: RenewalState, extra_query: str | None, write: Writer
) -> dict[str, Any]:
    """Seed 000 §4.2's four stages, each call started as soon as what it needs is known.

    * The contract and the basic eligibility are the ones step 4 read (the line and both
      renewal types' checks are in the state, minutes old at most), so their stages report
      them without a call: re-reading them cost 2 of a journey's 15 MCP calls, and nothing
      here acts on them; the promotion checks below and submit's `record_renewal` decide on
      the servers' current data. A state without them (a checkpoint from before they were
      kept) is read from the CRM as before.
    * The candidates are checked (CRM) and their plans read (Promotion server) in one batch
      call each, the two at once: 2 round trips instead of 10 (seed 000 A.3's batching). A
      disqualified candidate's plan is read for nothing (one cheap lookup), and the step no
      longer waits for two servers one after the other.
    """
    phone = state["selected_phone"]
    renewal_type = state.get("renewal_type") or "single"
    device = device_choice(state)

    async def contract() -> dict[str, Any]:
        line: dict[str, Any] = state.get("line") or await tools.call(
            "get_phone_details", phone_number=phone
        )
        write(_event("query_contract", "completed", plan=line["contract_info"]["plan_name"]))
        return line

    async def basic_eligibility() -> None:
        basic = (state.get("eligibility") or {}).get(renewal_type) or await tools.call(
            "check_renewal_eligibility", phone_number=phone, renewal_type=renewal_type
        )
        write(_event("check_basic_eligibility", "completed", is_eligible=basic["is_eligible"],
                     reasons=[r["message"] for r in basic["reasons"]]))  # fmt: skip

    async def search() -> list[dict[str, Any]]:
        query, context = search_query(state, extra_query)
        hits: list[dict[str, Any]] = await tools.call(
            "search_promotions", query=query, customer_context=context, top_k=TOP_K,
            device_type=device,
        )  # fmt: skip
        write(_event("search_promotions", "completed", count=len(hits),
                     candidates=[h["promotion_id"] for h in hits]))  # fmt: skip
        return hits

    def reported(hit: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        status = "qualified" if result["is_qualified"] else "disqualified"
        write(_event("check_promotion_eligibility", status, promotion_id=hit["promotion_id"],
                     title=hit["title"], reasons=result["reasons"]))  # fmt: skip
        return {"promotion_id": hit["promotion_id"], "title": hit["title"], **result}

    for stage in ("query_contract", "check_basic_eligibility", "search_promotions"):
        write(_event(stage, "running"))
    results: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    async with _together() as calls:
        line_call = calls.create_task(contract())
        calls.create_task(basic_eligibility())
        hits = await calls.create_task(search())
        if ids := [h["promotion_id"] for h in hits]:
            checked = calls.create_task(tools.call(
                "check_promotion_eligibility_batch", phone_number=phone, promotion_ids=ids,
                renewal_type=state.get("renewal_type"), device_type=device,
            ))  # fmt: skip
            plans = await calls.create_task(tools.call("get_plan_details_batch", plan_ids=ids))
            results = await checked
    checks = [reported(hit, result) for hit, result in zip(hits, results, strict=True)]
    write(
        {
            "event": "complete",
            "qualified": [c["promotion_id"] for c in checks if c["is_qualified"]],
            "disqualified": [c["promotion_id"] for c in checks if not c["is_qualified"]],
        }
    )
    return {
        "line": line_call.result(),
        "candidate_plans": hits,
        "plan_checks": checks,  # in the search's rank order
        "qualified_plans": [
            plan for c, plan in zip(checks, plans, strict=True) if c["is_qualified"]
        ],
    }
