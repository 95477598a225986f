"""`/api/knowledge` over real HTTP: the API process (uvicorn), its toolbox starting the real
knowledge MCP server lazily on the first knowledge call, the service database of its own.

Documents are generated here (tests/knowledge/documents.py and test_server's texts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.national_id import mask, with_checksum
from core.settings import Settings
from tests.api.conftest import ADMIN, AGENT, SALES, bearer, login
from tests.api.handoff_support import new_customer, say
from tests.api_http import ApiServer, eventually, own_api_server

from .documents import HTML, MARKDOWN, ROAMING, TEXT, pdf_bytes, roaming_sections

LIMIT = 200_000  # KNOWLEDGE_MAX_UPLOAD_BYTES of this server: a 413 costs little to provoke
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def server(app_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    folder: Path = tmp_path_factory.mktemp("kapi")
    with own_api_server(app_settings, folder, "kapi", KNOWLEDGE_MAX_UPLOAD_BYTES=str(LIMIT)) as s:
        yield s


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, ADMIN)["access_token"])


@pytest.fixture(scope="module")
def agent(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, AGENT)["access_token"])


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["code"] == code, body
    assert "Traceback" not in response.text
    return body


def upload(http: httpx.Client, headers: dict[str, str], filename: str, data: bytes,
           media_type: str | None = None) -> httpx.Response:  # fmt: skip
    part = (filename, data, media_type) if media_type else (filename, data)
    return http.post("/api/knowledge/documents", files={"file": part}, headers=headers)


def wait_done(http: httpx.Client, headers: dict[str, str], document_id: str,
              wait_s: float = 120) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + wait_s
    while True:
        status: dict[str, Any] = ok(http.get(f"/api/knowledge/documents/{document_id}",
                                             headers=headers))  # fmt: skip
        if status["status"] in ("ready", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def search(http: httpx.Client, headers: dict[str, str], q: str, top_k: int = 3) -> dict[str, Any]:
    found: dict[str, Any] = ok(http.get("/api/knowledge/search", params={"q": q, "top_k": top_k},
                                        headers=headers))  # fmt: skip
    return found


# FAQs -------------------------------------------------------------------------------------


def lazy_starts(server: ApiServer) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in server.log.read_text().splitlines()
              if line.startswith("{")]  # fmt: skip
    return [e for e in events if e.get("event") == "mcp_lazy_started"]


def test_opening_a_chat_starts_the_knowledge_server_before_its_first_question(
    server: ApiServer, http: httpx.Client
) -> None:
    """The first customer after a restart does not wait for the knowledge server to start
    (seconds: it loads an embedder): opening the chat starts it in the background. First in
    this module, so no knowledge call has started it yet."""
    assert lazy_starts(server) == []
    new_customer(http)  # opens a conversation and says nothing
    assert eventually(lambda: bool(lazy_starts(server)), seconds=60)
    assert [e["servers"] for e in lazy_starts(server)] == [["knowledge"]]


def test_faq_crud_keeps_versions_and_only_admins_write(
    http: httpx.Client, admin: dict[str, str], agent: dict[str, str]
) -> None:
    body = {"question": "預付卡可以在哪裡儲值？", "answer": "便利商店、官網與門市都能儲值。",
            "category": "prepaid", "tags": ["prepaid"]}  # fmt: skip
    refused(http.post("/api/knowledge/faqs", json=body, headers=agent), 403, "FORBIDDEN")
    sales = bearer(login(http, SALES)["access_token"])
    refused(http.get("/api/knowledge/faqs", headers=sales), 403, "FORBIDDEN")
    refused(http.get("/api/knowledge/faqs"), 401, "UNAUTHORIZED")

    faq = ok(http.post("/api/knowledge/faqs", json=body, headers=admin), 201)
    assert faq["version"] == 1 and faq["question"] == body["question"]
    path = f"/api/knowledge/faqs/{faq['faq_id']}"
    refused(http.patch(path, json={"answer": "x"}, headers=agent), 403, "FORBIDDEN")
    changed = ok(http.patch(path, json={"answer": "便利商店與官網皆可，最低一百元。"},
                            headers=admin))  # fmt: skip
    assert changed["version"] == 2 and changed["question"] == body["question"]
    assert ok(http.get(path, headers=agent))["answer"] == "便利商店與官網皆可，最低一百元。"

    versions = ok(http.get(f"{path}/versions", headers=agent))
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["answer"] == body["answer"] and versions[0]["edited_by"] == ADMIN
    listed = ok(http.get("/api/knowledge/faqs", params={"category": "prepaid"}, headers=agent))
    assert faq["faq_id"] in {f["faq_id"] for f in listed["items"]}

    hit = search(http, agent, "預付卡 儲值 地點")["hits"][0]
    assert hit["faq_id"] == faq["faq_id"] and hit["citation"] == f"FAQ {faq['faq_id']}"

    refused(http.patch(path, json={}, headers=admin), 400, "INVALID_INPUT")
    refused(http.patch(path, json={"colour": "red"}, headers=admin), 422, "VALIDATION_ERROR")
    deleted = http.delete(path, headers=admin)
    assert deleted.status_code == 200 and deleted.json()["success"] is True
    refused(http.get(path, headers=agent), 404, "NOT_FOUND")
    refused(http.delete(path, headers=admin), 404, "NOT_FOUND")


def test_national_ids_in_faqs_are_masked(http: httpx.Client, admin: dict[str, str]) -> None:
    national_id = with_checksum("B12345678")
    body = {"question": "退款範例", "answer": f"客戶 {national_id} 的退款會退回原帳戶。"}
    faq = ok(http.post("/api/knowledge/faqs", json=body, headers=admin), 201)
    assert national_id not in faq["answer"] and mask(national_id) in faq["answer"]
    found = search(http, admin, "退款 退回 原帳戶")
    assert found["hits"] and all(national_id not in h["text"] for h in found["hits"])
    assert http.delete(f"/api/knowledge/faqs/{faq['faq_id']}", headers=admin).status_code == 200


# Documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "query"),
    [
        ("prepaid.md", MARKDOWN.encode(), "預付卡 儲值 有效期限"),
        ("hours.html", HTML.encode(), "store hours national holidays"),
        ("sim.txt", TEXT.encode(), "lost SIM card replacement eSIM"),
    ],
)
def test_each_text_format_uploads_to_ready_and_is_cited_in_search(
    http: httpx.Client, admin: dict[str, str], agent: dict[str, str],
    filename: str, data: bytes, query: str,
) -> None:  # fmt: skip
    refused(upload(http, agent, filename, data), 403, "FORBIDDEN")
    doc = ok(upload(http, admin, filename, data), 202)
    assert doc["status"] in ("queued", "processing", "ready") and doc["size_bytes"] == len(data)
    status = wait_done(http, agent, doc["document_id"])
    assert status["status"] == "ready" and status["progress"] == 1.0, status
    assert status["chunk_count"] >= 1 and status["reason"] is None
    top = search(http, agent, query)["hits"][0]
    assert top["document_id"] == doc["document_id"] and top["source"] == "document"
    assert top["citation"].startswith(status["title"])
    again = ok(upload(http, admin, f"copy-{filename}", data), 202)
    assert again["duplicate"] is True and again["document_id"] == doc["document_id"]
    listed = ok(http.get("/api/knowledge/documents", params={"status": "ready"}, headers=agent))
    assert doc["document_id"] in {d["document_id"] for d in listed["items"]}


def test_corrupt_pdf_fails_with_the_reason(http: httpx.Client, admin: dict[str, str]) -> None:
    good = pdf_bytes(roaming_sections(), title=ROAMING)
    doc = ok(upload(http, admin, "broken.pdf", good[: len(good) // 2], "application/pdf"), 202)
    status = wait_done(http, admin, doc["document_id"])
    assert status["status"] == "failed" and status["chunk_count"] == 0, status
    assert status["reason"].startswith("CORRUPT_DOCUMENT: ") and len(status["reason"]) > 20
    assert not [h for h in search(http, admin, "daily roaming pass")["hits"]
                if h["document_id"] == doc["document_id"]]  # fmt: skip


def test_too_large_uploads_answer_413_before_reaching_the_server(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    before = ok(http.get("/api/knowledge/documents", headers=admin))["total"]
    far_over = b"roaming " * (LIMIT // 4)  # 2 x the limit: refused from Content-Length alone
    body = refused(upload(http, admin, "big.txt", far_over), 413, "TOO_LARGE")
    assert str(LIMIT) in body["error"]
    just_over = b"a" * (LIMIT + 1)  # within the multipart slack: refused after parsing
    refused(upload(http, admin, "big.txt", just_over), 413, "TOO_LARGE")
    assert ok(http.get("/api/knowledge/documents", headers=admin))["total"] == before


def test_a_renamed_binary_is_refused_as_unsupported(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    body = refused(upload(http, admin, "notes.txt", PNG), 415, "UNSUPPORTED_TYPE")
    assert "png" in body["error"].lower()
    refused(upload(http, admin, "notes.pdf", TEXT.encode(), "application/pdf"), 415,
            "TYPE_MISMATCH")  # fmt: skip


def test_delete_removes_a_document_from_search(
    http: httpx.Client, admin: dict[str, str], agent: dict[str, str]
) -> None:
    text = b"Satellite phones\n\nSatellite phone rental costs NT$600 per day at the airport.\n"
    doc = ok(upload(http, admin, "satellite.txt", text), 202)
    assert wait_done(http, admin, doc["document_id"])["status"] == "ready"
    query = "satellite phone rental airport"
    assert search(http, agent, query)["hits"][0]["document_id"] == doc["document_id"]
    refused(http.delete(f"/api/knowledge/documents/{doc['document_id']}", headers=agent), 403,
            "FORBIDDEN")  # fmt: skip
    deleted = http.delete(f"/api/knowledge/documents/{doc['document_id']}", headers=admin)
    assert deleted.status_code == 200 and deleted.json()["success"] is True
    hits = search(http, agent, query)["hits"]
    assert doc["document_id"] not in {h["document_id"] for h in hits}
    refused(http.get(f"/api/knowledge/documents/{doc['document_id']}", headers=admin), 404,
            "NOT_FOUND")  # fmt: skip


# Search and suggestions -------------------------------------------------------------------


def test_search_validates_its_query(http: httpx.Client, agent: dict[str, str]) -> None:
    cases: list[tuple[dict[str, Any], int]] = [
        ({}, 400),
        ({"q": "   "}, 400),
        ({"q": "x", "top_k": 0}, 422),
        ({"q": "x" * 1001}, 422),
    ]
    for params, status in cases:
        refused(http.get("/api/knowledge/search", params=params, headers=agent), status,
                "VALIDATION_ERROR")  # fmt: skip


def test_suggestions_for_a_roaming_chat_name_the_roaming_faq(
    http: httpx.Client, admin: dict[str, str], agent: dict[str, str]
) -> None:
    roaming = ok(http.post("/api/knowledge/faqs", json={
        "question": "出國漫遊要怎麼開通？", "category": "roaming",
        "answer": "出國前在 App 的「設定 > 旅遊」開啟漫遊，日韓每日漫遊包 199 元含 1 GB。",
    }, headers=admin), 201)  # fmt: skip
    customer = new_customer(http)
    say(http, customer, "你好")
    say(http, customer, "我下週要去日本玩，手機漫遊要怎麼開通？")
    found = ok(http.get("/api/knowledge/suggestions",
                        params={"session_name": customer.session_name}, headers=agent))  # fmt: skip
    assert found["session_name"] == customer.session_name
    assert roaming["faq_id"] in [s["faq_id"] for s in found["suggestions"]], found
    refused(http.get("/api/knowledge/suggestions", params={"session_name": "session_nope"},
                     headers=agent), 404, "SESSION_NOT_FOUND")  # fmt: skip


def test_the_knowledge_server_starts_on_first_use_only(
    server: ApiServer, http: httpx.Client, agent: dict[str, str]
) -> None:
    ok(http.get("/api/knowledge/faqs", headers=agent))  # at least one knowledge call made
    events = [json.loads(line) for line in server.log.read_text().splitlines()
              if line.startswith("{")]  # fmt: skip
    opened = [e for e in events if e.get("event") == "mcp_sessions_opened"]
    assert opened and all(e["servers"] == ["crm", "pos", "promotion"] for e in opened)
    # once, however many calls and opened chats followed
    assert [e["servers"] for e in lazy_starts(server)] == [["knowledge"]]


def test_an_upload_form_must_hold_exactly_one_file(
    http: httpx.Client, admin: dict[str, str]
) -> None:
    not_multipart = http.post("/api/knowledge/documents", data={"title": "x"}, headers=admin)
    refused(not_multipart, 400, "INVALID_INPUT")
    extra = http.post("/api/knowledge/documents", files={"file": ("a.txt", TEXT.encode())},
                      data={"colour": "red"}, headers=admin)  # fmt: skip
    assert refused(extra, 422, "VALIDATION_ERROR")["fields"][0]["field"] == "colour"


def test_a_new_version_of_a_document_replaces_its_chunks(
    http: httpx.Client, admin: dict[str, str], agent: dict[str, str]
) -> None:
    page = "# 預付卡儲值手冊\n\n## 儲值金額\n\n預付卡在便利商店儲值，每次最低{}元，期限延長半年。\n"
    doc = ok(upload(http, admin, "prepaid-topup.md", page.format("一百").encode(),
                    "text/markdown"), 202)  # fmt: skip
    assert wait_done(http, admin, doc["document_id"])["status"] == "ready"
    path = f"/api/knowledge/documents/{doc['document_id']}"
    part = {"file": ("prepaid-topup.md", page.format("兩百").encode(), "text/markdown")}

    refused(http.put(path, files=part, headers=agent), 403, "FORBIDDEN")
    refused(http.put("/api/knowledge/documents/doc_missing", files=part, headers=admin), 404,
            "NOT_FOUND")  # fmt: skip
    again = ok(http.put(path, files=part, headers=admin), 202)
    assert again["document_id"] == doc["document_id"] and not again["duplicate"]

    status = wait_done(http, admin, doc["document_id"])
    assert status["status"] == "ready" and status["version"] == 2
    hits = [h for h in search(http, agent, "預付卡 儲值 最低金額", top_k=10)["hits"]
            if h["document_id"] == doc["document_id"]]  # fmt: skip
    assert hits and all(h["document_version"] == 2 and h["chunk"] >= 1 for h in hits)
    assert any("兩百" in h["text"] for h in hits) and not any("一百" in h["text"] for h in hits)
