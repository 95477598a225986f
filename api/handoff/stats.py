"""`GET /api/sessions/stats` (seed 003 v2.5): queue counts, AI quality, agent efficiency.

Sources: the queue index (statuses, waiting times), the `audit_trail` rows of chat sessions
(every status move, with who and when), the sessions' history (messages before an escalation)
and the per-turn AI response times the chat routes record (`api.chat.timings`). The window is
the last `hours` hours; a session counts when it was active in it. Cached in Redis for
`SESSION_STATS_CACHE_SECONDS` (≤ 60 s, seed: "可缓存 1 分钟") per tenant and window.

Per tenant: the caller's tenant's sessions only (the queue index's summaries name their
tenant; a session whose summary is gone counts when its archived conversation is the
tenant's), its AI response times and its shift's offline replies.

Definitions (seed table; where the seed's formula and its example disagree, the example wins):
* `success_rate` = sessions without an escalation / sessions; `escalation_rate` = 1 - that. An
  escalation is any move out of bot_active except closing: to pending_manual, a proactive
  takeover to manual_live, or an off-hours mail handoff.
* `avg_messages_before_escalation`: customer + AI messages before the first escalation notice.
* `avg_takeover_time_sec`: pending_manual → manual_live; `avg_service_time_sec`: manual_live
  until released or closed (transfers do not end it).
* `resolution_rate` = completed sessions (a manual episode ended) with no transfer and only one
  escalation / completed sessions.
* `avg_sessions_per_agent` = sessions served by agents / active agents (agents who took over
  or received a chat in the window). The seed's example (50 sessions, 2 agents → 6.5) shows
  the numerator is sessions handled by agents, not all sessions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.timings import ResponseTimes
from core.db.models import AuditEntry, ConversationRecord
from core.tenant_keys import tenant_prefix
from graphs.supervision.graph import SqlAuditTrail
from graphs.supervision.language import SYSTEM_MESSAGES
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift_store import ShiftStore

STATUSES: Final = ("bot_active", "pending_manual", "manual_live", "closed")
LIVE, PENDING, BOT = "manual_live", "pending_manual", "bot_active"
IN_CHUNK: Final = 500


@dataclass
class Row:
    session: str
    status_from: str | None
    status_to: str | None
    operator: str
    reason: str | None
    detail: Mapping[str, Any]
    at: int

    @property
    def escalates(self) -> bool:
        if self.status_from != BOT:
            return False
        return self.status_to in (PENDING, LIVE) or self.reason == "after_hours_email"

    @property
    def agent(self) -> str | None:
        return (self.detail.get("agent") or {}).get("id") or self.operator


@dataclass
class Tally:
    takeover: list[int] = field(default_factory=list)
    service: list[int] = field(default_factory=list)
    served: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    resolved: set[str] = field(default_factory=set)


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def tally(rows_by_session: Mapping[str, list[Row]], since: int) -> Tally:
    """Walk each session's rows in order; intervals count when they end inside the window."""
    out = Tally()
    for name, rows in rows_by_session.items():
        pending_at = live_at = None
        escalations = transfers = 0
        ended = False
        for row in rows:
            inside = row.at >= since
            if row.escalates and inside:
                escalations += 1
            if row.status_to == PENDING:
                pending_at = row.at
            if row.status_to == LIVE and row.status_from != LIVE:
                if inside:
                    out.served.add(name)
                    out.agents.add(str(row.agent))
                    if row.status_from == PENDING and pending_at is not None:
                        out.takeover.append(row.at - pending_at)
                live_at = row.at
            elif row.reason == "transferred" and inside:
                transfers += 1
                out.agents.add(str(row.agent))
            if row.status_from == LIVE and row.status_to != LIVE:
                if inside and live_at is not None:
                    out.service.append(row.at - live_at)
                    ended = True
                live_at = None
        if ended:
            out.completed.add(name)
            if transfers == 0 and escalations <= 1:
                out.resolved.add(name)
    return out


def messages_before(history: Iterable[Mapping[str, Any]], at: int, replies: set[str]) -> int:
    """Customer + AI messages before the escalation's notice (first system notice, or the
    off-hours auto-reply, at or after `at`)."""
    count = 0
    for item in history:
        role, ts = item.get("role"), int(item.get("timestamp") or 0)
        if ts >= at and (
            role == "system" or (role == "assistant" and item.get("content") in replies)
        ):
            break
        if role in ("user", "assistant"):
            count += 1
    return count


