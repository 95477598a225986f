"""`SEARCH_PHASES_LOG`: a promotion server started with it times each search by phase.

`bench_list_plans` reads these lines to split list-plans' critical path inside the server
(mcp_servers/promotion/search/phases.py). A real stdio server, started with the variable in
its environment, as the API starts its children; the suite's own servers run without it.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from pathlib import Path

import pytest

from core.settings import Settings
from mcp_servers.promotion.search import phases
from tools.mcp import McpToolbox

CONTEXT = {"current_plan_type": "4G", "renewal_type": "with_device", "identities": []}


async def test_each_search_is_timed_by_phase_when_asked(
    test_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "phases.jsonl"
    monkeypatch.setenv("SEARCH_PHASES_LOG", str(log))
    fresh = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    began = time.time()
    async with McpToolbox(test_settings, servers=["promotion"], lazy=[]) as box:
        for query in (f"iPhone {fresh} || 續約 搭配手機 4G", "|| 續約 搭配手機 4G"):
            hits = await box.call(
                "search_promotions", query=query, customer_context=CONTEXT, top_k=5,
                device_type="smartphone",
            )  # fmt: skip
            assert hits
    typed, untyped = [json.loads(line) for line in log.read_text().splitlines()]
    assert typed["typed"] is True and untyped["typed"] is False
    # when each started (epoch seconds): bench_list_plans joins a search to its click by it
    assert began < typed["at"] < untyped["at"] < time.time()
    # typed: its words embedded in a worker thread; untyped: the context's vector, cached,
    # ranked on the event loop
    assert typed["embedding"][1] > 1.0 and "hop" in typed and "hop back" in typed
    assert not {"embedding", "hop", "hop back"} & set(untyped)
    for row in (typed, untyped):
        assert isinstance(row.pop("at"), float)
        for phase in ("shape", "parse", "filters, bm25", "dense, fuse", "understood, hits"):
            wall, cpu = row[phase]
            assert 0 <= cpu <= wall + 1.0  # one thread's CPU within the phase's wall time


def test_no_timing_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off (this process was started without it): no timer, nothing written."""
    monkeypatch.delenv("SEARCH_PHASES_LOG", raising=False)
    assert phases._LOG is None
    assert phases.start() is None
    assert phases.CURRENT.get() is None
