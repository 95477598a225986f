"""The archive writer: after each step of a conversation, copy what is new to the database.

Why from the checkpoint and not from the events: a customer's message to the AI is no event
(only the answer's tokens are), and an event can be missed (a crashed instance, a trimmed
stream). The checkpoint's `history` is the conversation itself and append-only, so one write
copies `history[message_count:]`; a lost or failed write is caught up by the next one, and
a repeated one adds nothing (messages are keyed by their graph id, the row is locked).

Who calls it: the chat service after each customer turn (with the AI's answer time) and when
a conversation opens; the handoff service after escalate, cancel, takeover, agent message,
transfer, release and close. Failures are logged and never reach the customer or agent.
Cost per write: one checkpoint read, then in one transaction the locked row, the chat's audit
rows (indexed; the escalation times come from them, and an off-hours reply or a mail handoff
escalates without a status change), the new messages' INSERT and the row's UPDATE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.history.rules import (
    at_seconds,
    audit_row,
    conversation_values,
    milestones,
    new_messages,
)
from core.db.models import DEFAULT_TENANT, ConversationMessage, ConversationRecord
from core.db.repositories import ConversationRepository
from core.logging import get_logger
from graphs.supervision.events import Publisher
from graphs.supervision.service import SupervisionService

log = get_logger(__name__)


class ConversationArchive:
    def __init__(
        self, supervision: SupervisionService, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self.supervision = supervision
        self.writer = ArchiveWriter(sessions)
        self._pending: set[asyncio.Task[int]] = set()

    async def sync(self, session_name: str, *, answer_ms: float | None = None) -> int:
        """Archive `session_name` as its checkpoint is now; the number of messages added."""
        snapshot = await self.supervision.graph.aget_state(self.supervision.config(session_name))
        state = snapshot.values
        if not state or not state.get("status"):
            return 0
        return await self.writer.write(session_name, state, answer_ms)

    async def record(
        self, session_name: str, *, answer_ms: float | None = None, wait: bool = True
    ) -> None:
        """`sync` for the request paths; never raises. The write is a task of its own, so it
        runs to its end even when the request is cancelled (an SSE stream's producer is
        cancelled as the stream closes); `wait=False` returns at once (a customer's turn must
        not wait for its archiving; one cut off by a shutdown is caught up by the next write)."""
        task = asyncio.create_task(self._logged(session_name, answer_ms))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        if wait:
            await asyncio.shield(task)

    async def _logged(self, session_name: str, answer_ms: float | None) -> int:
        try:
            return await self.sync(session_name, answer_ms=answer_ms)
        except Exception as exc:
            log.warning("archive_failed", session=session_name, error=type(exc).__name__)
            return 0

    async def drain(self) -> None:
        """Wait for the writes still running (benchmarks, a graceful stop)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


class ArchiveOnEvents:
    """The supervision service's `Publisher`, wrapped: every event goes on as before, and a
    session whose events have settled (`settle_seconds` after the last one, when its run has
    checkpointed) is archived once more. This catches graph runs that no API route follows:
    delayed auto-replies and timeout checks run by the sweeper, a run whose route's write
    failed. After a route's own write it finds nothing new (one checkpoint read, one row read).
    """

    def __init__(
        self, inner: Publisher | None, archive: ConversationArchive, settle_seconds: float = 0.5
    ) -> None:
        self.inner, self.archive, self.settle = inner, archive, settle_seconds
        self._last: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def publish(self, session_name: str, event: Mapping[str, Any]) -> None:
        if self.inner is not None:
            await self.inner.publish(session_name, event)
        self._last[session_name] = asyncio.get_running_loop().time()
        if session_name not in self._tasks:
            task = asyncio.create_task(self._after_settling(session_name))
            self._tasks[session_name] = task

    async def _after_settling(self, session_name: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            while session_name in self._last:
                wait = self._last[session_name] + self.settle - loop.time()
                if wait > 0:  # not settled: a later event moved the time on
                    await asyncio.sleep(wait)
                    continue
                del self._last[session_name]  # an event from now on means one more write
                await self.archive.record(session_name)
        finally:
            self._tasks.pop(session_name, None)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)


class ArchiveWriter:
    """One conversation state into the archive tables, in one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def write(
        self, session_name: str, state: Mapping[str, Any], answer_ms: float | None = None
    ) -> int:
        """Archive a `SupervisionState`; the number of messages added (0 when nothing new)."""
        try:
            return await self._write(session_name, state, answer_ms)
        except IntegrityError:  # two first writes raced on the new row: the loser retries once
            return await self._write(session_name, state, answer_ms)

    async def _write(
        self, session_name: str, state: Mapping[str, Any], answer_ms: float | None
    ) -> int:
        async with self.sessions.begin() as db:
            repo = ConversationRepository(db, str(state.get("tenant_id") or DEFAULT_TENANT))
            row = await repo.locked(session_name)
            values = conversation_values(state)
            archived = 0 if row is None else row.message_count
            if len(state.get("history") or []) < archived:
                return 0  # a stale read (a slower sync): a newer state is already archived
            if row is not None and unchanged(row, values):
                return 0  # archived already (the write after a route's own)
            if row is None:
                row = ConversationRecord(session_name=session_name, escalations=0)
                for key, value in values.items():
                    setattr(row, key, value)
                await repo.add(row)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            marks = milestones(audit_row(e) for e in await repo.chat_audit(session_name))
            row.escalations, row.escalation_reason = marks.escalations, marks.escalation_reason
            row.escalated_at = at_seconds(marks.escalated_at)
            row.taken_over_at = at_seconds(marks.taken_over_at)
            row.released_at = at_seconds(marks.released_at)
            row.closed_at = at_seconds(marks.closed_at)
            history = list(state.get("history") or [])
            pending = history[archived:]
            known = await repo.known_ids([str(m.get("id")) for m in pending if m.get("id")])
            fresh = new_messages(history, archived, known)
            messages = [_message(session_name, seq, item) for seq, item in fresh]
            answers = [m for m in messages if m.role == "assistant"]
            if answer_ms is not None and answers:
                answers[-1].response_ms = round(answer_ms)
            await repo.add_messages(messages)
            await db.flush()
        return len(messages)


def unchanged(row: ConversationRecord, values: Mapping[str, Any]) -> bool:
    """Same messages, status, episode and agent: nothing to write (every status move adds a
    notice to the history, so a move always changes the count)."""
    keys = ("message_count", "status", "episodes", "last_activity_at")
    same = all(getattr(row, k) == values[k] for k in keys)
    return same and (values.get("agent_id") in (None, row.agent_id))


def _message(session_name: str, seq: int, item: Mapping[str, Any]) -> ConversationMessage:
    return ConversationMessage(
        id=str(item["id"]),
        session_name=session_name,
        seq=seq,
        role=str(item.get("role")),
        content=str(item.get("content") or ""),
        agent_id=item.get("agent_id"),
        agent_name=item.get("agent_name"),
        created_at=at_seconds(item.get("timestamp")) or datetime.now(UTC),
    )
