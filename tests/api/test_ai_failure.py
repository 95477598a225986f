"""A degraded answer is an AI failure (issue 15 item 8), over the real server.

The server's model is `LLM_PROVIDER=openai` pointed at a local OpenAI-compatible server
(tests/llm/fake_openai.py) that hangs or answers 500. The customer still gets the offline
model's answer, but each such turn counts in `ai_fail_count`, and the third escalates with
`ai_failure` (docs/supervision.md: 3 failures). A healthy answer counts nothing; cancelling the
escalation gives the AI a clean slate.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.settings import Settings
from tests.api.conftest import login
from tests.api.handoff_support import (
    ALWAYS_ON,
    Customer,
    SseReader,
    is_type,
    new_customer,
    say,
    session_of,
    set_shift,
)
from tests.api_http import ApiServer, own_api_server
from tests.llm.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.slow
HEALTHY = "您好，這是 AI 的回覆。"
QUESTION = "請問 5G 吃到飽方案有哪些？"
FALLBACK_AFTER = 1.0


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text=HEALTHY)).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory, fake_llm: FakeOpenAI
) -> Iterator[ApiServer]:
    """One API process on its own database and Redis prefix, its model the fake endpoint."""
    with own_api_server(
        app_settings,
        tmp_path_factory.mktemp("ai_failure"),
        "aifail",
        **fake_llm.api_env("gpt-4o-mini"),
        LLM_MAX_RETRIES="0",
        LLM_FALLBACK_AFTER_SECONDS=str(FALLBACK_AFTER),
    ) as api:
        yield api


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        set_shift(client, login(client, "admin")["access_token"], ALWAYS_ON)
        yield client


def view(http: httpx.Client, customer: Customer) -> dict[str, Any]:
    session: dict[str, Any] = session_of(http, customer.session_name, customer.headers)["session"]
    return session


def test_a_healthy_answer_is_no_failure(http: httpx.Client, fake_llm: FakeOpenAI) -> None:
    """Runs first: the endpoint's circuit breaker is still closed."""
    customer = new_customer(http, nickname="順利的客人")
    turn = say(http, customer, QUESTION)
    assert (turn["answer"], turn["status"]) == (HEALTHY, "bot_active")
    assert view(http, customer)["ai_fail_count"] == 0


def test_three_degraded_turns_escalate_with_ai_failure(
    http: httpx.Client, server: ApiServer, fake_llm: FakeOpenAI
) -> None:
    """Turn 1: the endpoint hangs (fallback after the first-chunk deadline); then it answers
    500 (and the breaker opens). Every turn the customer reads the offline answer, and the
    count climbs to the documented three, which hands the chat to a human."""
    fake_llm.default = Reply(status=500)
    fake_llm.script(Reply(text="too late", delay=30))
    customer = new_customer(http, nickname="倒楣的客人")
    workbench = SseReader(server.url, "/api/agent/stream", {
        "Authorization": f"Bearer {login(http, 'agent001')['access_token']}"}).start()  # fmt: skip
    try:
        started = time.monotonic()
        first = say(http, customer, QUESTION)
        assert time.monotonic() - started >= FALLBACK_AFTER  # it did wait for the hung model
        assert first["status"] == "bot_active" and first["answer"].strip()
        assert first["answer"] not in ("too late", HEALTHY)  # the offline model answered
        counts = [view(http, customer)["ai_fail_count"]]
        second = say(http, customer, QUESTION)
        assert second["status"] == "bot_active" and second["answer"].strip()
        counts.append(view(http, customer)["ai_fail_count"])
        third = say(http, customer, QUESTION)
        session = view(http, customer)
        counts.append(session["ai_fail_count"])
        assert counts == [1, 2, 3]
        assert third["status"] == "pending_manual"
        changes = [e for e in third["events"] if e["type"] == "status_change"]
        assert [(c["status"], c["reason"]) for c in changes] == [("pending_manual", "ai_failure")]
        assert session["escalation"]["reason"] == "ai_failure"
        audit = session_of(http, customer.session_name, customer.headers)["audit_trail"]
        assert [(a["status_to"], a["reason"]) for a in audit][-1] == (
            "pending_manual",
            "ai_failure",
        )
        queued = workbench.until(
            is_type("status_change", session_name=customer.session_name, status="pending_manual")
        )
        assert queued[-1].data["reason"] == "ai_failure"

        # Cancelling gives the AI a clean slate: one more degraded turn is failure 1, not 4.
        cancelled = http.post(
            "/api/manual/cancel",
            json={"session_name": customer.session_name},
            headers=customer.headers,
        )
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["data"]["ai_fail_count"] == 0
        again = say(http, customer, QUESTION)
        assert again["status"] == "bot_active"
        assert view(http, customer)["ai_fail_count"] == 1
    finally:
        workbench.close()
