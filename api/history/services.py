"""History search and report loading over the conversation archive (agents and admins)."""

from __future__ import annotations

import math
import time
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.history.reports import (
    STATISTICS_PERIOD,
    MessageCounts,
    ReportInput,
    ReportPeriod,
    TicketTimes,
    build_report,
)
from api.history.rules import audit_row, search_words, seconds
from api.statistics.service import parse_day, period_range
from core.db.models import ConversationMessage, ConversationRecord, Ticket
from core.db.repositories import ConversationRepository, HistoryFilter
from core.db.repositories.stats import TAIPEI_OFFSET, utc_bounds
from core.errors import InvalidInput, NotFound
from graphs.supervision.language import SYSTEM_MESSAGES
from graphs.supervision.shift_store import ShiftStore

MAX_RANGE_DAYS: Final = 366


def _time(value: Any) -> int | None:
    return seconds(value) if value is not None else None


def summary(row: ConversationRecord) -> dict[str, Any]:
    """A conversation as the history list shows it (times in UTC seconds, as seed 003)."""
    agent = {"id": row.agent_id, "name": row.agent_name} if row.agent_id else None
    escalation = None
    if row.escalations:
        escalation = {"reason": row.escalation_reason, "count": row.escalations,
                      "trigger_at": _time(row.escalated_at)}  # fmt: skip
    return {
        "session_name": row.session_name,
        "conversation_id": row.conversation_id,
        "customer": row.customer,
        "vip": row.vip,
        "status": row.status,
        "assigned_agent": agent,
        "escalation": escalation,
        "message_count": row.message_count,
        "last_message_preview": row.last_message,
        "started_at": _time(row.started_at),
        "last_activity_at": _time(row.last_activity_at),
        "taken_over_at": _time(row.taken_over_at),
        "released_at": _time(row.released_at),
        "closed_at": _time(row.closed_at),
    }


def message_view(m: ConversationMessage) -> dict[str, Any]:
    item: dict[str, Any] = {"id": m.id, "role": m.role, "content": m.content,
                            "timestamp": seconds(m.created_at)}  # fmt: skip
    if m.role == "agent":
        item["agent_id"], item["agent_name"] = m.agent_id, m.agent_name
    if m.response_ms is not None:
        item["response_ms"] = m.response_ms
    return item


def history_item(role: str, content: str, created_at: datetime) -> dict[str, Any]:
    """An archived message in the checkpoint's history shape (for `messages_before`)."""
    return {"role": role, "content": content, "timestamp": seconds(created_at)}


def ticket_times(t: Ticket) -> TicketTimes:
    done = t.resolved_at or t.closed_at
    return TicketTimes(
        created_at=seconds(t.created_at),
        response_due=seconds(t.sla_response_due),
        first_response_at=_time(t.first_response_at),
        resolution_due=seconds(t.sla_resolution_due),
        resolved_at=_time(done),
    )


def day_range(date_from: date | None, date_to: date | None) -> tuple[Any, Any]:
    """Local days (inclusive) → [from 00:00, to+1 00:00) in UTC; 400 on a reversed range."""
    if date_from and date_to:
        if date_from > date_to:
            raise InvalidInput("date_from is after date_to", field="date_from")
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise InvalidInput(f"a date range is at most {MAX_RANGE_DAYS} days", field="date_to")
    lower = utc_bounds(date_from, date_from, TAIPEI_OFFSET)[0] if date_from else None
    upper = utc_bounds(date_to, date_to, TAIPEI_OFFSET)[1] if date_to else None
    return lower, upper


class HistoryService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], shift: ShiftStore | None = None
    ) -> None:
        self.sessions, self.shift = sessions, shift

    async def search(
        self,
        tenant: str,
        *,
        customer: str | None,
        agent: str | None,
        tag: str | None,
        status: str | None,
        date_from: date | None,
        date_to: date | None,
        q: str | None,
        page: int,
        page_size: int,
    ) -> dict[str, Any]:
        words = search_words(q)
        lower, upper = day_range(date_from, date_to)
        found = HistoryFilter(customer=customer or None, agent=agent or None, tag=tag or None,
                              status=status, started_from=lower, started_before=upper,
                              words=words)  # fmt: skip
        async with self.sessions() as db:
            repo = ConversationRepository(db, tenant)
            rows, total = await repo.search(found, offset=(page - 1) * page_size, limit=page_size)
            names = [r.session_name for r in rows]
            snippets = await repo.first_matches(names, words[0]) if words else {}
        items = []
        for row in rows:
            item = summary(row)
            if words:
                item["match"] = snippets.get(row.session_name)
            items.append(item)
        return {"items": items, "total": total, "page": page, "page_size": page_size,
                "total_pages": math.ceil(total / page_size)}  # fmt: skip

    async def conversation(
        self, tenant: str, session_name: str, page: int, page_size: int
    ) -> dict[str, Any]:
        async with self.sessions() as db:
            repo = ConversationRepository(db, tenant)
            row = await repo.get(session_name)
            if row is None:
                raise NotFound(f"no archived conversation {session_name}",
                               code="CONVERSATION_NOT_FOUND")  # fmt: skip
            messages = await repo.messages(
                session_name, offset=(page - 1) * page_size, limit=page_size
            )
        return {
            "conversation": summary(row),
            "messages": [message_view(m) for m in messages],
            "page": page,
            "page_size": page_size,
            "total": row.message_count,
            "total_pages": math.ceil(row.message_count / page_size),
        }

    async def report(self, tenant: str, period: ReportPeriod, day: date | None) -> dict[str, Any]:
        day = parse_day(day)
        first, last = period_range(STATISTICS_PERIOD[period], day)  # type: ignore[arg-type]
        lower, upper = utc_bounds(first, last, TAIPEI_OFFSET)
        replies = set(SYSTEM_MESSAGES["offline"].values())
        if self.shift is not None:
            replies |= set((await self.shift.current(tenant)).offline_messages.values())
        async with self.sessions() as db:
            repo = ConversationRepository(db, tenant)
            started = await repo.started_between(lower, upper)
            counts = MessageCounts(*await repo.message_counts_between(lower, upper))
            rows = [audit_row(e) for e in await repo.chat_audit_between(lower, upper)]
            escalated = sorted({r.session for r in rows if r.escalates and r.at >= seconds(lower)})
            histories = {
                name: [history_item(*m) for m in messages]
                for name, messages in (await repo.histories(escalated)).items()
            }
            tickets = [ticket_times(t) for t in await repo.tickets_created_between(lower, upper)]
        data = ReportInput(
            period=period, day=day, first=first, last=last, since=seconds(lower),
            until=seconds(upper), now=int(time.time()), started=started,
            messages=counts, rows=rows,
            histories=histories, offline_replies=replies, tickets=tickets,
        )  # fmt: skip
        return build_report(data)
