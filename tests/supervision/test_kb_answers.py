"""The supervision AI answers from the knowledge base with citations, over real HTTP: an API
process of its own (uvicorn), its toolbox starting the real knowledge MCP server, the offline
chat model. An admin curates the knowledge base through /api/knowledge; a customer asks in the
chat stream and reads the answer with its sources, or an honest "I don't know"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from tests.api.conftest import ADMIN, bearer, login, parse_sse
from tests.api.handoff_support import Customer, new_customer, session_of
from tests.api_http import ApiServer, own_api_server

FAQ = {
    "question": "Wi-Fi 通話要怎麼開啟？",
    "answer": "在手機設定的「行動網路」中開啟「Wi-Fi 通話」，連上 Wi-Fi 後即可撥打電話，不另收費。",
    "category": "network",
}
GUIDE = """# 門市服務指南

## 寵物與導盲犬

所有門市都歡迎導盲犬入內。一般寵物請放在提籠或寵物推車內，才能進入門市。

## 停車

門市不提供停車位，建議搭乘大眾運輸前往。
""".encode()


@pytest.fixture(scope="module")
def server(app_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    folder: Path = tmp_path_factory.mktemp("kbchat")
    with own_api_server(app_settings, folder, "kbchat") as s:
        yield s


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, ADMIN)["access_token"])


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def ask(http: httpx.Client, customer: Customer, text: str) -> tuple[str, list[dict[str, Any]]]:
    """The streamed answer's text and the turn's other events (citations ...)."""
    body = {"session_name": customer.session_name, "message": text}
    response = http.post("/api/chat/stream", json=body, headers=customer.headers, timeout=60)
    assert response.status_code == 200, response.text
    events = [e["data"] for e in parse_sse(response.text).events]
    assert events[-1] == {"type": "done", "content": ""}
    answer = "".join(e["content"] for e in events if e["type"] == "message")
    return answer, [e for e in events[:-1] if e["type"] != "message"]


def last_reply(http: httpx.Client, customer: Customer) -> dict[str, Any]:
    history = session_of(http, customer.session_name, customer.headers)["session"]["history"]
    reply: dict[str, Any] = history[-1]
    assert reply["role"] == "assistant"
    return reply


def test_an_faq_answer_cites_the_faq_and_its_version(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    faq = ok(http.post("/api/knowledge/faqs", json=FAQ, headers=admin), 201)
    customer = new_customer(http)

    answer, others = ask(http, customer, "請問 Wi-Fi 通話怎麼打開？")

    assert "行動網路" in answer and "[1]" in answer
    assert "資料來源" in answer and f"FAQ {faq['faq_id']} v1" in answer
    cited = [e for e in others if e["type"] == "citations"]
    assert len(cited) == 1
    assert cited[0]["citations"] == [{
        "n": 1, "source": "faq", "faq_id": faq["faq_id"], "version": 1,
        "title": FAQ["question"], "citation": f"FAQ {faq['faq_id']}",
    }]  # fmt: skip
    reply = last_reply(http, customer)
    assert reply["content"] == answer and reply["citations"] == cited[0]["citations"]
    assert cited[0]["message_id"] == reply["id"]

    changed = {"answer": "設定 > 行動網路 > Wi-Fi 通話，打開後連上任何 Wi-Fi 都能撥號，免費。"}
    ok(http.patch(f"/api/knowledge/faqs/{faq['faq_id']}", json=changed, headers=admin))
    answer, _ = ask(http, customer, "Wi-Fi 通話要去哪裡開？")
    assert "連上任何 Wi-Fi" in answer and f"FAQ {faq['faq_id']} v2" in answer


def test_an_unrelated_question_gets_i_dont_know_and_no_citation(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    ok(http.post("/api/knowledge/faqs", json={**FAQ, "question": "Wi-Fi 通話收費嗎？"},
                 headers=admin), 201)  # fmt: skip
    customer = new_customer(http)

    answer, others = ask(http, customer, "今天晚餐吃什麼好？")

    assert "不知道" in answer and "轉接真人客服" in answer
    assert "資料來源" not in answer and "[1]" not in answer
    assert [e for e in others if e["type"] == "citations"] == []
    reply = last_reply(http, customer)
    assert "citations" not in reply
    assert session_of(http, customer.session_name, customer.headers)["session"]["status"] == (
        "bot_active"
    )

    english = new_customer(http, language="en")
    answer, _ = ask(http, english, "Who won the basketball game last night?")
    assert "don't know" in answer and "human agent" in answer and "Sources" not in answer


def test_a_question_answered_by_an_uploaded_document_cites_its_chunk(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    part = ("store-guide.md", GUIDE, "text/markdown")
    doc = ok(http.post("/api/knowledge/documents", files={"file": part}, headers=admin), 202)
    deadline = time.monotonic() + 120
    while (status := ok(http.get(f"/api/knowledge/documents/{doc['document_id']}",
                                 headers=admin)))["status"] not in ("ready", "failed"):  # fmt: skip
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert status["status"] == "ready", status
    customer = new_customer(http)

    answer, others = ask(http, customer, "可以帶寵物進門市嗎？")

    assert "提籠" in answer and "[1]" in answer
    (cited,) = [c for e in others if e["type"] == "citations" for c in e["citations"]]
    assert cited["source"] == "document" and cited["document_id"] == doc["document_id"]
    assert cited["version"] == 1 and cited["chunk"] >= 1
    assert "寵物與導盲犬" in cited["citation"]
    assert f"{doc['document_id']} v1, 段落 {cited['chunk']}" in answer
    assert last_reply(http, customer)["citations"] == [cited]


def test_a_greeting_is_greeted_not_told_i_dont_know(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    """A social turn asks the knowledge base nothing: it is not searched, so the customer is not
    told "I don't know" for saying hello; a greeting with a question in it is still searched."""
    ok(http.post("/api/knowledge/faqs", json={**FAQ, "question": "Wi-Fi 通話怎麼設定？"},
                 headers=admin), 201)  # fmt: skip
    customer = new_customer(http)

    for text in ("你好", "謝謝！"):
        answer, others = ask(http, customer, text)
        assert answer and "不知道" not in answer and "資料來源" not in answer
        assert [e for e in others if e["type"] == "citations"] == []

    answer, others = ask(http, customer, "你好，Wi-Fi 通話要怎麼開？")
    assert "Wi-Fi 通話" in answer and [e for e in others if e["type"] == "citations"]
