"""Chat reports (seed 004 P2 4.2, seed 001 §5): pure aggregation, then JSON or CSV.

A report covers local (Asia/Taipei) calendar days: a day, its Monday-Sunday week or its month
(`api.statistics.service.period_range`, as the store statistics). Sources: the conversation
archive (messages, AI answer times), the chats' `audit_trail` rows (escalations, takeovers,
releases; the same `Row`s and definitions as `/api/sessions/stats`) and the tickets (SLA).

Definitions:
* conversations `started` in the window; `active`: a message or a status move in it;
  `escalated`: an escalation in it (stats' definition: out of bot_active to a human or an
  off-hours mail handoff); `closed`: closed in it.
* `takeover_wait_seconds`: pending_manual → manual_live; `service_time_seconds`: manual_live
  until released or closed (`api.handoff.stats.tally`); `resolution_time_seconds`: escalation →
  release or close of that human episode. Each counts when it ends in the window; p50/p95 by
  nearest rank.
* `sla`: tickets created in the window: response met when the first response came by
  `sla_response_due`, breached when it came later or has not come and the due time passed,
  open otherwise; resolution the same with `resolved_at` (or `closed_at`). `compliance` =
  met / (met + breached), None when nothing was decided.
* `ai_quality`: `success_rate` / `escalation_rate` / `avg_messages_before_escalation` as
  `/api/sessions/stats` (imported), over the window's active conversations; response times
  from the archived AI answers (customer message at the API → the answer's last token).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

from api.handoff.stats import LIVE, PENDING, Row, _mean, _ratio, messages_before, tally
from api.history.rules import seconds
from api.statistics.reports import to_csv as statistics_csv

ReportPeriod = Literal["daily", "weekly", "monthly"]
STATISTICS_PERIOD: Final = {"daily": "today", "weekly": "week", "monthly": "month"}
CSV_COLUMNS: Final = ("section", "metric", "value")
ROLES: Final = ("user", "assistant", "agent", "system")


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (an observed value); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "mean": _mean(values) if values else None,
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else None,
    }


def by_session(rows: Iterable[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.session].append(row)
    return grouped


def resolution_times(rows_by_session: Mapping[str, Sequence[Row]], since: int) -> list[int]:
    """Escalation → the end (release or close) of the human episode it started, for episodes
    that had an agent and ended at or after `since`. A cancelled wait resolves nothing."""
    out: list[int] = []
    for rows in rows_by_session.values():
        escalated_at: int | None = None
        served = False
        for row in rows:
            if row.escalates:
                escalated_at, served = row.at, row.status_to == LIVE
            elif row.status_to == LIVE:
                served = True
            ended = row.status_from == LIVE and row.status_to != LIVE
            if ended and escalated_at is not None and served:
                if row.at >= since:
                    out.append(row.at - escalated_at)
                escalated_at, served = None, False
            elif row.status_from == PENDING and row.status_to != LIVE:
                escalated_at, served = None, False  # cancelled or closed while waiting
    return out


def escalations_in(rows_by_session: Mapping[str, Sequence[Row]], since: int) -> list[Row]:
    return [r for rows in rows_by_session.values() for r in rows if r.escalates and r.at >= since]


@dataclass(frozen=True)
class TicketTimes:
    created_at: int
    response_due: int
    first_response_at: int | None
    resolution_due: int
    resolved_at: int | None


def _verdict(done_at: int | None, due: int, now: int) -> str:
    if done_at is not None:
        return "met" if done_at <= due else "breached"
    return "breached" if now > due else "open"


def sla_compliance(tickets: Sequence[TicketTimes], now: int) -> dict[str, Any]:
    def part(pairs: Iterable[tuple[int | None, int]]) -> dict[str, Any]:
        counts = Counter(_verdict(done, due, now) for done, due in pairs)
        met, breached = counts["met"], counts["breached"]
        decided = met + breached
        return {
            "met": met,
            "breached": breached,
            "open": counts["open"],
            "compliance": round(met / decided, 4) if decided else None,
        }

    return {
        "tickets": len(tickets),
        "response": part((t.first_response_at, t.response_due) for t in tickets),
        "resolution": part((t.resolved_at, t.resolution_due) for t in tickets),
    }


@dataclass(frozen=True)
class MessageCounts:
    """The window's messages, counted in the database (a month is tens of thousands)."""

    by_role_agent: Mapping[tuple[str, str | None], int]  # (role, agent_id) -> messages
    sessions: set[str]  # conversations with a message in the window
    answer_ms: Sequence[int]  # AI answers' response times


