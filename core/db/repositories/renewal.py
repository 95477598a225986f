"""Renewal records, the customer-service log and AI usage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import (
    AiUsageLog,
    CustomerServiceLog,
    RenewalRecord,
    RenewalStatus,
    User,
)
from core.db.repositories.audit import AuditRepository
from core.db.repositories.renewal_steps import (
    RENEWAL_ENTITY,
    UsageColumns,
    advance_call,
    usage_values,
)
from core.db.types import utc_now
from core.errors import Conflict, InvalidInput, NotFound

# status -> the statuses it may move to; terminal statuses map to nothing
RENEWAL_TRANSITIONS: dict[str, frozenset[str]] = {
    RenewalStatus.IN_PROGRESS: frozenset({RenewalStatus.COMPLETED, RenewalStatus.ABANDONED}),
    RenewalStatus.COMPLETED: frozenset(),
    RenewalStatus.ABANDONED: frozenset(),
}


class RenewalRecordRepository:
    """One row per guided renewal; status changes are compare-and-set and audited."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        session_id: str,
        *,
        staff_id: int,
        store_id: str,
        current_step: str | None = None,
        selections: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> RenewalRecord:
        now = now or utc_now()
        record = RenewalRecord(
            session_id=session_id,
            staff_id=staff_id,
            store_id=store_id,
            status=RenewalStatus.IN_PROGRESS.value,
            is_sale_confirmed=False,
            current_step=current_step,
            selections=dict(selections or {}),
            started_at=now,
            updated_at=now,
        )
        self.session.add(record)
        await self.session.flush()
        return record

    async def get(self, session_id: str, *, fresh: bool = False) -> RenewalRecord | None:
        """The record, or None; `fresh` re-reads columns already in the session."""
        stmt = sa.select(RenewalRecord).where(RenewalRecord.session_id == session_id)
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one_or_none()

    async def require(self, session_id: str, *, fresh: bool = False) -> RenewalRecord:
        record = await self.get(session_id, fresh=fresh)
        if record is None:
            raise NotFound(f"renewal session {session_id} not found", session_id=session_id)
        return record

    async def advance(
        self,
        session_id: str,
        *,
        current_step: str,
        selections: Mapping[str, Any],
        phone_number: str | None = None,
        customer_ref: str | None = None,
        customer_id_masked: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """A running renewal moved to `current_step` with these selections (what is chosen now,
        replacing the last step's: a step gone back over drops its choice). One UPDATE, since it
        runs on every step: False when the session is not tracked or no longer in progress.
        `customer_ref` (the CRM customer id) is what the statistics count as a served customer."""
        connection = await self.session.connection()
        statement, params = advance_call(
            session_id,
            current_step=current_step,
            selections=selections,
            phone_number=phone_number,
            customer_ref=customer_ref,
            customer_id_masked=customer_id_masked,
            now=now,
        )
        return bool((await connection.execute(statement, params)).rowcount)

    async def update_progress(
        self,
        session_id: str,
        *,
        current_step: str | None = None,
        selections: Mapping[str, Any] | None = None,
        customer_ref: str | None = None,
        customer_id_masked: str | None = None,
        phone_number: str | None = None,
        now: datetime | None = None,
    ) -> RenewalRecord:
        """Move a running renewal forward; `selections` is merged key by key."""
        record = await self.require(session_id)
        if record.status != RenewalStatus.IN_PROGRESS:
            raise Conflict(f"renewal session {session_id} is {record.status}")
        if current_step is not None:
            record.current_step = current_step
        if selections:
            record.selections = {**record.selections, **selections}  # new object: JSON change
        if customer_ref is not None:
            record.customer_ref = customer_ref
        if customer_id_masked is not None:
            record.customer_id_masked = customer_id_masked
        if phone_number is not None:
            record.phone_number = phone_number
        record.updated_at = now or utc_now()
        await self.session.flush()
        return record

    async def update_status(
        self,
        session_id: str,
        status: RenewalStatus | str,
        *,
        operator: str,
        reason: str | None = None,
        sale_confirmed: bool | None = None,
        now: datetime | None = None,
    ) -> RenewalRecord:
        """Move to `status` if allowed from the current one (checked in the UPDATE itself, so
        two concurrent submits cannot both win) and append an audit entry.

        Raises NotFound for an unknown session and Conflict for a forbidden transition.
        """
        now = now or utc_now()
        try:
            target = RenewalStatus(status)
        except ValueError:
            raise InvalidInput(f"unknown renewal status {status!r}") from None
        allowed_from = [src for src, dst in RENEWAL_TRANSITIONS.items() if target in dst]
        values: dict[str, Any] = {"status": target.value, "updated_at": now}
        if target is RenewalStatus.COMPLETED:
            values["completed_at"] = now
        if sale_confirmed is not None:
            values["is_sale_confirmed"] = sale_confirmed
        status_from = (await self.require(session_id, fresh=True)).status
        result = await self.session.execute(
            sa.update(RenewalRecord)
            .where(
                RenewalRecord.session_id == session_id,
                RenewalRecord.status.in_(allowed_from),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            latest = await self.require(session_id, fresh=True)
            raise Conflict(
                f"renewal session {session_id} cannot go from {latest.status} to {target}",
                status=latest.status,
            )
        await AuditRepository(self.session).append(
            RENEWAL_ENTITY,
            session_id,
            status_from=status_from,
            status_to=target.value,
            operator=operator,
            reason=reason,
            detail={"sale_confirmed": sale_confirmed} if sale_confirmed is not None else None,
            now=now,
        )
        return await self.require(session_id, fresh=True)

    async def list_for_staff(
        self, staff_id: int, *, status: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[RenewalRecord]:
        """Newest first; `limit`/`offset` compile to OFFSET/FETCH FIRST on Oracle."""
        stmt = sa.select(RenewalRecord).where(RenewalRecord.staff_id == staff_id)
        if status is not None:
            stmt = stmt.where(RenewalRecord.status == status)
        stmt = (
            stmt.order_by(RenewalRecord.started_at.desc(), RenewalRecord.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.scalars(stmt)).all())


@dataclass(frozen=True)
class RenewalHistoryFilter:
    """Whose renewals (one staff member, one store, or all) over a UTC window, by status."""

    lower: datetime
    upper: datetime
    staff_id: int | None = None
    store_id: str | None = None
    status: str | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        where = [RenewalRecord.started_at >= self.lower, RenewalRecord.started_at < self.upper]
        if self.staff_id is not None:
            where.append(RenewalRecord.staff_id == self.staff_id)
        if self.store_id is not None:
            where.append(RenewalRecord.store_id == self.store_id)
        if self.status is not None:
            where.append(RenewalRecord.status == self.status)
        return where


async def renewal_history_page(
    session: AsyncSession, where: RenewalHistoryFilter, *, limit: int, offset: int
) -> tuple[list[tuple[RenewalRecord, str | None]], int]:
    """One page of renewals, newest first, with the staff member's display name; and the total
    (`limit`/`offset` compile to OFFSET/FETCH FIRST on Oracle)."""
    conditions = where.where()
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(RenewalRecord).where(*conditions)
    )
    stmt = (
        sa.select(RenewalRecord, User.display_name)
        .outerjoin(User, User.id == RenewalRecord.staff_id)
        .where(*conditions)
        .order_by(RenewalRecord.started_at.desc(), RenewalRecord.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows: list[tuple[RenewalRecord, str | None]] = [
        (record, name) for record, name in (await session.execute(stmt)).all()
    ]
    return rows, int(total or 0)


class CustomerServiceLogRepository:
    """Service events (submit, quote printed, ...) per session and staff."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        action: str,
        *,
        staff_id: int | None = None,
        store_id: str | None = None,
        session_id: str | None = None,
        customer_ref: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> CustomerServiceLog:
        log = CustomerServiceLog(
            action=action,
            staff_id=staff_id,
            store_id=store_id,
            session_id=session_id,
            customer_ref=customer_ref,
            detail=dict(detail) if detail is not None else None,
            created_at=now or utc_now(),
        )
        self.session.add(log)
        await self.session.flush()
        return log

    async def list_for_session(self, session_id: str) -> list[CustomerServiceLog]:
        stmt = (
            sa.select(CustomerServiceLog)
            .where(CustomerServiceLog.session_id == session_id)
            .order_by(CustomerServiceLog.created_at, CustomerServiceLog.id)
        )
        return list((await self.session.scalars(stmt)).all())


def usage_cost(
    prices: Mapping[str, tuple[float, float]],
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
) -> Decimal:
    """USD cost from `Settings.llm_prices` (per 1k tokens); unknown models cost 0."""
    prompt_price, completion_price = prices.get(model, (0.0, 0.0))
    cost = (
        Decimal(str(prompt_price)) * prompt_tokens
        + Decimal(str(completion_price)) * completion_tokens
    ) / 1000
    return cost.quantize(Decimal("0.000001"))


class AiUsageRepository:
    """One row per model call, for the statistics and cost reports."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, usage_type: str, model: str, **columns: Unpack[UsageColumns]) -> AiUsageLog:
        log = AiUsageLog(**usage_values(usage_type, model, **columns))
        self.session.add(log)
        await self.session.flush()
        return log
