"""Queries of the conversation archive: the archive write, history search, report reads.

The archive write is idempotent: messages are keyed by the graph's message id and the caller
holds the conversation row (`locked`, `SELECT ... FOR UPDATE` where the backend has it; SQLite
serialises writers with BEGIN IMMEDIATE), so a retried or concurrent sync adds each message once.

Words in the text: `LOWER(content) LIKE LOWER('%word%') ESCAPE '\\'` with `%`, `_` and `\\`
escaped, the same SQL on SQLite, PostgreSQL and Oracle (CLOB). Every word must occur in some
message of the conversation (AND across words, any message each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import (
    AuditEntry,
    ConversationMessage,
    ConversationRecord,
    SessionTag,
    Tag,
    Ticket,
)

LIKE_ESCAPE = "\\"
IN_CHUNK = 500
CHAT_ENTITY = "chat_session"  # graphs.supervision.graph.SqlAuditTrail.ENTITY


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards taken literally (ESCAPE '\\')."""
    escaped = (
        word.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )  # fmt: skip
    return f"%{escaped.lower()}%"


def contains(column: Any, word: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(column).like(like_pattern(word), escape=LIKE_ESCAPE)


@dataclass(frozen=True)
class HistoryFilter:
    """What `GET /api/history/conversations` narrows by; None means any."""

    customer: str | None = None  # part of the nickname, or the exact session_name
    agent: str | None = None  # username: held the chat last, or wrote in it
    tag: str | None = None  # tag id or name (session_tags)
    status: str | None = None
    started_from: datetime | None = None  # inclusive
    started_before: datetime | None = None  # exclusive
    words: tuple[str, ...] = ()


def tagged(tag: str) -> sa.ColumnElement[bool]:
    """Conversations carrying `tag` (its id or its name) in the agents' tag table."""
    tag_ids = sa.select(Tag.id).where(sa.or_(Tag.id == tag, Tag.name == tag))
    return sa.exists().where(
        SessionTag.session_name == ConversationRecord.session_name,
        SessionTag.tag_id.in_(tag_ids),
    )


def _message_exists(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        ConversationMessage.session_name == ConversationRecord.session_name, *conditions
    )


def conditions(f: HistoryFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if f.customer:
        where.append(
            sa.or_(
                ConversationRecord.session_name == f.customer,
                contains(ConversationRecord.customer, f.customer),
            )
        )
    if f.agent:
        where.append(
            sa.or_(
                ConversationRecord.agent_id == f.agent,
                _message_exists(ConversationMessage.agent_id == f.agent),
            )
        )
    if f.tag:
        where.append(tagged(f.tag))
    if f.status:
        where.append(ConversationRecord.status == f.status)
    if f.started_from is not None:
        where.append(ConversationRecord.started_at >= f.started_from)
    if f.started_before is not None:
        where.append(ConversationRecord.started_at < f.started_before)
    where += [_message_exists(contains(ConversationMessage.content, w)) for w in f.words]
    return where


class ConversationRepository:
    """One tenant's archive: history and report reads filter by `tenant_id`, the archive write
    stamps it on new rows (from the session's state)."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- the archive write --------------------------------------------------------------------
    async def locked(self, session_name: str) -> ConversationRecord | None:
        """The row, locked for this transaction (PostgreSQL/Oracle: FOR UPDATE)."""
        stmt = (
            sa.select(ConversationRecord)
            .where(
                ConversationRecord.session_name == session_name,
                ConversationRecord.tenant_id == self.tenant_id,
            )
            .with_for_update()
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def add(self, record: ConversationRecord) -> None:
        record.tenant_id = self.tenant_id
        self.session.add(record)
        await self.session.flush()

    async def known_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        stmt = sa.select(ConversationMessage.id).where(ConversationMessage.id.in_(list(ids)))
        return set((await self.session.scalars(stmt)).all())

    async def add_messages(self, messages: Sequence[ConversationMessage]) -> None:
        for message in messages:
            message.tenant_id = self.tenant_id
        self.session.add_all(list(messages))
        await self.session.flush()

    async def chat_audit(self, session_name: str) -> list[AuditEntry]:
        stmt = (
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == CHAT_ENTITY, AuditEntry.entity_id == session_name)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
        return list((await self.session.scalars(stmt)).all())

    # --- history ------------------------------------------------------------------------------
    async def get(self, session_name: str) -> ConversationRecord | None:
        row = await self.session.get(ConversationRecord, session_name)
        return row if row is not None and row.tenant_id == self.tenant_id else None

    async def search(
        self, f: HistoryFilter, *, offset: int, limit: int
    ) -> tuple[list[ConversationRecord], int]:
        """A page of matching conversations, newest first, and how many match in all.

        With words, the total comes with the page (`COUNT(*) OVER ()`): one pass over the
        messages instead of two, which halves a words search. Without, a count and an indexed
        top-N are cheaper than the window (which must see every match)."""
        where = [*conditions(f), ConversationRecord.tenant_id == self.tenant_id]
        order = (ConversationRecord.started_at.desc(), ConversationRecord.session_name)
        count = sa.select(sa.func.count()).select_from(ConversationRecord).where(*where)
        if not f.words:
            total = int((await self.session.scalar(count)) or 0)
            plain = sa.select(ConversationRecord).where(*where).order_by(*order)
            page = await self.session.scalars(plain.offset(offset).limit(limit))
            return list(page.all()), total
        total_col = sa.func.count().over().label("total")
        counted = sa.select(ConversationRecord, total_col).where(*where).order_by(*order)
        found = (await self.session.execute(counted.offset(offset).limit(limit))).all()
        if found:
            return [r[0] for r in found], int(found[0][1])
        if offset == 0:
            return [], 0
        return [], int((await self.session.scalar(count)) or 0)  # a page past the end

    async def first_matches(self, names: Sequence[str], word: str) -> dict[str, str]:
        """Per conversation, the earliest message containing `word` (search result snippets)."""
        if not names:
            return {}
        stmt = (
            sa.select(ConversationMessage.session_name, ConversationMessage.content)
            .where(
                ConversationMessage.session_name.in_(list(names)),
                contains(ConversationMessage.content, word),
            )
            .order_by(ConversationMessage.session_name, ConversationMessage.seq)
        )
        found: dict[str, str] = {}
        for name, content in (await self.session.execute(stmt)).all():
            found.setdefault(name, content)
        return found

    async def messages(
        self, session_name: str, *, offset: int = 0, limit: int | None = None
    ) -> list[ConversationMessage]:
        stmt = (
            sa.select(ConversationMessage)
            .where(ConversationMessage.session_name == session_name)
            .order_by(ConversationMessage.seq)
            .offset(offset)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.scalars(stmt)).all())

    # --- report reads -------------------------------------------------------------------------
    async def started_between(self, start: datetime, end: datetime) -> list[str]:
        """Names of the conversations started in [start, end)."""
        stmt = sa.select(ConversationRecord.session_name).where(
            ConversationRecord.started_at >= start,
            ConversationRecord.started_at < end,
            ConversationRecord.tenant_id == self.tenant_id,
        )
        return list((await self.session.scalars(stmt)).all())

    async def message_counts_between(
        self, start: datetime, end: datetime
    ) -> tuple[dict[tuple[str, str | None], int], set[str], list[int]]:
        """The messages in [start, end): count per (role, agent_id), the conversations they are
        in, and the AI answers' response times."""
        m = ConversationMessage
        window = (m.created_at >= start, m.created_at < end, m.tenant_id == self.tenant_id)
        grouped = sa.select(m.role, m.agent_id, sa.func.count()).where(*window)
        counts = {
            (role, agent): int(n)
            for role, agent, n in (await self.session.execute(grouped.group_by(m.role, m.agent_id)))
        }
        names = sa.select(m.session_name).where(*window).distinct()
        timed = sa.select(m.response_ms).where(*window, m.response_ms.is_not(None))
        return (
            counts,
            set((await self.session.scalars(names)).all()),
            [int(v) for v in (await self.session.scalars(timed)).all() if v is not None],
        )

    async def histories(self, names: Sequence[str]) -> dict[str, list[tuple[str, str, datetime]]]:
        """(role, content, created_at) of every archived message of `names`, in order (plain
        rows, not ORM objects: a month's escalated chats are thousands of messages)."""
        m = ConversationMessage
        found: dict[str, list[tuple[str, str, datetime]]] = {}
        listed = list(names)
        for start in range(0, len(listed), IN_CHUNK):
            stmt = (
                sa.select(m.session_name, m.role, m.content, m.created_at)
                .where(
                    m.session_name.in_(listed[start : start + IN_CHUNK]),
                    m.tenant_id == self.tenant_id,
                )
                .order_by(m.session_name, m.seq)
            )
            for name, role, content, created in (await self.session.execute(stmt)).all():
                found.setdefault(name, []).append((role, content, created))
        return found

    async def chat_audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """All audit rows (before `end`) of the chats that moved in [start, end), oldest first:
        earlier rows give the context (when an episode that ends in the window began)."""
        entity = AuditEntry.entity_type == CHAT_ENTITY
        ours = sa.select(ConversationRecord.session_name).where(
            ConversationRecord.tenant_id == self.tenant_id
        )
        moved = (
            sa.select(AuditEntry.entity_id)
            .where(entity, AuditEntry.created_at >= start, AuditEntry.created_at < end)
            .where(AuditEntry.entity_id.in_(ours))
            .distinct()
        )
        names = list((await self.session.scalars(moved)).all())
        rows: list[AuditEntry] = []
        for first in range(0, len(names), IN_CHUNK):
            stmt = (
                sa.select(AuditEntry)
                .where(
                    entity,
                    AuditEntry.entity_id.in_(names[first : first + IN_CHUNK]),
                    AuditEntry.created_at < end,
                )
                .order_by(AuditEntry.created_at, AuditEntry.id)
            )
            rows += list((await self.session.scalars(stmt)).all())
        return rows

    async def tickets_created_between(self, start: datetime, end: datetime) -> list[Ticket]:
        stmt = sa.select(Ticket).where(
            Ticket.created_at >= start, Ticket.created_at < end, Ticket.tenant_id == self.tenant_id
        )
        return list((await self.session.scalars(stmt)).all())