@dataclass(frozen=True)
class ReportInput:
    """Everything a report is computed from (loaded by `api.history.services`)."""

    period: ReportPeriod
    day: date
    first: date
    last: date
    since: int  # window start, UTC seconds (inclusive)
    until: int  # window end (exclusive)
    now: int
    started: Sequence[str]  # conversations started in the window
    messages: MessageCounts
    rows: Sequence[Row]  # audit rows of chats that moved in the window (earlier ones included)
    histories: Mapping[str, Sequence[Mapping[str, Any]]]  # escalated chats: role, content, ts
    offline_replies: set[str]
    tickets: Sequence[TicketTimes] | None  # None: no ticket table in this deployment


def build_report(data: ReportInput) -> dict[str, Any]:
    grouped = by_session(data.rows)
    work = tally(grouped, data.since)
    escalations = escalations_in(grouped, data.since)
    first_escalation: dict[str, int] = {}
    for row in escalations:
        first_escalation.setdefault(row.session, row.at)
    moved = {r.session for r in data.rows if r.at >= data.since}
    active = data.messages.sessions | moved
    closed = {r.session for r in data.rows if r.status_to == "closed" and r.at >= data.since}
    before = [
        messages_before(data.histories[name], at, data.offline_replies)
        for name, at in first_escalation.items()
        if name in data.histories
    ]
    answer_ms = list(data.messages.answer_ms)
    roles: Counter[str] = Counter()
    agent_messages: Counter[str] = Counter()
    for (role, agent), n in data.messages.by_role_agent.items():
        roles[role] += n
        if role == "agent" and agent:
            agent_messages[agent] += n
    served: dict[str, set[str]] = defaultdict(set)
    for row in data.rows:
        if row.at >= data.since and row.status_to == LIVE and row.status_from != LIVE:
            served[str(row.agent)].add(row.session)
    total, escalated = len(active), len(first_escalation)
    return {
        "period": data.period,
        "date": data.day.isoformat(),
        "from": data.first.isoformat(),
        "to": data.last.isoformat(),
        "timezone": "Asia/Taipei",
        "generated_at": data.now,
        "conversations": {
            "started": len(data.started),
            "active": total,
            "escalated": escalated,
            "closed": len(closed),
            "messages": {
                role: roles.get(role, 0) for role in ("user", "assistant", "agent", "system")
            },
        },
        "escalations": {
            "total": len(escalations),
            "by_reason": dict(sorted(Counter(str(r.reason) for r in escalations).items())),
        },
        "takeover_wait_seconds": spread(work.takeover),
        "service_time_seconds": spread(work.service),
        "resolution_time_seconds": spread(resolution_times(grouped, data.since)),
        "sla": None if data.tickets is None else sla_compliance(data.tickets, data.now),
        "ai_quality": {
            "answers": len(answer_ms),
            "avg_response_time_ms": round(_mean(answer_ms), 1) if answer_ms else None,
            "p95_response_time_ms": percentile(answer_ms, 95),
            "success_rate": _ratio(total - escalated, total),
            "escalation_rate": _ratio(escalated, total),
            "avg_messages_before_escalation": _mean(before),
        },
        "agents": [
            {
                "agent_id": agent,
                "sessions_taken": len(served.get(agent, ())),
                "messages": agent_messages.get(agent, 0),
            }
            for agent in sorted(set(served) | set(agent_messages))
        ],
    }


def flatten(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """(section, metric, value) rows: nested keys joined with dots, agents by id."""
    rows: list[dict[str, Any]] = []

    def walk(section: str, prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(section, f"{prefix}.{key}" if prefix else str(key), item)
        else:
            rows.append({"section": section, "metric": prefix, "value": value})

    for key, value in report.items():
        if key == "agents":
            for agent in value:
                for metric in ("sessions_taken", "messages"):
                    name = f"{agent['agent_id']}.{metric}"
                    rows.append({"section": "agents", "metric": name, "value": agent[metric]})
        elif isinstance(value, Mapping):
            walk(key, "", value)
        elif value is None:
            rows.append({"section": key, "metric": "", "value": None})
        else:
            rows.append({"section": "report", "metric": key, "value": value})
    return rows


def to_csv(report: Mapping[str, Any]) -> str:
    """UTF-8 CSV with a BOM (as the statistics export), one line per number."""
    return statistics_csv(flatten(report), CSV_COLUMNS)


def seconds_of(value: datetime | None) -> int | None:
    return seconds(value) if value is not None else None
