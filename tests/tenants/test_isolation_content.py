"""What one tenant's people see never contains another tenant's content (issue 21 tests):
knowledge search, the AI's answers (customer turns through the real API) and the agents'
suggestions come from the caller's tenant's FAQs only, and the events of one tenant's chats
reach its own people and the chat's customer, never the other tenant's agent streams (live SSE
over a real API process).

Tenant A is `default`, tenant B is `harbor`; both get an FAQ on the same question with
distinctive answers, so a search without the tenant filter would find both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.handoff_support import ALWAYS_ON, SseReader, is_type
from tests.api_http import ApiServer
from tests.tenants.conftest import (
    ADMIN_A,
    ADMIN_B,
    AGENT_A,
    AGENT_B,
    SITE_A,
    SITE_B,
    bearer,
    opened,
    token_of,
)

QUESTION = "出國漫遊要怎麼開通？"
MARK = uuid.uuid4().hex[:6].upper()
ANSWER = {
    "a": f"A 的漫遊說明：在 App 開啟「紫鯨漫遊」，代碼 ALPHA{MARK}，每日 199 元。",
    "b": f"B 的漫遊說明：到門市辦理「橘鷗漫遊」，代碼 BRAVO{MARK}，每日 259 元。",
}
CODE = {"a": f"ALPHA{MARK}", "b": f"BRAVO{MARK}"}


@pytest.fixture(scope="module")
def staff(http: httpx.Client) -> dict[str, dict[str, str]]:
    heads = {
        "admin_a": bearer(token_of(http, ADMIN_A)),
        "admin_b": bearer(token_of(http, ADMIN_B)),
        "agent_a": bearer(token_of(http, AGENT_A)),
        "agent_b": bearer(token_of(http, AGENT_B)),
    }
    for admin in ("admin_a", "admin_b"):
        response = http.put("/api/shift/config", json=ALWAYS_ON, headers=heads[admin])
        assert response.status_code == 200, response.text
    return heads


@pytest.fixture(scope="module")
def faqs(http: httpx.Client, staff: dict[str, dict[str, str]]) -> Iterator[dict[str, str]]:
    """One FAQ per tenant on the same question; their ids by tenant."""
    made: dict[str, str] = {}
    for tenant in ("a", "b"):
        body = {"question": QUESTION, "answer": ANSWER[tenant], "category": "roaming"}
        response = http.post("/api/knowledge/faqs", json=body, headers=staff[f"admin_{tenant}"])
        assert response.status_code == 201, response.text
        made[tenant] = response.json()["data"]["faq_id"]
    yield made
    for tenant, faq_id in made.items():
        http.delete(f"/api/knowledge/faqs/{faq_id}", headers=staff[f"admin_{tenant}"])


def data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def chat(http: httpx.Client, site_key: str) -> tuple[str, dict[str, str]]:
    opened_chat = opened(http, site_key)
    return opened_chat["session_name"], bearer(opened_chat["token"])


def say(http: httpx.Client, session: tuple[str, dict[str, str]], text: str) -> str:
    name, headers = session
    body = {"session_name": name, "message": text}
    answer: str = data(http.post("/api/chat", json=body, headers=headers))["answer"]
    return answer


def other(tenant: str) -> str:
    return "b" if tenant == "a" else "a"


@pytest.mark.parametrize("tenant", ["a", "b"])
def test_knowledge_search_finds_only_the_callers_faqs(
    http: httpx.Client, staff: dict[str, dict[str, str]], faqs: dict[str, str], tenant: str
) -> None:
    params: dict[str, Any] = {"q": QUESTION, "top_k": 20}
    found = data(http.get("/api/knowledge/search", params=params,
                          headers=staff[f"agent_{tenant}"]))  # fmt: skip
    ids = [h.get("faq_id") for h in found["hits"]]
    assert faqs[tenant] in ids, found
    assert faqs[other(tenant)] not in ids
    assert CODE[other(tenant)] not in str(found)


@pytest.mark.parametrize("tenant", ["a", "b"])
def test_ai_answers_and_suggestions_cite_only_the_tenants_faqs(
    http: httpx.Client, staff: dict[str, dict[str, str]], faqs: dict[str, str], tenant: str
) -> None:
    session = chat(http, SITE_A if tenant == "a" else SITE_B)
    answer = say(http, session, QUESTION)
    assert CODE[tenant] in answer, answer  # the offline model answers from the best hit
    assert CODE[other(tenant)] not in answer
    agent = staff[f"agent_{tenant}"]
    state = data(http.get(f"/api/sessions/{session[0]}", headers=agent))["session"]
    cited = [c.get("faq_id") for m in state["history"] for c in m.get("citations") or []]
    assert faqs[tenant] in cited and faqs[other(tenant)] not in cited
    suggested = data(http.get("/api/knowledge/suggestions",
                              params={"session_name": session[0], "limit": 10},
                              headers=agent))  # fmt: skip
    ids = [s.get("faq_id") for s in suggested["suggestions"]]
    assert faqs[tenant] in ids and faqs[other(tenant)] not in ids
    assert CODE[other(tenant)] not in str(suggested)


def test_events_of_a_tenants_chats_never_reach_another_tenants_agent_streams(
    http: httpx.Client, tenant_server: ApiServer, staff: dict[str, dict[str, str]]
) -> None:
    streams = {
        who: SseReader(tenant_server.url, "/api/agent/stream", staff[who]).start()
        for who in ("admin_a", "admin_b", "agent_b")
    }
    try:
        a_chat, b_chat = chat(http, SITE_A), chat(http, SITE_B)
        path = f"/api/sessions/{b_chat[0]}/stream"
        streams["customer_b"] = SseReader(tenant_server.url, path, b_chat[1]).start()
        with http.stream("GET", path, headers=staff["agent_a"]) as stranger:
            assert stranger.status_code == 404  # not "forbidden": A's agent learns nothing
        for name, headers in (a_chat, b_chat):
            asked = http.post("/api/manual/escalate", json={"session_name": name},
                              headers=headers)  # fmt: skip
            assert data(asked)["status"] == "pending_manual"
        taken = http.post(f"/api/sessions/{a_chat[0]}/takeover", headers=staff["agent_a"])
        assert taken.status_code == 200, taken.text
        secret = f"A 客人的私訊 {MARK}"
        sent = http.post("/api/manual/messages", headers=a_chat[1], json={
            "session_name": a_chat[0], "role": "user", "content": secret})  # fmt: skip
        assert sent.status_code in (200, 201), sent.text

        # A's admin sees all of it (the streams work), B's people see their own chat only
        streams["admin_a"].until(is_type("manual_message", content=secret))
        for who in ("admin_b", "agent_b"):
            streams[who].until(is_type("status_change", session_name=b_chat[0]))
            seen = streams[who].seen + streams[who].drain(quiet=1.5)
            assert seen
            assert not [e for e in seen if e.data.get("session_name") == a_chat[0]], who
            assert secret not in str([e.data for e in seen])
        # and the other way: B's customer gets their chat's events, A's people none of them
        streams["customer_b"].until(is_type("status_change", status="pending_manual"))
        seen = streams["admin_a"].seen + streams["admin_a"].drain(quiet=1.0)
        assert not [e for e in seen if e.data.get("session_name") == b_chat[0]]
    finally:
        for reader in streams.values():
            reader.close()
