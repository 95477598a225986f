"""`mail_verdict`: the one answer to "does an off-hours handoff mail go out now?", asked by the
graph (off-duty escalation) and by `POST /api/sessions/{s}/email`; `is_degraded`: the one
reading of the fallback wrapper's mark (a degraded answer is an AI failure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from graphs.supervision.outbox import MAIL_NOT_CONFIGURED, MailVerdict, mail_verdict, unsent_mail
from graphs.supervision.shift import ShiftConfig
from tools.llm.fallback import fallback_meta, is_degraded

OFFICE = ShiftConfig(email_to=("cs@example.com",))  # Taipei, Mon–Fri 09:00–18:00
NOBODY = ShiftConfig()
TPE = OFFICE.zone
FRIDAY_NIGHT = datetime(2026, 11, 20, 20, 0, tzinfo=TPE)
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=TPE)
MONDAY_NIGHT = datetime(2026, 11, 23, 20, 0, tzinfo=TPE)
SENT_FRIDAY = {
    "sent": True,
    "email_to": ["cs@example.com"],
    "sent_at": int(FRIDAY_NIGHT.timestamp()),
}

CASES: list[tuple[str, ShiftConfig, dict[str, Any], datetime, bool, MailVerdict]] = [
    # (case, shift, previous mail, now, force, verdict)
    ("first off-duty escalation", OFFICE, {}, FRIDAY_NIGHT, False, "send"),
    ("same off-duty stretch", OFFICE, SENT_FRIDAY, SATURDAY, False, "already_sent"),
    ("same stretch, forced by an agent", OFFICE, SENT_FRIDAY, SATURDAY, True, "send"),
    ("next off-duty stretch", OFFICE, SENT_FRIDAY, MONDAY_NIGHT, False, "send"),
    ("no recipients", NOBODY, {}, FRIDAY_NIGHT, False, "not_configured"),
    ("no recipients, forced", NOBODY, {}, FRIDAY_NIGHT, True, "not_configured"),
    ("no recipients after a sent one", NOBODY, SENT_FRIDAY, MONDAY_NIGHT, False, "not_configured"),
    ("recipients after an unsent one", OFFICE, unsent_mail(1), SATURDAY, False, "send"),
]


@pytest.mark.parametrize(
    ("shift", "previous", "at", "force", "verdict"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_mail_verdict(
    shift: ShiftConfig, previous: dict[str, Any], at: datetime, force: bool, verdict: MailVerdict
) -> None:
    assert mail_verdict(previous, shift, at, force=force) == verdict


def test_an_unsent_mail_says_what_the_email_route_says() -> None:
    assert unsent_mail(1_795_000_000) == {
        "sent": False,
        "email_to": [],
        "code": MAIL_NOT_CONFIGURED,
        "checked_at": 1_795_000_000,
    }
    assert MAIL_NOT_CONFIGURED == "MAIL_NOT_CONFIGURED"


@pytest.mark.parametrize(
    ("metadata", "degraded"),
    [
        (fallback_meta("offline", is_fallback=True, reason="timeout"), True),
        (fallback_meta("offline", is_fallback=True, reason="server_error"), True),
        (fallback_meta("gpt-4o", is_fallback=False), False),
        ({}, False),  # the offline provider itself: the configured model, not a failure
        ({"switchboard": "garbage"}, False),
    ],
    ids=["timeout", "server_error", "primary", "unmarked", "garbage"],
)
def test_is_degraded(metadata: dict[str, Any], degraded: bool) -> None:
    assert is_degraded(AIMessage(content="x", response_metadata=metadata)) is degraded
