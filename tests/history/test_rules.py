"""The archive's and the reports' pure rules, table-driven."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.handoff.stats import Row
from api.history.reports import (
    MessageCounts,
    ReportInput,
    TicketTimes,
    build_report,
    flatten,
    percentile,
    resolution_times,
    sla_compliance,
    spread,
    to_csv,
)
from api.history.rules import conversation_values, milestones, new_messages, search_words
from core.db.repositories.conversations import like_pattern
from core.errors import InvalidInput


def row(at: int, src: str | None, dst: str | None, reason: str, agent: str = "") -> Row:
    detail = {"agent": {"id": agent, "name": agent}} if agent else {}
    return Row("s1", src, dst, agent or "system", reason, detail, at)


ESCALATE = row(100, "bot_active", "pending_manual", "keyword")
TAKEOVER = row(160, "pending_manual", "manual_live", "agent_takeover", "alice")
TRANSFER = row(200, "manual_live", "manual_live", "transferred", "bob")
RELEASE = row(400, "manual_live", "bot_active", "released", "bob")
AGAIN = row(500, "bot_active", "pending_manual", "user_request")
CANCEL = row(530, "pending_manual", "bot_active", "escalation_cancelled")
CLOSE = row(900, "bot_active", "closed", "closed")
PROACTIVE = row(600, "bot_active", "manual_live", "agent_takeover", "alice")
MAIL = row(50, "bot_active", "bot_active", "after_hours_email")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], (0, None, None, None, None, None)),
        ([ESCALATE], (1, "keyword", 100, None, None, None)),
        ([ESCALATE, TAKEOVER, TRANSFER], (1, "keyword", 100, 160, None, None)),
        ([ESCALATE, TAKEOVER, TRANSFER, RELEASE], (1, "keyword", 100, 160, 400, None)),
        # a new escalation starts a new episode: the old takeover and release are forgotten
        ([ESCALATE, TAKEOVER, RELEASE, AGAIN], (2, "user_request", 500, None, None, None)),
        ([ESCALATE, TAKEOVER, RELEASE, AGAIN, CANCEL, CLOSE], (2, "user_request", 500, None,
                                                               None, 900)),
        ([PROACTIVE], (1, "agent_takeover", 600, 600, None, None)),
        ([MAIL], (1, "after_hours_email", 50, None, None, None)),
    ],
)  # fmt: skip
def test_milestones_keep_the_latest_episode(rows: list[Row], expected: tuple[Any, ...]) -> None:
    m = milestones(rows)
    got = (m.escalations, m.escalation_reason, m.escalated_at, m.taken_over_at, m.released_at,
           m.closed_at)  # fmt: skip
    assert got == expected


@pytest.mark.parametrize(
    ("history", "archived", "known", "expected"),
    [
        ([], 0, set(), []),
        ([{"id": "a"}, {"id": "b"}], 0, set(), [0, 1]),
        ([{"id": "a"}, {"id": "b"}], 1, set(), [1]),
        ([{"id": "a"}, {"id": "b"}], 2, set(), []),  # a retried write adds nothing
        ([{"id": "a"}, {"id": "b"}], 0, {"a"}, [1]),  # already stored under its id
        ([{"id": "a"}, {"role": "user"}], 0, set(), [0]),  # no id: not archivable
    ],
)
def test_new_messages_are_those_past_the_archived_count_and_not_stored(
    history: list[dict[str, Any]], archived: int, known: set[str], expected: list[int]
) -> None:
    assert [seq for seq, _ in new_messages(history, archived, known)] == expected


@pytest.mark.parametrize(
    ("q", "words"),
    [
        (None, ()),
        ("", ()),
        ("  帳單   投訴 ", ("帳單", "投訴")),
        ("5G 5G", ("5G",)),
        ("a b c d e", ("a", "b", "c", "d", "e")),
    ],
)
def test_search_words(q: str | None, words: tuple[str, ...]) -> None:
    assert search_words(q) == words


@pytest.mark.parametrize("q", ["a b c d e f", "x" * 51])
def test_search_words_refused(q: str) -> None:
    with pytest.raises(InvalidInput):
        search_words(q)


@pytest.mark.parametrize(
    ("word", "pattern"),
    [
        ("帳單", "%帳單%"),
        ("ABC", "%abc%"),
        ("100%", "%100\\%%"),
        ("a_b", "%a\\_b%"),
        ("c:\\x", "%c:\\\\x%"),
    ],
)
def test_like_pattern_takes_wildcards_literally(word: str, pattern: str) -> None:
    assert like_pattern(word) == pattern


def test_conversation_values_from_a_state() -> None:
    state = {
        "status": "manual_live",
        "conversation_id": "conv_1",
        "user_profile": {"nickname": "王小明", "vip": True},
        "history": [{"id": "m1", "content": "x" * 300}],
        "assigned_agent": {"id": "agent001", "name": "Alice"},
        "escalation_epoch": 2,
        "created_at": 1_700_000_000,
        "updated_at": 1_700_000_060,
    }
    values = conversation_values(state)
    assert values["customer"] == "王小明" and values["vip"] is True
    assert values["agent_id"] == "agent001" and values["episodes"] == 2
    assert values["message_count"] == 1 and len(values["last_message"]) == 200
    assert int(values["last_activity_at"].timestamp()) == 1_700_000_060
    released = conversation_values({**state, "assigned_agent": None})
    assert "agent_id" not in released  # the archived last agent stays


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([7], 95, 7),
        ([1, 2, 3, 4], 50, 2),
        ([1, 2, 3, 4], 95, 4),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 50, 50),
        ([30, 10, 20], 50, 20),
    ],
)
def test_percentile_nearest_rank(values: list[int], p: float, expected: int | None) -> None:
    assert percentile(values, p) == expected


def test_spread() -> None:
    assert spread([10, 20, 30, 40]) == {"count": 4, "mean": 25.0, "p50": 20, "p95": 40, "max": 40}
    assert spread([])["p50"] is None


@pytest.mark.parametrize(
    ("rows", "since", "expected"),
    [
        ([ESCALATE, TAKEOVER, TRANSFER, RELEASE], 0, [300]),  # 100 → 400, transfer inside
        ([ESCALATE, TAKEOVER, TRANSFER, RELEASE], 401, []),  # ended before the window
        ([AGAIN, CANCEL], 0, []),  # a cancelled wait resolves nothing
        ([PROACTIVE, row(660, "manual_live", "closed", "closed")], 0, [60]),
        ([ESCALATE, TAKEOVER, RELEASE, AGAIN, CANCEL, CLOSE], 0, [300]),
    ],
)
def test_resolution_times(rows: list[Row], since: int, expected: list[int]) -> None:
    assert resolution_times({"s1": rows}, since) == expected


def test_sla_compliance_at_the_boundaries() -> None:
    now = 10_000
    tickets = [
        TicketTimes(0, 100, 100, 1000, 1000),  # both exactly on time: met
        TicketTimes(0, 100, 101, 1000, 1001),  # one second late: breached
        TicketTimes(0, 100, None, 20_000, None),  # no answer, due passed / resolution not due
    ]
    got = sla_compliance(tickets, now)
    assert got["tickets"] == 3
    assert got["response"] == {"met": 1, "breached": 2, "open": 0, "compliance": 0.3333}
    assert got["resolution"] == {"met": 1, "breached": 1, "open": 1, "compliance": 0.5}
    assert sla_compliance([], now)["response"]["compliance"] is None


def test_csv_one_line_per_number_with_bom() -> None:
    report = {
        "period": "daily",
        "escalations": {"total": 2, "by_reason": {"keyword": 1, "=cmd": 1}},
        "sla": None,
        "agents": [{"agent_id": "agent001", "sessions_taken": 2, "messages": 5}],
    }
    assert flatten(report) == [
        {"section": "report", "metric": "period", "value": "daily"},
        {"section": "escalations", "metric": "total", "value": 2},
        {"section": "escalations", "metric": "by_reason.keyword", "value": 1},
        {"section": "escalations", "metric": "by_reason.=cmd", "value": 1},
        {"section": "sla", "metric": "", "value": None},
        {"section": "agents", "metric": "agent001.sessions_taken", "value": 2},
        {"section": "agents", "metric": "agent001.messages", "value": 5},
    ]
    text = to_csv(report)
    assert text.startswith("\ufeffsection,metric,value\r\n")
    assert "sla,,\r\n" in text


def test_build_report_of_a_small_day() -> None:
    """One chat escalated by keyword, taken over after 60 s and released after 300 s; one
    cancelled wait; one AI-only chat (times relative to the window start)."""
    rows = [
        Row("a", "bot_active", "pending_manual", "system", "keyword", {}, 100),
        Row("a", "pending_manual", "manual_live", "alice", "agent_takeover",
            {"agent": {"id": "alice"}}, 160),
        Row("a", "manual_live", "bot_active", "alice", "released", {}, 460),
        Row("d", "bot_active", "pending_manual", "system", "user_request", {}, 700),
        Row("d", "pending_manual", "bot_active", "user", "escalation_cancelled", {}, 730),
    ]  # fmt: skip
    data = ReportInput(
        period="daily", day=date(2026, 11, 18), first=date(2026, 11, 18),
        last=date(2026, 11, 18), since=0, until=86_400, now=10**9, started=["a", "c", "d"],
        messages=MessageCounts({("user", None): 4, ("assistant", None): 2, ("agent", "alice"): 3},
                               {"a", "c", "d"}, [500, 700]),
        rows=rows,
        histories={"a": [{"role": "user", "content": "x", "timestamp": 90},
                         {"role": "system", "content": "轉接", "timestamp": 100}],
                   "d": [{"role": "user", "content": "y", "timestamp": 650},
                         {"role": "assistant", "content": "z", "timestamp": 651}]},
        offline_replies=set(), tickets=None,
    )  # fmt: skip
    report = build_report(data)
    assert report["conversations"] == {"started": 3, "active": 3, "escalated": 2, "closed": 0,
                                       "messages": {"user": 4, "assistant": 2, "agent": 3,
                                                    "system": 0}}  # fmt: skip
    assert report["escalations"] == {"total": 2, "by_reason": {"keyword": 1, "user_request": 1}}
    assert report["takeover_wait_seconds"]["p50"] == 60
    assert report["service_time_seconds"]["p50"] == 300
    assert report["resolution_time_seconds"] == spread([360])
    assert report["sla"] is None
    quality = report["ai_quality"]
    assert (quality["avg_response_time_ms"], quality["p95_response_time_ms"]) == (600.0, 700)
    assert (quality["success_rate"], quality["escalation_rate"]) == (0.3333, 0.6667)
    assert quality["avg_messages_before_escalation"] == 1.5  # a: 1, d: 2
    assert report["agents"] == [{"agent_id": "alice", "sessions_taken": 1, "messages": 3}]
