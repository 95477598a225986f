"""The side chat panel in a real Chromium: from step 5 an answer streams in token by token,
a second question while one is answered is refused as the API says it, and the renewal step
never moves.

The model is a real HTTP server speaking the OpenAI wire format (`tests/llm/fake_openai.py`)
that sends its answer in 2-character chunks a few milliseconds apart, so the browser can be
seen receiving the text piece by piece; the offline model answers in one burst, faster than
a page can be observed growing. Everything else (API, Redis, PostgreSQL, MCP) is real.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from redis import Redis

from api.web.build import ensure_built
from core.settings import Settings
from tests.api.conftest import HttpJourney, login
from tests.api_http import ApiServer, running_api
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.web.conftest import SCREENSHOTS, log_in

SALES = "E3002"  # store S003: nobody else's journeys run on this account
ANSWER = (
    "以王先生目前的用量來看，每月行動上網約 38GB，語音約 120 分鐘。"
    "建議選擇 5G 999 方案：上網吃到飽、網內免費，年繳總額比 5G 1399 少約新台幣 4,800 元；"
    "若客戶常出國，可再加購國際漫遊日租。合約期間 30 個月，續約後手機保固照原廠規定。"
) * 2
QUESTION = "這位客戶適合哪個方案？<b>請比較</b>"  # markup stays text


@pytest.fixture(scope="module")
def slow_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text=ANSWER, piece=2, usage=(320, 180))).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def console(
    app_settings: Settings,
    pg_service_db: str,
    tmp_path_factory: pytest.TempPathFactory,
    slow_llm: FakeOpenAI,
) -> Iterator[ApiServer]:
    """This module's API: the suite's PostgreSQL database, its own Redis prefix, the slow model."""
    ensure_built()
    prefix = f"sbtest-webchat-{uuid.uuid4().hex[:8]}"
    update = {"database_url": pg_service_db, "redis_key_prefix": prefix}
    settings = app_settings.model_copy(update=update)
    log = tmp_path_factory.mktemp("web_side_chat") / "api.log"
    model = {
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": slow_llm.base_url,
        "OPENAI_API_KEY": "sk-test",
        "LLM_MODEL": "gpt-4o-mini",
        "LLM_MAX_RETRIES": "0",
        "LLM_FALLBACK_AFTER_SECONDS": "10",
    }
    try:
        with running_api(settings, log, **model) as server:
            yield server
    finally:
        redis = Redis.from_url(settings.redis_url)
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            redis.unlink(*keys)
        redis.close()


@pytest.fixture
def at_step_5(console: ApiServer) -> Iterator[tuple[httpx.Client, HttpJourney]]:
    """A renewal waiting at the device type (step 5), started over HTTP by the sales member."""
    with console.client() as http:
        j = HttpJourney(http, login(http, SALES)["access_token"])
        j.start()
        j.to_device_type()
        yield http, j


def view_of(http: httpx.Client, j: HttpJourney) -> dict[str, Any]:
    got = http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()["data"]
    return data


RECORD_GROWTH = """() => {
  window.__answers = []
  const log = document.querySelector('[data-testid="side-chat-log"]')
  new MutationObserver(() => {
    const turn = [...log.querySelectorAll('[data-testid="side-chat-turn"]')].at(-1)
    const answer = turn?.querySelector('[data-testid="side-chat-answer"]')
    if (answer) window.__answers.push([turn.dataset.state, answer.textContent.length])
  }).observe(log, { subtree: true, childList: true, characterData: true, attributes: true })
}"""


def test_an_answer_streams_in_and_the_step_stays(
    page: Page, at_step_5: tuple[httpx.Client, HttpJourney], slow_llm: FakeOpenAI
) -> None:
    http, j = at_step_5
    before = view_of(http, j)
    assert before["current_step"] == "select_device_type"
    log_in(page, SALES, path=f"/renewal/{j.session_id}")
    panel = page.get_by_test_id("side-chat")
    expect(panel).to_be_visible()
    page.evaluate(RECORD_GROWTH)

    page.get_by_test_id("side-chat-input").fill(QUESTION)
    page.get_by_test_id("side-chat-ask").click()
    turn = panel.get_by_test_id("side-chat-turn").last
    expect(page.get_by_test_id("side-chat-stop")).to_be_visible()  # one question at a time
    expect(turn).to_have_attribute("data-state", "done", timeout=30_000)

    answer = turn.get_by_test_id("side-chat-answer")
    assert answer.inner_text().endswith(ANSWER.strip()[-20:])
    assert ANSWER in (answer.text_content() or "")
    question = turn.get_by_test_id("side-chat-question")
    assert QUESTION in (question.text_content() or "")
    assert question.locator("b").count() == 0  # typed markup is shown, never run

    growth: list[tuple[str, int]] = page.evaluate("window.__answers")
    streaming = sorted({n for state, n in growth if state == "streaming" and n > 0})
    assert len(streaming) >= 5, f"the answer did not grow piece by piece: {growth[:20]}"
    assert streaming[0] < len(ANSWER) // 2  # visible long before the end
    assert slow_llm.requests[-1].body["stream"] is True

    after = view_of(http, j)
    assert after["current_step"] == before["current_step"] == "select_device_type"
    assert after["selections"] == before["selections"]
    expect(page.get_by_test_id("side-chat-ask")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "side-chat.png"))


def test_a_second_question_while_one_is_answered_is_refused_as_the_api_says(
    page: Page, at_step_5: tuple[httpx.Client, HttpJourney], slow_llm: FakeOpenAI
) -> None:
    http, j = at_step_5
    log_in(page, SALES, path=f"/renewal/{j.session_id}")
    expect(page.get_by_test_id("side-chat")).to_be_visible()

    slow_llm.script(Reply(text="稍等", delay=4.0))
    seen = len(slow_llm.requests)
    elsewhere: list[httpx.Response] = []
    body = {"session_id": j.session_id, "message": "另一個分頁的問題"}
    other_tab = threading.Thread(
        target=lambda: elsewhere.append(
            http.post("/api/renewal-workflow/chat/stream", json=body, headers=j.headers)
        )
    )
    other_tab.start()
    deadline = time.monotonic() + 15
    while len(slow_llm.requests) == seen and time.monotonic() < deadline:
        time.sleep(0.05)  # the other question holds the session once it reaches the model
    assert len(slow_llm.requests) > seen

    page.get_by_test_id("side-chat-input").fill("這個方案可以搭配平板嗎？")
    page.get_by_test_id("side-chat-ask").click()
    error = page.get_by_test_id("side-chat-error")
    expect(error).to_be_visible()
    # the API's own words for a busy session (the other question is still being answered)
    again = {"session_id": j.session_id, "message": "再問一次"}
    refused = http.post("/api/renewal-workflow/chat/stream", json=again, headers=j.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "RUN_IN_PROGRESS"
    expect(error).to_have_text(refused.json()["error"])
    expect(page.get_by_test_id("side-chat-turn").last).to_have_attribute("data-state", "error")
    expect(page.get_by_test_id("side-chat-ask")).to_be_visible()  # free to ask again
    other_tab.join(timeout=30)
    assert elsewhere and elsewhere[0].status_code == 200
