"""Renewal history (seed 000 Sprint 6: 門市人員可查看歷史申辦記錄): past applications, paged.

Sales staff see their own, managers their store's, admins every store (or one). Days are local
(Asia/Taipei) like the statistics; the records come from the service database, so they outlive
the sessions' checkpoints.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.statistics.service import local_today
from core.db.models import RenewalRecord, RenewalStatus, UserRole
from core.db.repositories.renewal import RenewalHistoryFilter, renewal_history_page
from core.db.repositories.stats import TAIPEI_OFFSET, utc_bounds
from core.errors import Forbidden
from core.national_id import mask_in_text

DEFAULT_DAYS = 30
EARLIEST = date(2000, 1, 1)


def history_window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """[start, end] in local days, default the last 30 days. Any dates are accepted (paging keeps
    a wide range cheap): they are clamped to years the service can have records for, and a start
    after the end selects no day, so an empty page."""
    end = min(max(end or today, EARLIEST), today + timedelta(days=1))
    start = max(start or end - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
    return min(start, today + timedelta(days=2)), end


def history_scope(principal: Principal, store_id: str | None) -> tuple[int | None, str | None]:
    """(staff_id, store_id) the caller may list: sales their own, managers their store, admins
    any store (or all)."""
    if principal.role == UserRole.ADMIN:
        return None, store_id
    if store_id is not None and store_id != principal.store_id:
        raise Forbidden("staff see their own store's history only")
    if principal.role == UserRole.MANAGER and principal.store_id is not None:
        return None, principal.store_id
    if principal.role == UserRole.SALES:
        return int(principal.user_id), None
    raise Forbidden(f"role {principal.role} has no renewal history")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def masked_customer(record: RenewalRecord) -> str | None:
    """The masked national ID: the record's column, else the summary's (masked by the CRM);
    masked again so a full ID can never leave."""
    customer = (record.selections or {}).get("customer") or {}
    found = record.customer_id_masked or customer.get("id_number")
    return mask_in_text(str(found)) if found else None


def history_item(record: RenewalRecord, staff_name: str | None) -> dict[str, Any]:
    chosen = record.selections or {}
    plan = chosen.get("plan") or chosen.get("selected_plan") or {}
    device = chosen.get("device") or chosen.get("selected_device")
    customer = chosen.get("customer") or {}
    completed = record.status == RenewalStatus.COMPLETED
    form = f"/api/renewal-workflow/session/{record.session_id}/application-form"
    return {
        "session_id": record.session_id,
        "record_id": record.id,
        "staff_id": record.staff_id,
        "staff_name": staff_name,
        "store_id": record.store_id,
        "outcome": record.status,
        "sale_confirmed": bool(record.is_sale_confirmed),
        "customer_name": customer.get("name"),
        "customer_id_masked": masked_customer(record),
        "phone_number": record.phone_number,
        "renewal_type": chosen.get("renewal_type"),
        "plan": {k: plan.get(k) for k in ("plan_id", "name", "monthly_fee")} if plan else None,
        "device": None
        if not device
        else {k: device.get(k) for k in ("device_id", "brand", "model", "color")},
        "current_step": record.current_step,
        "started_at": _iso(record.started_at),
        "completed_at": _iso(record.completed_at),
        "application_form": form if completed else None,
    }


class RenewalHistory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def page(
        self,
        principal: Principal,
        *,
        start: date | None,
        end: date | None,
        outcome: str | None,
        store_id: str | None,
        page: int,
        page_size: int,
    ) -> dict[str, Any]:
        staff_id, store = history_scope(principal, store_id)
        first, last = history_window(start, end, local_today())
        lower, upper = utc_bounds(first, last, TAIPEI_OFFSET)
        where = RenewalHistoryFilter(lower, upper, staff_id, store, outcome)
        async with self.sessions() as db:
            rows, total = await renewal_history_page(
                db, where, limit=page_size, offset=(page - 1) * page_size
            )
        return {
            "items": [history_item(record, name) for record, name in rows],
            "total": total,
            "page": page,
            "page_size": page_size,
            "total_pages": math.ceil(total / page_size) if total else 0,
            "start": first.isoformat(),
            "end": last.isoformat(),
        }
