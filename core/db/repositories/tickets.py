"""Tickets, their activity log and comments: the queries (seed 003 v2.9).

Numbers come from a per-year counter row (`ticket_counters`). Every change of a ticket's own
fields is a compare-and-set on `version` (`update_if_version`): the UPDATE itself says
`WHERE version = :read`, so of two writers that read the same version exactly one wins, on any
backend and any number of API instances, without holding a row lock across the request. The
SLA filter is plain comparisons against stored deadlines and a bound `now` (no date arithmetic
in SQL), so it reads the same on SQLite, PostgreSQL and Oracle.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Ticket, TicketActivity, TicketComment, TicketCounter, TicketStatus
from core.errors import Conflict

NUMBER_PREFIX: Final = "TK-"
NUMBER_ATTEMPTS: Final = 8
PRIORITY_RANK: Final = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
SORT_COLUMNS: Final[dict[str, Any]] = {
    "created_at": Ticket.created_at,
    "updated_at": Ticket.updated_at,
    "sla_deadline": Ticket.sla_resolution_due,
    "ticket_number": Ticket.ticket_number,
    "priority": sa.case(PRIORITY_RANK, value=Ticket.priority, else_=9),
}


def new_public_id(kind: str) -> str:
    """`ticket_<16 hex>` / `comment_<16 hex>`, the seed's id shape."""
    return f"{kind}_{secrets.token_hex(8)}"


def ticket_number(year: int, serial: int) -> str:
    """`TK-202600001`: the year, then a per-year serial of at least five digits."""
    return f"{NUMBER_PREFIX}{year}{serial:05d}"


def _responded() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(Ticket.first_response_at, Ticket.resolved_at)


def sla_clauses(now: datetime) -> dict[str, sa.ColumnElement[bool]]:
    """`within` / `warning` / `breached` as SQL at `now`, mirroring api/tickets/sla.py. Each
    comparison on a nullable column is guarded, so NOT(...) never meets a NULL."""
    responded = _responded()
    response_breached = sa.or_(
        sa.and_(responded.is_(None), Ticket.sla_response_due <= now),
        sa.and_(responded.is_not(None), responded > Ticket.sla_response_due),
    )
    resolution_breached = sa.or_(
        sa.and_(Ticket.resolved_at.is_(None), Ticket.sla_resolution_due <= now),
        sa.and_(Ticket.resolved_at.is_not(None), Ticket.resolved_at > Ticket.sla_resolution_due),
    )
    breached = sa.or_(response_breached, resolution_breached)
    late = sa.or_(
        sa.and_(responded.is_(None), Ticket.sla_response_warn_at <= now),
        sa.and_(Ticket.resolved_at.is_(None), Ticket.sla_resolution_warn_at <= now),
    )
    return {
        "breached": breached,
        "warning": sa.and_(sa.not_(breached), late),
        "within": sa.and_(sa.not_(breached), sa.not_(late)),
    }


@dataclass(frozen=True)
class TicketFilter:
    """What a ticket list keeps; every given field narrows it. `keyword` matches a part of
    the number, title, description or customer id, any letter case, `%`/`_` literal."""

    now: datetime
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    department: str | None = None
    assignee_id: str | None = None
    session_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sla_status: str | None = None
    keyword: str | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        exact = {
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "department": self.department,
            "assignee_id": self.assignee_id,
            "session_id": self.session_id,
        }
        clauses = [getattr(Ticket, k) == v for k, v in exact.items() if v is not None]
        if self.created_from is not None:
            clauses.append(Ticket.created_at >= self.created_from)
        if self.created_to is not None:
            clauses.append(Ticket.created_at < self.created_to)
        if self.sla_status is not None:
            clauses.append(sla_clauses(self.now)[self.sla_status])
        if self.keyword:
            needle = self.keyword.lower()
            clauses.append(
                sa.or_(
                    *(
                        sa.func.lower(column).contains(needle, autoescape=True)
                        for column in (
                            Ticket.ticket_number,
                            Ticket.title,
                            Ticket.description,
                            Ticket.customer_id,
                        )
                    )
                )
            )
        return clauses


