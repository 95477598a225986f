"""The promotion server's search under typed words, over its real stdio session (issue 24 part 3).

A typed search embeds a fresh query (~25 ms of CPU); it runs in a worker thread, so calls that
arrive meanwhile are answered, and two typed searches embed at once instead of queueing.
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from typing import Any

from mcp_servers.backoffice.golden import GOLDEN
from tools.mcp import McpToolbox

CONTEXT: dict[str, Any] = {
    "current_plan_type": "4G",
    "data_used_gb": 25.0,
    "data_limit_gb": 30.0,
    "renewal_type": "with_device",
    "identities": [],
}


async def _typed(box: McpToolbox, words: str) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = await box.call(
        "search_promotions",
        query=f"續約 手機專案 4G {words}",
        customer_context=CONTEXT,
        top_k=8,
        device_type="smartphone",
    )
    return hits


async def test_hits_carry_the_catalogue_terms(toolbox: McpToolbox) -> None:
    """Each hit's title, fee and contract are the plan's (read from the catalogue once per
    call, not one read per hit)."""
    hits = await _typed(toolbox, f"iPhone 5G 吃到飽 {time.time_ns()}")
    assert hits
    details = await toolbox.call(
        "get_plan_details_batch", plan_ids=[h["promotion_id"] for h in hits]
    )
    for hit, plan in zip(hits, details, strict=True):
        assert hit["title"] == plan["name"]
        assert hit["monthly_fee"] == plan["monthly_fee"]
        assert hit["contract_months"] == plan["contract_period"]
        assert hit["with_device"] is plan["with_device"] is True  # renewal with a device


def _fresh() -> str:
    """A made-up word, so the query vector is not in the server's cache."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


async def test_typed_searches_together_are_answered_and_others_are_served(
    toolbox: McpToolbox,
) -> None:
    """Two typed searches at once both answer (vectors computed concurrently are checked
    bit for bit in tests/search/test_embedder_threads.py), and a cheap call sent while they
    run is answered too."""

    async def cheap() -> float:
        await asyncio.sleep(0.002)
        started = time.perf_counter()
        await toolbox.call("get_plan_details", plan_id=GOLDEN.student_plan_id)
        return time.perf_counter() - started

    first, second, took = await asyncio.gather(
        _typed(toolbox, f"iPhone 吃到飽 {_fresh()}"),
        _typed(toolbox, f"熱點分享 {_fresh()}"),
        cheap(),
    )
    assert first and second
    assert all(h["with_device"] for h in first + second)
    assert took < 5.0  # answered while both searches ran (seconds only on a stalled host)
