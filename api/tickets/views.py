"""A ticket as the API answers it: epoch times, the SLA status at `now`, comments and log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.tickets import sla
from api.tickets.transitions import allowed_next
from core.db.models import Ticket, TicketActivity, TicketComment
from core.db.repositories.tickets import TicketRepository


def epoch(at: datetime | None) -> float | None:
    """UTC epoch seconds with milliseconds, as the seed writes times."""
    return None if at is None else round(at.timestamp(), 3)


def plan_of(ticket: Ticket) -> sla.SlaPlan:
    return sla.SlaPlan(
        response=sla.SlaClock(ticket.sla_response_due, ticket.sla_response_warn_at),
        resolution=sla.SlaClock(ticket.sla_resolution_due, ticket.sla_resolution_warn_at),
    )


def status_at(ticket: Ticket, now: datetime) -> sla.SlaStatus:
    return sla.sla_status(
        plan_of(ticket),
        now,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
    )


def summary_view(ticket: Ticket, now: datetime) -> dict[str, Any]:
    return {
        "ticket_id": ticket.ticket_id,
        "ticket_number": ticket.ticket_number,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "department": ticket.department,
        "customer_id": ticket.customer_id,
        "session_id": ticket.session_id,
        "assignee_id": ticket.assignee_id,
        "assignee_name": ticket.assignee_name,
        "sla_deadline": epoch(ticket.sla_resolution_due),
        "sla_status": status_at(ticket, now).value,
        "version": ticket.version,
        "created_at": epoch(ticket.created_at),
        "updated_at": epoch(ticket.updated_at),
    }


def activity_view(entry: TicketActivity) -> dict[str, Any]:
    return {
        "action": entry.action,
        "description": entry.description,
        "operator_id": entry.operator_id,
        "operator_name": entry.operator_name,
        "timestamp": epoch(entry.created_at),
        "details": entry.details,
    }


def comment_view(comment: TicketComment) -> dict[str, Any]:
    return {
        "id": comment.comment_id,
        "content": comment.content,
        "author_id": comment.author_id,
        "author_name": comment.author_name,
        "mentions": list(comment.mentions or []),
        "created_at": epoch(comment.created_at),
        "is_internal": comment.is_internal,
    }


async def ticket_view(
    repo: TicketRepository, ticket: Ticket, now: datetime, *, summary: bool = False
) -> dict[str, Any]:
    """The list item (`summary`) or the whole ticket with its comments and activity log."""
    view = summary_view(ticket, now)
    if summary:
        return view
    view.update(
        description=ticket.description,
        order_id=ticket.order_id,
        bike_model=ticket.bike_model,
        vin=ticket.vin,
        tags=list(ticket.tags or []),
        ai_summary=ticket.ai_summary,
        customer_profile=ticket.customer_profile,
        sla_response_deadline=epoch(ticket.sla_response_due),
        first_response_at=epoch(ticket.first_response_at),
        resolved_at=epoch(ticket.resolved_at),
        closed_at=epoch(ticket.closed_at),
        created_by=ticket.created_by,
        created_by_name=ticket.created_by_name,
        allowed_transitions=allowed_next(ticket.status),
        comments=[comment_view(c) for c in await repo.comments(ticket)],
        attachments=[],
        activity_log=[activity_view(a) for a in await repo.activities(ticket)],
    )
    return view
