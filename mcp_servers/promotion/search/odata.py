"""`SearchFilters` as an OData `$filter` for Azure AI Search, same semantics as `admits`.

Facet fields (perks, voice_unlimited, speed_after_mbps ...) are derived by `facets.py` and
uploaded with each document, so the parsed query constraints filter server-side too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .models import SearchFilters


def odata_date(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _search_in(field: str, values: Sequence[str]) -> str:
    # search.in with "|" as delimiter: plan ids and types never contain it.
    return f"search.in({field}, {quote('|'.join(values))}, '|')"


def filters_to_odata(filters: SearchFilters | None) -> str | None:
    """OData `$filter` with the same semantics as `SearchFilters.admits`."""
    if filters is None or filters.is_empty():
        return None
    clauses: list[str] = []
    if filters.plan_types is not None:
        clauses.append(_search_in("plan_type", filters.plan_types))
    if filters.with_device is not None:
        clauses.append(f"with_device eq {str(filters.with_device).lower()}")
    if filters.contract_months is not None:
        months = " or ".join(f"contract_months eq {int(m)}" for m in filters.contract_months)
        clauses.append(f"({months or 'false'})")
    if filters.max_monthly_fee is not None:
        clauses.append(f"monthly_fee le {int(filters.max_monthly_fee)}")
    if filters.min_monthly_fee is not None:
        clauses.append(f"monthly_fee ge {int(filters.min_monthly_fee)}")
    if filters.identities is not None:
        held = list(filters.identities)
        either = f" or {_search_in('required_identity', held)}" if held else ""
        clauses.append(f"(required_identity eq null{either})")
    if filters.valid_on is not None:
        day = odata_date(filters.valid_on)
        clauses.append(f"valid_from le {day} and valid_to ge {day}")
    if filters.exclude_plan_ids:
        clauses.append(f"not {_search_in('plan_id', filters.exclude_plan_ids)}")
    if filters.max_contract_months is not None:
        clauses.append(f"contract_months le {int(filters.max_contract_months)}")
    if filters.unlimited_data is not None:
        clauses.append(f"data_gb {'eq' if filters.unlimited_data else 'ne'} null")
    if filters.min_data_gb is not None:
        clauses.append(f"(data_gb eq null or data_gb ge {float(filters.min_data_gb):g})")
    if filters.voice_unlimited is not None:
        clauses.append(f"voice_unlimited eq {str(filters.voice_unlimited).lower()}")
    for perk in filters.perks or ():
        clauses.append(f"perks/any(p: p eq {quote(perk)})")
    if filters.any_perks:
        either = " or ".join(f"perks/any(p: p eq {quote(p)})" for p in filters.any_perks)
        clauses.append(f"({either})")
    if filters.pay_per_use is not None:
        pay = "(data_gb ne null and speed_after_mbps eq 0)"
        clauses.append(pay if filters.pay_per_use else f"not {pay}")
    if filters.min_speed_after_mbps is not None:
        speed = f"{float(filters.min_speed_after_mbps):g}"
        clauses.append(f"(data_gb eq null or speed_after_mbps ge {speed})")
    if filters.min_voice_minutes is not None:
        minutes = int(filters.min_voice_minutes)
        clauses.append(f"(voice_unlimited eq true or voice_minutes ge {minutes})")
    if filters.min_device_discount is not None:
        clauses.append(f"device_discount ge {int(filters.min_device_discount)}")
    if filters.has_gift is not None:
        clauses.append(f"has_gift eq {str(filters.has_gift).lower()}")
    return " and ".join(clauses) if clauses else None
