"""`search_promotions` over a real MCP session shows staff what the query was understood to ask."""

from __future__ import annotations

from tools.mcp import McpToolbox


async def test_understood_constraints_and_what_each_hit_misses(toolbox: McpToolbox) -> None:
    hits = await toolbox.call("search_promotions", query="5G 吃到飽 1000 以下，學生", top_k=5)
    assert hits
    understood = hits[0]["understood"]
    assert "月租 ≤ 1000 ←「1000 以下」(filter)" in understood
    assert "上網吃到飽 ←「吃到飽」(filter)" in understood
    assert "對象：學生 ←「學生」(boost)" in understood
    for hit in hits:
        assert hit["monthly_fee"] <= 1000 and hit["data_limit"] == "unlimited"
        assert hit["relaxed"] is False
        assert set(hit["unmet"]) <= {"對象：學生", "5G"}  # only boosts can be missed


async def test_impossible_filters_are_relaxed_visibly(toolbox: McpToolbox) -> None:
    hits = await toolbox.call("search_promotions", query="吃到飽 月租 200 以下", top_k=3)
    assert hits and all(h["relaxed"] for h in hits)
    assert all("月租 ≤ 200" in h["unmet"] for h in hits)


async def test_plain_query_has_nothing_to_explain(toolbox: McpToolbox) -> None:
    hits = await toolbox.call("search_promotions", query="網內互打", top_k=3)
    assert hits and all(h["understood"] == [] and h["unmet"] == [] for h in hits)
