"""Ticket operations: who acts, the rules (SLA, transitions, locking), the activity log, events.

Every write is one transaction: read the ticket, apply the rule, compare-and-set the row on the
version read, append the activity row. With a client `version` (PATCH always; assign and
status when given) a row that moved on is 409 VERSION_CONFLICT with the current version;
without one, a lost race re-reads and re-checks the rule (a status change is re-validated
against the status that won). After the commit the change goes to the agents' workbench
stream as a `ticket` event; a failed publish is logged, never undone in the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.realtime.hub import EventHub, workbench_channel
from api.tickets import sla
from api.tickets.schemas import AssignRequest, CommentRequest, StatusRequest, TicketCreate
from api.tickets.summary import SessionFacts, session_facts
from api.tickets.transitions import check_transition
from api.tickets.views import epoch, ticket_view
from core.db.models import Ticket, TicketComment, TicketStatus, User, UserRole
from core.db.repositories.accounts import UserRepository
from core.db.repositories.stats import TAIPEI_OFFSET
from core.db.repositories.tickets import TicketFilter, TicketRepository, new_public_id
from core.db.types import utc_now
from core.errors import Conflict, InvalidInput, NotFound
from core.logging import get_logger
from graphs.supervision.service import SupervisionService

log = get_logger(__name__)

AGENT_ROLES: Final = (UserRole.AGENT.value, UserRole.ADMIN.value)
RACE_ATTEMPTS: Final = 5
UNASSIGNED: Final = "未分配"
STALE: Final = "工單已被其他操作修改，請重新整理後重試 / the ticket was changed by someone else"

Operator = tuple[str, str]  # (username, display name)


@dataclass
class Change:
    """What one write does: column values, and its activity row."""

    action: str
    description: str
    values: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] | None = None


def stale(current: int, sent: int) -> Conflict:
    return Conflict(STALE, code="VERSION_CONFLICT", current_version=current, your_version=sent)


def _changes(ticket: Ticket, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"before": getattr(ticket, name), "after": value}
        for name, value in values.items()
        if getattr(ticket, name) != value
    }


class TicketService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventHub,
        supervision: SupervisionService,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions, self.hub, self.supervision, self.clock = sessions, hub, supervision, clock

    # --- reads --------------------------------------------------------------------------------
    async def get(self, tenant: str, ticket_id: str) -> dict[str, Any]:
        async with self.sessions() as db:
            repo = TicketRepository(db, tenant)
            return await ticket_view(repo, await self._require(repo, ticket_id), self.clock())

    async def for_session(self, tenant: str, session_name: str) -> dict[str, Any] | None:
        async with self.sessions() as db:
            repo = TicketRepository(db, tenant)
            ticket = await repo.latest_for_session(session_name)
            return None if ticket is None else await ticket_view(repo, ticket, self.clock())

    async def search(
        self, tenant: str, where: Mapping[str, Any], *, sort: str, page: int, page_size: int
    ) -> dict[str, Any]:
        now = self.clock()
        async with self.sessions() as db:
            repo = TicketRepository(db, tenant)
            rows, total = await repo.search(
                TicketFilter(now=now, **where),
                sort=sort,
                offset=(page - 1) * page_size,
                limit=page_size,
            )
            items = [await ticket_view(repo, t, now, summary=True) for t in rows]
        return {
            "items": items,
            "total": total,
            "page": page,
            "page_size": page_size,
            "total_pages": math.ceil(total / page_size) if total else 0,
        }

    # --- writes -------------------------------------------------------------------------------
    async def create(self, principal: Principal, body: TicketCreate) -> dict[str, Any]:
        if body.customer_id is None and body.session_id is None:
            raise InvalidInput(
                "customer_id is required when no session_id is given", field="customer_id"
            )
        facts = SessionFacts()
        if body.session_id is not None:
            facts = session_facts(await self.supervision.get_session(body.session_id))
        now = self.clock()
        plan = sla.plan(body.category, body.priority, now)
        async with self.sessions() as db, db.begin():
            operator = await self._operator(db, principal)
            repo = TicketRepository(db, principal.tenant)
            ticket = Ticket(
                ticket_id=new_public_id("ticket"),
                title=body.title,
                description=body.description,
                status=TicketStatus.PENDING.value,
                category=body.category.value,
                priority=body.priority.value,
                department=body.department.value,
                customer_id=body.customer_id or facts.customer_id or str(body.session_id),
                order_id=body.order_id,
                bike_model=body.bike_model,
                vin=body.vin,
                session_id=body.session_id,
                open_session_id=body.session_id,
                ai_summary=body.ai_summary or facts.summary,
                customer_profile=facts.profile,
                tags=list(dict.fromkeys(body.tags)),
                created_by=operator[0],
                created_by_name=operator[1],
                version=1,
                **_sla_columns(plan),
                created_at=now,
                updated_at=now,
            )
            await repo.add(ticket, (now + TAIPEI_OFFSET).year)  # the year staff live in
            await repo.log(
                ticket,
                "created",
                f"工單建立: {ticket.title}",
                operator=operator,
                details={"session_id": body.session_id} if body.session_id else None,
                now=now,
            )
            view = await ticket_view(repo, ticket, now)
        await self._announce(principal.tenant, "created", view, operator)
        return view

    async def update(
        self, principal: Principal, ticket_id: str, version: int, changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """PATCH: title, description, priority, tags; a new priority moves the SLA deadlines
        (counted from the creation time)."""
        if not changes:
            raise InvalidInput("沒有要更新的欄位 / nothing to update", code="NO_FIELDS_TO_UPDATE")

        def change(ticket: Ticket, now: datetime) -> Change | None:
            values = {k: (v.value if hasattr(v, "value") else v) for k, v in changes.items()}
            if "tags" in values:
                values["tags"] = list(dict.fromkeys(values["tags"]))
            diff = _changes(ticket, values)
            if "priority" in diff:
                plan = sla.plan(ticket.category, values["priority"], ticket.created_at)
                moved = _sla_columns(plan)
                diff["sla_deadline"] = {
                    "before": epoch(ticket.sla_resolution_due),
                    "after": epoch(moved["sla_resolution_due"]),
                }
                values.update(moved)
            if not diff:
                return None
            return Change("updated", f"更新工單: {', '.join(diff)}", values, {"changes": diff})

        return await self._write(principal, ticket_id, version, change)

    async def assign(
        self, principal: Principal, ticket_id: str, body: AssignRequest
    ) -> dict[str, Any]:
        async with self.sessions() as db:
            assignee = await _agent(UserRepository(db), body.assignee_id, principal.tenant)

        def change(ticket: Ticket, now: datetime) -> Change | None:
            department = body.department.value if body.department else ticket.department
            values = {
                "assignee_id": assignee.username,
                "assignee_name": assignee.display_name,
                "department": department,
            }
            diff = _changes(ticket, values)
            if not diff:
                return None
            before = ticket.assignee_name or UNASSIGNED
            text = f"工單從 {before} 指派給 {assignee.display_name} ({department})"
            return Change("assigned", text, values, {"changes": diff})

        return await self._write(principal, ticket_id, body.version, change)

    async def change_status(
        self, principal: Principal, ticket_id: str, body: StatusRequest
    ) -> dict[str, Any]:
        target = body.status.value

        def change(ticket: Ticket, now: datetime) -> Change:
            check_transition(ticket.status, target)
            values: dict[str, Any] = {"status": target}
            if ticket.first_response_at is None:
                values["first_response_at"] = now  # leaving pending is the first response
            if target == TicketStatus.RESOLVED:
                values["resolved_at"] = now
            elif ticket.status == TicketStatus.RESOLVED and target == TicketStatus.IN_PROGRESS:
                values["resolved_at"] = None  # reopened: the resolution clock runs again
            if target == TicketStatus.CLOSED:
                values.update(closed_at=now, open_session_id=None)
            details: dict[str, Any] = {"changes": {"status": {"before": ticket.status,
                                                              "after": target}}}  # fmt: skip
            if body.comment:
                details["comment"] = body.comment
            text = f"狀態從 {ticket.status} 變更為 {target}"
            return Change("status_changed", text, values, details)

        return await self._write(principal, ticket_id, body.version, change)

    async def comment(
        self, principal: Principal, ticket_id: str, body: CommentRequest
    ) -> dict[str, Any]:
        """Comments do not bump `version` (two agents commenting never conflict); a first
        customer-visible comment is the first response."""
        now = self.clock()
        async with self.sessions() as db, db.begin():
            operator = await self._operator(db, principal)
            repo = TicketRepository(db, principal.tenant)
            ticket = await self._require(repo, ticket_id)
            comment = await repo.add_comment(
                TicketComment(
                    comment_id=new_public_id("comment"),
                    ticket_ref=ticket.id,
                    content=body.content,
                    author_id=operator[0],
                    author_name=operator[1],
                    mentions=list(dict.fromkeys(body.mentions)),
                    is_internal=body.is_internal,
                    created_at=now,
                )
            )
            if not body.is_internal and ticket.first_response_at is None:
                ticket.first_response_at = now
                await db.flush()
            await repo.log(
                ticket,
                "commented",
                f"{operator[1]} 新增了{'內部' if body.is_internal else ''}評論",
                operator=operator,
                details={"comment_id": comment.comment_id, "is_internal": body.is_internal,
                         "mentions": comment.mentions},
            now=now)  # fmt: skip
            view = await ticket_view(repo, ticket, now)
        await self._announce(principal.tenant, "commented", view, operator)
        return view

    # --- the one write path -------------------------------------------------------------------
    async def _write(
        self,
        principal: Principal,
        ticket_id: str,
        sent_version: int | None,
        change: Callable[[Ticket, datetime], Change | None],
    ) -> dict[str, Any]:
        for _ in range(RACE_ATTEMPTS):
            now = self.clock()
            async with self.sessions() as db, db.begin():
                operator = await self._operator(db, principal)
                repo = TicketRepository(db, principal.tenant)
                ticket = await self._require(repo, ticket_id, fresh=True)
                read = ticket.version
                if sent_version is not None and read != sent_version:
                    raise stale(read, sent_version)
                planned = change(ticket, now)
                if planned is None:  # nothing differs: no version bump, no activity row
                    return await ticket_view(repo, ticket, now)
                if not await repo.update_if_version(ticket, read, {**planned.values,
                                                                   "updated_at": now}):  # fmt: skip
                    if sent_version is not None:
                        latest = await self._require(repo, ticket_id, fresh=True)
                        raise stale(latest.version, sent_version)
                    continue  # lost a race without a client version: re-read, re-check
                ticket = await self._require(repo, ticket_id, fresh=True)
                await repo.log(ticket, planned.action, planned.description, operator=operator,
                               details=planned.details, now=now)  # fmt: skip
                view = await ticket_view(repo, ticket, now)
            await self._announce(principal.tenant, planned.action, view, operator)
            return view
        raise Conflict(STALE, code="VERSION_CONFLICT")

    async def _require(self, repo: TicketRepository, ticket_id: str, **kw: Any) -> Ticket:
        ticket = await repo.get(ticket_id, **kw)
        if ticket is None:
            raise NotFound(f"工單不存在: {ticket_id}", code="TICKET_NOT_FOUND", ticket_id=ticket_id)
        return ticket

    async def _operator(self, db: AsyncSession, principal: Principal) -> Operator:
        user = await UserRepository(db).get(principal.user_id)
        return principal.username, (user.display_name if user else principal.username)

    async def _announce(
        self, tenant: str, action: str, view: Mapping[str, Any], operator: Operator
    ) -> None:
        event = {
            "type": "ticket",
            "action": action,
            **{k: view[k] for k in ("ticket_id", "ticket_number", "session_id", "status",
                                    "priority", "assignee_id", "version", "sla_status")},
            "operator": {"id": operator[0], "name": operator[1]},
            "timestamp": epoch(self.clock()),
        }  # fmt: skip
        try:
            await self.hub.publish([workbench_channel(tenant)], event)
        except Exception as exc:  # the change is committed; streams catch up on the next read
            log.warning("ticket_event_not_published", action=action, error=type(exc).__name__)


def _sla_columns(plan: sla.SlaPlan) -> dict[str, datetime]:
    return {
        "sla_response_due": plan.response.due,
        "sla_response_warn_at": plan.response.warn_at,
        "sla_resolution_due": plan.resolution.due,
        "sla_resolution_warn_at": plan.resolution.warn_at,
    }


async def _agent(users: UserRepository, agent_id: str | int, tenant: str) -> User:
    """An active agent/admin by numeric id or username (404 AGENT_NOT_FOUND otherwise)."""
    user = None if isinstance(agent_id, int) else await users.get_by_login(agent_id)
    if user is None and str(agent_id).isdigit() and int(agent_id) < 2**31:
        user = await users.get(int(agent_id))
    if (
        user is None
        or not user.is_active
        or user.role not in AGENT_ROLES
        or user.tenant_id != tenant  # another tenant's agent: unknown here
    ):
        raise NotFound(f"agent {agent_id} not found", code="AGENT_NOT_FOUND")
    return user
