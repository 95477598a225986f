"""Off duty with no handoff recipients (issue 15 item 10): the session and
`POST /api/sessions/{s}/email` say the same thing, MAIL_NOT_CONFIGURED, and nothing pretends to
have been mailed; once recipients are configured, the next escalation of the same off-duty
stretch does mail them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis import Redis

from graphs.supervision.outbox import RedisOutbox
from tests.api.handoff_support import (
    ALWAYS_ON,
    new_customer,
    post,
    session_of,
    set_shift,
    staff_headers,
)
from tests.api_http import ApiServer


def off_duty(**extra: Any) -> dict[str, Any]:
    """Office hours, but today (Taipei) and its neighbours are holidays: nobody works now."""
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    return {"start": "09:00", "end": "18:00", "holidays": holidays, **extra}


@pytest.fixture
def admin_token(tokens: dict[str, str], http: httpx.Client) -> Iterator[str]:
    yield tokens["admin"]
    set_shift(http, tokens["admin"], ALWAYS_ON)


def outbox(api_server: ApiServer) -> list[str]:
    client = Redis.from_url(api_server.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        prefix = api_server.env["REDIS_KEY_PREFIX"]
        key = RedisOutbox(client, prefix).key("default")  # type: ignore[arg-type]
        rows: list[bytes] = client.lrange(key, 0, -1)  # type: ignore[assignment]
        return [raw.decode() for raw in rows]
    finally:
        client.close()


def test_no_recipients_is_not_configured_in_the_session_and_the_email_route(
    http: httpx.Client, api_server: ApiServer, tokens: dict[str, str], admin_token: str
) -> None:
    set_shift(http, admin_token, off_duty())
    customer = new_customer(http)
    name = customer.session_name
    asked = post(http, "/api/manual/escalate", customer.headers, session_name=name)
    assert asked.status_code == 200, asked.text
    session = asked.json()["data"]
    assert session["status"] == "bot_active"  # off duty: the offline auto-reply, no queue
    assert session["mail"]["sent"] is False and session["mail"]["email_to"] == []
    assert session["mail"]["code"] == "MAIL_NOT_CONFIGURED"
    refused = post(http, f"/api/sessions/{name}/email", customer.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "MAIL_NOT_CONFIGURED"
    alice = staff_headers(http, tokens)["alice"]
    seen = session_of(http, name, alice)
    assert seen["session"]["mail"]["code"] == refused.json()["code"]
    assert "after_hours_email" not in [a["reason"] for a in seen["audit_trail"]]
    assert not [mail for mail in outbox(api_server) if name in mail]

    # recipients configured within the same off-duty stretch: the next escalation mails them
    set_shift(http, admin_token, off_duty(email_to=["night-desk@example.com"]))
    again = post(http, "/api/manual/escalate", customer.headers, session_name=name)
    mail = again.json()["data"]["mail"]
    assert mail["sent"] is True and mail["email_to"] == ["night-desk@example.com"]
    assert "code" not in mail
    assert [m for m in outbox(api_server) if mail["mail_id"] in m and name in m]
