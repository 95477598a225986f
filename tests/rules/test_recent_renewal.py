"""A line renewed in a store is refused for RECENT_RENEWAL_DAYS (issue 15, item 4), table-driven."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.crm.eligibility import RECENT_RENEWAL_DAYS, check_renewal

TODAY = date(2026, 12, 1)
LINE = next(x for x in generate(20261121, TODAY).lines if x.phone_number == GOLDEN.eligible.phone)


@pytest.mark.parametrize(
    ("renewed_days_ago", "codes"),
    [
        (None, []),  # never renewed here: the golden line is due
        (0, ["RECENTLY_RENEWED"]),
        (RECENT_RENEWAL_DAYS - 1, ["RECENTLY_RENEWED"]),
        (RECENT_RENEWAL_DAYS, []),
        (400, []),
    ],
)
def test_recent_renewal_is_a_reason(renewed_days_ago: int | None, codes: list[str]) -> None:
    renewed_on = None if renewed_days_ago is None else TODAY - timedelta(days=renewed_days_ago)
    result = check_renewal(LINE, "single", TODAY, renewed_on)
    assert [r.code for r in result.reasons] == codes
    assert result.is_eligible is (not codes)
    if codes:
        assert f"{renewed_on:%Y-%m-%d}" in result.reasons[0].message and result.reasons[0].remedy
