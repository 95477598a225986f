"""Seed 003 v2.9 ticket routes: `/api/tickets*` and `GET /api/sessions/{session_name}/ticket`.

HTTP only: bodies and query parameters are validated here, every rule lives in
`TicketService`. Agents and admins only (`customer_service`); store staff get 403, customers
401 (their token is not a staff token).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, get, patch, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import customer_service
from api.auth.services import Principal
from api.chat.schemas import SESSION_NAME_PATTERN
from api.errors import error_responses
from api.tickets.dependencies import TICKET_DEPENDENCIES
from api.tickets.schemas import (
    AssignRequest,
    CommentRequest,
    MaybeTicketResponse,
    Sort,
    StatusRequest,
    TicketCreate,
    TicketPageResponse,
    TicketPatch,
    TicketResponse,
)
from api.tickets.services import TicketService
from api.tickets.sla import SlaStatus
from core.db.models.tickets import TicketCategory, TicketDepartment, TicketPriority, TicketStatus

TAGS = ("tickets",)
TICKET_ID = Parameter(pattern=r"^ticket_[0-9a-f]{16}$", max_length=40, description="ticket_id")
SESSION = Parameter(pattern=SESSION_NAME_PATTERN, max_length=64)
WRITES = (
    "Answers the whole ticket (new `version`, `sla_status`, `activity_log`); the change is "
    "pushed to the agents' workbench stream as a `ticket` event."
)


def _route(method: Any, path: str, summary: str, *statuses: int, **kwargs: Any) -> Any:
    return method(
        path,
        guards=[customer_service],
        security=BEARER,
        summary=summary,
        responses=error_responses(*statuses),
        **kwargs,
    )


def _utc(at: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


class TicketsController(Controller):
    path = "/api/tickets"
    tags = TAGS  # type: ignore[assignment]
    dependencies = TICKET_DEPENDENCIES  # type: ignore[assignment]

    @_route(
        post,
        "/",
        "Create a ticket, from a chat session or by hand",
        400,
        401,
        403,
        404,
        409,
        422,
        status_code=200,
        description="`TK-<year><serial>` number, SLA deadlines from category × priority, "
        "`created` activity row. With `session_id`: the AI summary and the customer's profile "
        "come from the session (404 SESSION_NOT_FOUND), one open ticket per session (409 "
        "TICKET_EXISTS with its `ticket_id`). " + WRITES,
    )
    async def create(
        self, data: TicketCreate, tickets: TicketService, principal: Principal
    ) -> TicketResponse:
        return TicketResponse.model_validate({"data": await tickets.create(principal, data)})

    @_route(get, "/", "List tickets: filters, keyword, paging, sort", 400, 401, 403, 422)
    async def search(
        self,
        tickets: TicketService,
        principal: Principal,
        status: TicketStatus | None = None,
        priority: TicketPriority | None = None,
        category: TicketCategory | None = None,
        department: TicketDepartment | None = None,
        assignee_id: str | None = Parameter(default=None, pattern=r"^[A-Za-z0-9_.-]{1,32}$"),
        session_id: str | None = Parameter(
            default=None, pattern=SESSION_NAME_PATTERN, max_length=64
        ),
        created_from: datetime | None = Parameter(
            default=None, description="ISO 8601, inclusive (no offset: UTC)"
        ),
        created_to: datetime | None = Parameter(
            default=None, description="ISO 8601, exclusive (no offset: UTC)"
        ),
        sla_status: SlaStatus | None = Parameter(
            default=None, description="within / warning / breached, at the time of the request"
        ),
        keyword: str | None = Parameter(
            default=None, min_length=1, max_length=100, description="number, title, text, customer"
        ),
        page: int = Parameter(default=1, ge=1, le=100_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
        sort: Sort = Parameter(default="-created_at", description="`-` first: descending"),
    ) -> TicketPageResponse:
        where = {
            "status": status.value if status else None,
            "priority": priority.value if priority else None,
            "category": category.value if category else None,
            "department": department.value if department else None,
            "assignee_id": assignee_id,
            "session_id": session_id,
            "created_from": _utc(created_from),
            "created_to": _utc(created_to),
            "sla_status": sla_status.value if sla_status else None,
            "keyword": keyword,
        }
        listed = await tickets.search(
            principal.tenant, where, sort=sort, page=page, page_size=page_size
        )
        return TicketPageResponse.model_validate({"data": listed})

    @_route(get, "/{ticket_id:str}", "A ticket with its comments and activity log", 401, 403, 404)
    async def read(
        self, tickets: TicketService, principal: Principal, ticket_id: str = TICKET_ID
    ) -> TicketResponse:
        return TicketResponse.model_validate(
            {"data": await tickets.get(principal.tenant, ticket_id)}
        )

    @_route(
        patch,
        "/{ticket_id:str}",
        "Edit title, description, priority, tags (optimistic lock)",
        400,
        401,
        403,
        404,
        409,
        422,
        description="`version` is the one you read: if the ticket changed since, 409 "
        "VERSION_CONFLICT with `details.current_version` and nothing is written. A new "
        "priority moves the SLA deadlines. 400 NO_FIELDS_TO_UPDATE. " + WRITES,
    )
    async def update(
        self,
        data: TicketPatch,
        tickets: TicketService,
        principal: Principal,
        ticket_id: str = TICKET_ID,
    ) -> TicketResponse:
        view = await tickets.update(principal, ticket_id, data.version, data.changes())
        return TicketResponse.model_validate({"data": view})

    @_route(
        post,
        "/{ticket_id:str}/assign",
        "Assign the ticket to an agent (and department)",
        400,
        401,
        403,
        404,
        409,
        422,
        status_code=200,
        description="`assignee_id`: the agent's username or numeric id (404 AGENT_NOT_FOUND); "
        "the name shown is the account's. Optional `version` (409 VERSION_CONFLICT). " + WRITES,
    )
    async def assign(
        self,
        data: AssignRequest,
        tickets: TicketService,
        principal: Principal,
        ticket_id: str = TICKET_ID,
    ) -> TicketResponse:
        view = await tickets.assign(principal, ticket_id, data)
        return TicketResponse.model_validate({"data": view})

    @_route(
        post,
        "/{ticket_id:str}/status",
        "Move the ticket along its workflow",
        400,
        401,
        403,
        404,
        409,
        422,
        status_code=200,
        description="Only the seed's transitions (docs/tickets.md): otherwise 409 "
        "INVALID_TRANSITION with `details.allowed`. Optional `comment` (kept in the activity "
        "row) and `version`. " + WRITES,
    )
    async def change_status(
        self,
        data: StatusRequest,
        tickets: TicketService,
        principal: Principal,
        ticket_id: str = TICKET_ID,
    ) -> TicketResponse:
        view = await tickets.change_status(principal, ticket_id, data)
        return TicketResponse.model_validate({"data": view})

    @_route(
        post,
        "/{ticket_id:str}/comments",
        "Comment on the ticket (internal or customer-visible)",
        400,
        401,
        403,
        404,
        422,
        status_code=200,
        description="`is_internal`: for agents only. Comments do not change `version`. " + WRITES,
    )
    async def comment(
        self,
        data: CommentRequest,
        tickets: TicketService,
        principal: Principal,
        ticket_id: str = TICKET_ID,
    ) -> TicketResponse:
        view = await tickets.comment(principal, ticket_id, data)
        return TicketResponse.model_validate({"data": view})


class SessionTicketController(Controller):
    path = "/api/sessions"
    tags = TAGS  # type: ignore[assignment]
    dependencies = TICKET_DEPENDENCIES  # type: ignore[assignment]

    @_route(
        get,
        "/{session_name:str}/ticket",
        "The chat session's ticket, or null",
        400,
        401,
        403,
        description="The session's open ticket, else its newest closed one; `data: null` "
        "when it never had one.",
    )
    async def for_session(
        self, tickets: TicketService, principal: Principal, session_name: str = SESSION
    ) -> MaybeTicketResponse:
        return MaybeTicketResponse.model_validate(
            {"data": await tickets.for_session(principal.tenant, session_name)}
        )