class SessionStats:
    def __init__(
        self,
        supervision: SupervisionService,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        prefix: str,
        shift: ShiftStore,
        *,
        cache_seconds: int = 60,
    ) -> None:
        self.supervision, self.sessions, self.redis, self.shift = (
            supervision,
            sessions,
            redis,
            shift,
        )
        self.timings = ResponseTimes(redis, prefix)
        self.prefix = prefix
        self.cache_seconds = cache_seconds

    def cache_key(self, tenant: str, hours: int) -> str:
        return f"{tenant_prefix(self.prefix, tenant)}:stats:sessions:{hours}"

    async def get(self, tenant: str, hours: int, *, refresh: bool = False) -> dict[str, Any]:
        key = self.cache_key(tenant, hours)
        if self.cache_seconds and not refresh:
            cached: Any = await self.redis.get(key)
            if cached:
                return dict(json.loads(cached))
        data = await self.compute(tenant, hours)
        if self.cache_seconds:
            await self.redis.set(key, json.dumps(data), ex=self.cache_seconds)
        return data

    async def compute(self, tenant: str, hours: int, now: float | None = None) -> dict[str, Any]:
        now = now or time.time()
        since = int(now - hours * 3600)
        listed = await self.supervision.index.list(
            None, now=int(now), offset=0, limit=1_000_000, tenant=tenant
        )
        summaries = listed["items"]
        rows = await self._rows(tenant, since)
        active = {s["session_name"] for s in summaries if int(s.get("updated_at") or 0) >= since}
        active |= set(rows)
        first_escalation = {
            name: next(r.at for r in session_rows if r.escalates and r.at >= since)
            for name, session_rows in rows.items()
            if any(r.escalates and r.at >= since for r in session_rows)
        }
        work = tally(rows, since)
        by_status = {status: 0 for status in STATUSES}
        for summary in summaries:
            by_status[summary["status"]] = by_status.get(summary["status"], 0) + 1
        mailed = {
            n
            for n, rs in rows.items()
            if any(r.reason == "after_hours_email" and r.at >= since for r in rs)
        }
        by_status["after_hours_email"] = len(mailed)
        waits = [int(s.get("waiting_seconds") or 0) for s in summaries if s["status"] == PENDING]
        before = await self._messages_before(tenant, first_escalation)
        total, escalated = len(active), len(first_escalation)
        agents = len(work.agents)
        return {
            "window_hours": hours,
            "generated_at": int(now),
            "total_sessions": len(summaries),
            "by_status": by_status,
            "active_agents": agents,
            "avg_waiting_time": _mean(waits),
            "sessions_in_window": total,
            "ai_quality": {
                "avg_response_time_ms": round(
                    await self.timings.average_ms(hours, now, tenant=tenant) or 0.0, 1
                ),
                "success_rate": _ratio(total - escalated, total),
                "escalation_rate": _ratio(escalated, total),
                "avg_messages_before_escalation": _mean(before),
            },
            "agent_efficiency": {
                "avg_takeover_time_sec": _mean(work.takeover),
                "avg_service_time_sec": _mean(work.service),
                "resolution_rate": _ratio(len(work.resolved), len(work.completed)),
                "avg_sessions_per_agent": round(len(work.served) / agents, 2) if agents else 0.0,
            },
        }

    async def _owned(self, db: AsyncSession, tenant: str, names: list[str]) -> list[str]:
        """The sessions among `names` that are `tenant`'s: by their queue summary, else by
        their archived conversation."""
        summaries = await self.supervision.index.summaries(names)
        owned = [n for n in names if (summaries.get(n) or {}).get("tenant_id") == tenant]
        unknown = [n for n in names if n not in summaries]
        for start in range(0, len(unknown), IN_CHUNK):
            chunk = unknown[start : start + IN_CHUNK]
            owned += list(
                (
                    await db.scalars(
                        sa.select(ConversationRecord.session_name).where(
                            ConversationRecord.tenant_id == tenant,
                            ConversationRecord.session_name.in_(chunk),
                        )
                    )
                ).all()
            )
        return owned

    async def _rows(self, tenant: str, since: int) -> dict[str, list[Row]]:
        """All audit rows of the tenant's chat sessions that have a row in the window, oldest
        first."""
        entity = AuditEntry.entity_type == SqlAuditTrail.ENTITY
        lower = datetime.fromtimestamp(since, UTC)
        async with self.sessions() as db:
            moved = list(
                (
                    await db.scalars(
                        sa.select(sa.distinct(AuditEntry.entity_id)).where(
                            entity, AuditEntry.created_at >= lower
                        )
                    )
                ).all()
            )
            names = await self._owned(db, tenant, moved)
            found: list[AuditEntry] = []
            for start in range(0, len(names), IN_CHUNK):
                stmt = (
                    sa.select(AuditEntry)
                    .where(entity, AuditEntry.entity_id.in_(names[start : start + IN_CHUNK]))
                    .order_by(AuditEntry.created_at, AuditEntry.id)
                )
                found += list((await db.scalars(stmt)).all())
        rows: dict[str, list[Row]] = defaultdict(list)
        for r in found:
            at = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
            rows[r.entity_id].append(
                Row(
                    r.entity_id,
                    r.status_from,
                    r.status_to,
                    r.operator,
                    r.reason,
                    r.detail or {},
                    int(at.timestamp()),
                )
            )
        return rows

    async def _messages_before(self, tenant: str, first: Mapping[str, int]) -> list[int]:
        shift = await self.shift.current(tenant)
        replies = {*SYSTEM_MESSAGES["offline"].values(), *shift.offline_messages.values()}
        gate = asyncio.Semaphore(8)
        graph = self.supervision.graph

        async def one(name: str, at: int) -> int | None:
            async with gate:
                values = (await graph.aget_state(self.supervision.config(name))).values
            if not values:
                return None  # the checkpoint expired
            return messages_before(values.get("history") or [], at, replies)

        counts = await asyncio.gather(*(one(n, at) for n, at in first.items()))
        return [c for c in counts if c is not None]