class TicketRepository:
    """One tenant's tickets: every read filters by `tenant_id` and `add` stamps it, so another
    tenant's ticket is "not found" (the ticket counter is shared: numbers stay unique)."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- tickets ------------------------------------------------------------------------------
    async def _next_serial(self, year: int) -> int:
        """Take the year's next serial. The UPDATE locks the counter row until the caller's
        transaction ends, so concurrent creates queue here; a year's first ticket inserts the
        row (two first tickets at once: the loser's INSERT fails and it takes the UPDATE)."""
        for _ in range(NUMBER_ATTEMPTS):
            bumped = await self.session.execute(
                sa.update(TicketCounter)
                .where(TicketCounter.year == year)
                .values(last_serial=TicketCounter.last_serial + 1)
                .execution_options(synchronize_session=False)
            )
            if getattr(bumped, "rowcount", 0) == 1:
                stmt = sa.select(TicketCounter.last_serial).where(TicketCounter.year == year)
                return int(await self.session.scalar(stmt) or 0)
            try:
                async with self.session.begin_nested():
                    await self.session.execute(
                        sa.insert(TicketCounter).values(year=year, last_serial=1)
                    )
                return 1
            except IntegrityError:
                continue
        raise Conflict("could not allocate a ticket number, try again", code="TICKET_NUMBER_BUSY")

    async def add(self, ticket: Ticket, year: int) -> Ticket:
        """Insert with the year's next number `TK-<year>nnnnn`. A second open ticket of the
        same session is 409 TICKET_EXISTS (the unique `open_session_id`, so also when two
        creates race)."""
        ticket.tenant_id = self.tenant_id
        ticket.ticket_number = ticket_number(year, await self._next_serial(year))
        try:
            async with self.session.begin_nested():
                self.session.add(ticket)
                await self.session.flush()
        except IntegrityError:
            existing = None
            if ticket.open_session_id is not None:
                existing = await self.open_for_session(ticket.open_session_id)
            if existing is None:
                raise
            raise Conflict(
                f"會話已有未關閉的工單 {existing.ticket_number} / "
                "the session already has an open ticket",
                code="TICKET_EXISTS",
                ticket_id=existing.ticket_id,
                ticket_number=existing.ticket_number,
            ) from None
        return ticket

    async def get(self, ticket_id: str, *, fresh: bool = False) -> Ticket | None:
        stmt = sa.select(Ticket).where(
            Ticket.ticket_id == ticket_id, Ticket.tenant_id == self.tenant_id
        )
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one_or_none()

    async def open_for_session(self, session_id: str) -> Ticket | None:
        stmt = sa.select(Ticket).where(
            Ticket.open_session_id == session_id, Ticket.tenant_id == self.tenant_id
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def latest_for_session(self, session_id: str) -> Ticket | None:
        """The session's open ticket, else its newest closed one."""
        stmt = (
            sa.select(Ticket)
            .where(Ticket.session_id == session_id, Ticket.tenant_id == self.tenant_id)
            .order_by(
                sa.case((Ticket.status == TicketStatus.CLOSED.value, 1), else_=0),
                Ticket.created_at.desc(),
                Ticket.id.desc(),
            )
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def search(
        self, where: TicketFilter, *, sort: str, offset: int, limit: int
    ) -> tuple[list[Ticket], int]:
        """One page (`sort`: a SORT_COLUMNS key, `-` first for descending) and the total."""
        clauses = [*where.where(), Ticket.tenant_id == self.tenant_id]
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(Ticket).where(*clauses)
        )
        column = SORT_COLUMNS[sort.removeprefix("-")]
        order = column.desc() if sort.startswith("-") else column.asc()
        tie = Ticket.id.desc() if sort.startswith("-") else Ticket.id.asc()
        stmt = sa.select(Ticket).where(*clauses).order_by(order, tie).offset(offset).limit(limit)
        return list((await self.session.scalars(stmt)).all()), int(total or 0)

    async def update_if_version(
        self, ticket: Ticket, version: int, values: Mapping[str, Any]
    ) -> bool:
        """Apply `values` and bump the version only if the row still has `version`."""
        result = await self.session.execute(
            sa.update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.version == version)
            .values(**values, version=version + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    # --- activity log and comments ------------------------------------------------------------
    async def log(
        self,
        ticket: Ticket,
        action: str,
        description: str,
        *,
        operator: tuple[str, str],
        details: Mapping[str, Any] | None,
        now: datetime,
    ) -> TicketActivity:
        entry = TicketActivity(
            ticket_ref=ticket.id,
            action=action,
            description=description[:500],
            operator_id=operator[0],
            operator_name=operator[1],
            details=dict(details) if details else None,
            created_at=now,
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def activities(self, ticket: Ticket) -> list[TicketActivity]:
        stmt = (
            sa.select(TicketActivity)
            .where(TicketActivity.ticket_ref == ticket.id)
            .order_by(TicketActivity.created_at, TicketActivity.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def add_comment(self, comment: TicketComment) -> TicketComment:
        self.session.add(comment)
        await self.session.flush()
        return comment

    async def comments(self, ticket: Ticket, *, internal: bool = True) -> list[TicketComment]:
        """Oldest first; `internal=False` leaves the agents-only ones out."""
        stmt = sa.select(TicketComment).where(TicketComment.ticket_ref == ticket.id)
        if not internal:
            stmt = stmt.where(TicketComment.is_internal == False)  # noqa: E712
        stmt = stmt.order_by(TicketComment.created_at, TicketComment.id)
        return list((await self.session.scalars(stmt)).all())
