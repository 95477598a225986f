"""The CRM's renewal write over the real MCP transport (issue 15, item 4).

A replayed submit (same idempotency key) gets the first renewal back; another session's submit
for the same line is refused with RECENTLY_RENEWED; eligibility then says why.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import SwitchboardError
from mcp_servers.backoffice.datemath import add_months
from mcp_servers.backoffice.golden import GOLDEN
from tools.mcp import McpToolbox

LINE = GOLDEN.eligible.phone


async def test_a_renewal_is_written_once_and_refused_twice(
    fresh_backoffice: Path, toolbox: McpToolbox
) -> None:
    before = await toolbox.call("check_renewal_eligibility", phone_number=LINE)
    assert before["is_eligible"] is True
    ask = {"phone_number": LINE, "plan_id": "P035", "staff_id": "2", "store_id": "S001"}
    first = await toolbox.call("record_renewal", idempotency_key="renewal:a", **ask)
    replay = await toolbox.call("record_renewal", idempotency_key="renewal:a", **ask)
    assert replay == first
    assert first["contract_end"] == add_months(date.today(), 30).isoformat()  # P035: 30 months

    with pytest.raises(SwitchboardError) as refused:
        await toolbox.call("record_renewal", idempotency_key="renewal:b", **ask)
    assert refused.value.code == "RECENTLY_RENEWED"

    line = await toolbox.call("get_phone_details", phone_number=LINE)
    assert line["contract_info"]["plan_id"] == "P035"
    assert line["contract_info"]["contract_end_date"] == first["contract_end"]
    after = await toolbox.call("check_renewal_eligibility", phone_number=LINE)
    assert after["is_eligible"] is False
    assert [r["code"] for r in after["reasons"]] == ["RECENTLY_RENEWED", "CONTRACT_NOT_DUE"]
