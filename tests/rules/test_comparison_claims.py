"""The comparison's recommendation follows from its own table (issue 15, item 3).

Plans come from the real catalogue; usage is the golden line's (85.4 GB, 320 min a month). For
each set the offline narrative (what staff read) is parsed: the recommended plan, its annual cost,
the runner-up and the saving must be the table's numbers, and no internal tool id may appear.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from mcp_servers.backoffice.plan_builder import build_plans
from mcp_servers.promotion.costs import Comparison, CustomerUsage, compare
from prompts import load_prompt
from tools.llm import OfflineChatModel

PLANS = {p.plan_id: p for p in build_plans(date(2026, 12, 1))}
GOLDEN_USAGE = CustomerUsage(data_gb_per_month=85.4, voice_minutes_per_month=320)
TOOL_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # compare_plans, get_phone_details, ...


def _money(text: str) -> int:
    return int(text.replace("NT$", "").replace(",", ""))


def _table_annual(result: Comparison) -> dict[str, int]:
    """The 預估年費 row, by plan id (header order = cost_analysis order)."""
    row = next(r for r in result.comparison_table.rows if r[0] == "預估年費")
    ids = [c.plan_id for c in result.cost_analysis]
    return {pid: _money(cell) for pid, cell in zip(ids, row[1:], strict=True)}


def _narrative(result: Comparison, usage: CustomerUsage | None) -> str:
    data = result.model_dump(mode="json")
    recommendation = data.pop("recommendation")
    messages = load_prompt("comparison_narrative").format_messages(
        comparison_json=json.dumps(data, ensure_ascii=False),
        customer_usage_json=usage.model_dump_json() if usage else "{}",
        recommendation_json=json.dumps(recommendation, ensure_ascii=False),
    )
    reply = OfflineChatModel(usage_type="comparison").invoke(messages)
    return str(reply.content)


# (plan ids, usage, the plan the table makes cheapest)
CASES = [
    (("P029", "P032"), GOLDEN_USAGE, "P032"),  # the issue: P032 is NT$14,148, P029 NT$16,788
    (("P032", "P029"), GOLDEN_USAGE, "P032"),  # order does not matter
    (("P034", "P035", "P036"), GOLDEN_USAGE, "P035"),
    (("P001", "P006", "P011"), GOLDEN_USAGE, "P006"),  # P001's overage makes it dearest
    (("P031", "P033", "P060"), GOLDEN_USAGE, "P031"),
    (("P010", "P011"), None, "P010"),
    (
        ("P035", "P058"),
        CustomerUsage(data_gb_per_month=10, voice_minutes_per_month=None),
        "P035",
    ),  # a tie: same fee
]


@pytest.mark.parametrize(("ids", "usage", "cheapest"), CASES, ids=["-".join(c[0]) for c in CASES])
def test_the_narrative_claims_only_what_the_table_shows(
    ids: tuple[str, ...], usage: CustomerUsage | None, cheapest: str
) -> None:
    result = compare([PLANS[i] for i in ids], usage)
    annual = _table_annual(result)
    assert result.recommendation.best_for_customer == cheapest
    assert annual[cheapest] == min(annual.values())

    text = _narrative(result, usage)
    claim = re.search(r"\*\*建議\*\*：(.+?)（(P\d{3})）.*?年費 (NT\$[\d,]+)", text)
    assert claim is not None, text
    name, pid, amount = claim.groups()
    assert (pid, name) == (cheapest, PLANS[cheapest].name)
    assert _money(amount) == annual[pid] == min(annual.values())
    others = sorted((cost, p) for p, cost in annual.items() if p != pid)
    saving = re.search(r"，比 (.+?) 的 (NT\$[\d,]+) 少 (NT\$[\d,]+)", text)
    if others[0][0] > annual[pid]:
        assert saving is not None, text
        runner_cost, runner = others[0]
        assert saving.group(1) == PLANS[runner].name
        assert _money(saving.group(2)) == runner_cost
        assert _money(saving.group(3)) == runner_cost - annual[pid]
    else:
        assert saving is None and "相同" in text, text
    assert "最低" in text  # the criterion is stated
    assert TOOL_ID.findall(text) == [], text


def test_the_issue_case_no_longer_calls_the_dearer_plan_cheapest() -> None:
    text = _narrative(compare([PLANS["P029"], PLANS["P032"]], GOLDEN_USAGE), GOLDEN_USAGE)
    assert "NT$14,148" in text and "P032" in text.split("**建議**")[1].split("\n")[0]
    assert "compare_plans" not in text
