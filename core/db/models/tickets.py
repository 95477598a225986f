"""Tickets (seed 003 v2.9, seed 001 §3): the ticket, its activity log and its comments.

A ticket has two identities: `id` (the identity key the child tables point at) and the public
`ticket_id` (`ticket_<16 hex>`) and `ticket_number` (`TK-<year><5 digits>`) the seed's API shows.
`version` is the optimistic lock: every change of the ticket's own fields bumps it, and an
update only applies `WHERE version = <the version the client read>`.

SLA deadlines are stored (computed from category × priority when the ticket is created or its
priority changes, see api/tickets/sla.py), with the moment each clock turns to `warning`, so
`sla_status` can be filtered in SQL for any `now` without date arithmetic in the database.

Ticket numbers come from `ticket_counters` (one row per year): the UPDATE that takes the next
serial locks that row until the creating transaction ends, so concurrent creates on any number
of instances queue for a number instead of colliding and retrying.

`open_session_id` holds `session_id` while the ticket is open and NULL once it is closed: a
plain UNIQUE constraint then allows one open ticket per chat session on every backend (NULLs
never collide, also on Oracle), without a partial index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Vocabulary, enum_check
from core.db.models.tenants import tenant_fk
from core.db.types import BigId, Flag, JsonDoc, UtcDateTime, utc_now


class TicketStatus(Vocabulary):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_PARTS = "waiting_parts"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketCategory(Vocabulary):
    PRE_SALES = "pre_sales"
    ORDER_MODIFY = "order_modify"
    SHIPPING = "shipping"
    AFTER_SALES = "after_sales"
    COMPLIANCE = "compliance"
    TECHNICAL = "technical"
    RETURNS = "returns"
    WARRANTY = "warranty"


class TicketPriority(Vocabulary):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketDepartment(Vocabulary):
    SALES_EU = "sales_eu"
    SERVICE_CN = "service_cn"
    WAREHOUSE = "warehouse"
    COMPLIANCE = "compliance"
    TECHNICAL = "technical"
    LOGISTICS = "logistics"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        enum_check("status", TicketStatus.values()),
        enum_check("category", TicketCategory.values()),
        enum_check("priority", TicketPriority.values()),
        enum_check("department", TicketDepartment.values()),
        sa.CheckConstraint("version >= 1", name="version"),
        sa.Index(None, "status", "created_at"),
        sa.Index(None, "assignee_id", "status"),
        sa.Index(None, "created_at"),
        sa.Index("ix_tkt_tenant_status", "tenant_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    tenant_id: Mapped[str] = tenant_fk()
    ticket_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    ticket_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text())
    status: Mapped[str] = mapped_column(
        sa.String(20), default=TicketStatus.PENDING.value, server_default=TicketStatus.PENDING.value
    )
    category: Mapped[str] = mapped_column(sa.String(20))
    priority: Mapped[str] = mapped_column(
        sa.String(10),
        default=TicketPriority.NORMAL.value,
        server_default=TicketPriority.NORMAL.value,
    )
    department: Mapped[str] = mapped_column(sa.String(20))
    customer_id: Mapped[str] = mapped_column(sa.String(64))
    order_id: Mapped[str | None] = mapped_column(sa.String(64))
    bike_model: Mapped[str | None] = mapped_column(sa.String(64))
    vin: Mapped[str | None] = mapped_column(sa.String(32))
    session_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    open_session_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    ai_summary: Mapped[str | None] = mapped_column(sa.Text())
    customer_profile: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc())
    tags: Mapped[list[str]] = mapped_column(JsonDoc(), default=list)
    assignee_id: Mapped[str | None] = mapped_column(sa.String(32))
    assignee_name: Mapped[str | None] = mapped_column(sa.String(64))
    created_by: Mapped[str] = mapped_column(sa.String(32))
    created_by_name: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))
    sla_response_due: Mapped[datetime] = mapped_column(UtcDateTime())
    sla_response_warn_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sla_resolution_due: Mapped[datetime] = mapped_column(UtcDateTime())
    sla_resolution_warn_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class TicketActivity(Base):
    """One change of a ticket: who (`operator_*`), what (`action`, `description`), and the
    values before and after (`details`). Append-only."""

    __tablename__ = "ticket_activities"
    __table_args__ = (sa.Index(None, "ticket_ref", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    ticket_ref: Mapped[int] = mapped_column(BigId, sa.ForeignKey("tickets.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.String(500))
    operator_id: Mapped[str] = mapped_column(sa.String(32))
    operator_name: Mapped[str] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class TicketComment(Base):
    """A comment; `is_internal` ones are for agents only, the others may be shown to the
    customer."""

    __tablename__ = "ticket_comments"
    __table_args__ = (sa.Index(None, "ticket_ref", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    comment_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    ticket_ref: Mapped[int] = mapped_column(BigId, sa.ForeignKey("tickets.id"))
    content: Mapped[str] = mapped_column(sa.Text())
    author_id: Mapped[str] = mapped_column(sa.String(32))
    author_name: Mapped[str] = mapped_column(sa.String(64))
    mentions: Mapped[list[str]] = mapped_column(JsonDoc(), default=list)
    is_internal: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class TicketCounter(Base):
    """The last serial handed out in a year (`TK-<year><serial>`)."""

    __tablename__ = "ticket_counters"
    __table_args__ = (sa.CheckConstraint("last_serial >= 0", name="last_serial"),)

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(sa.Integer, default=0)
