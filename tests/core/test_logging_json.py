"""`LOG_JSON=true`: every line the real API prints is one JSON object, uvicorn's and the libraries'
included, a request's lines carry its id, and national IDs stay masked.

The server is `python -m api` in its own process (stdio MCP children writing to the same
stream), its chat model the OpenAI client pointed at a local fake that fails once, so the openai
and httpx loggers speak during a request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import Settings
from tests.api_http import ApiServer, own_api_server, stop_api
from tests.llm.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.slow
NATIONAL_ID = "A123456789"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text="您好，這是 AI 的回覆。")).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory, fake_llm: FakeOpenAI
) -> Iterator[ApiServer]:
    with own_api_server(  # LOG_JSON=true
        app_settings,
        tmp_path_factory.mktemp("log_json"),
        "logjson",
        stdio_mcp=True,  # the children's lines are on the API's stream
        LOG_LEVEL="INFO",
        **fake_llm.api_env("gpt-4o-mini"),
        LLM_MAX_RETRIES="1",
    ) as api:
        yield api


def lines_of(server: ApiServer) -> list[dict[str, Any]]:
    stop_api(server.process)  # shutdown lines too; everything flushed
    parsed = []
    for number, line in enumerate(server.log.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"line {number} is not JSON: {line[:300]}")
        assert isinstance(parsed[-1], dict), line
    return parsed


def test_every_line_is_json_with_the_request_id_and_masked_ids(
    server: ApiServer, fake_llm: FakeOpenAI
) -> None:
    health_id, chat_id = f"health-{uuid.uuid4().hex[:8]}", f"chat-{uuid.uuid4().hex[:8]}"
    with server.client() as http:
        response = http.get("/health", params={"id": NATIONAL_ID},
                            headers={"X-Request-ID": health_id})  # fmt: skip
        assert response.status_code == 200
        new = http.post("/api/conversation/new", json={}).json()["data"]
        headers = {"Authorization": f"Bearer {new['token']}", "X-Request-ID": chat_id}
        fake_llm.script(Reply(status=500))  # the client logs its retry (openai), then succeeds
        body = {"session_name": new["session_name"], "message": "5G 方案有哪些？"}
        chat = http.post("/api/chat", headers=headers, json=body)
        assert chat.status_code == 200, chat.text
        assert chat.headers["x-request-id"] == chat_id
    assert fake_llm.requests, "the model was called"

    lines = lines_of(server)
    loggers = {line.get("logger") for line in lines}
    assert {"uvicorn.error", "uvicorn.access", "openai._base_client"} <= loggers, loggers

    access = [line for line in lines if line.get("logger") == "uvicorn.access"]
    health = [line for line in access if str(line.get("path", "")).startswith("/health")]
    assert [(h["request_id"], h["status"]) for h in health] == [(health_id, 200)]
    assert "A12****789" in health[0]["path"]
    assert NATIONAL_ID not in json.dumps(lines, ensure_ascii=False)

    library = [line for line in lines if str(line.get("logger")).startswith(("httpx", "openai"))]
    assert any("Retrying" in line["event"] for line in library)  # the openai client's own line
    assert sum("chat/completions" in line["event"] for line in library) == 2  # httpx: 500, 200
    assert {line.get("request_id") for line in library} == {chat_id}
    chat_access = [line for line in access if line.get("path") == "/api/chat"]
    assert [line["request_id"] for line in chat_access] == [chat_id]
