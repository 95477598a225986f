"""The agent workbench in a real Chromium against the real API, Redis, PostgreSQL and MCP servers.

A customer chats over HTTP (as the widget would); the agent, in the browser at a laptop's
1366×768, sees the escalation arrive without a reload (a row, a beep, a title badge), takes
over, and the two exchange messages: the agent's reaches the customer's own session stream,
the customer's appears in the workbench live. The agent inserts a quick reply that an admin
created (the API fills the customer's name, the agent fills the rest), tags the chat up to the
API's limit of 10 (the 11th is refused with the API's words), opens a ticket with the AI
summary filled in, and releases the chat: the AI answers the customer again. A second agent in
another browser context who tries to take the same chat is told who has it. Markup typed by
the customer shows as text and runs nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.api.conftest import bearer, login
from tests.api.handoff_support import Customer, SseReader, is_type, new_customer, on_duty, say
from tests.api_http import ApiServer
from tests.web.conftest import LAPTOP, SCREENSHOTS, log_in
from tests.web.problems import record_problems

pytestmark = pytest.mark.slow  # a server and a browser: ~40 s for the module
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def admin(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, "admin")["access_token"])


@pytest.fixture
def duty(http: httpx.Client, console: ApiServer) -> Iterator[None]:
    """Agents on duty around the clock, so an escalation queues whatever the time of the run."""
    with on_duty(http, login(http, "admin")["access_token"], console):
        yield


def agent_name(http: httpx.Client, username: str) -> str:
    token = login(http, username)["access_token"]
    response = http.get("/api/agent/profile", headers=bearer(token))
    assert response.status_code == 200, response.text
    return str(response.json()["agent"]["name"])


def new_tags(http: httpx.Client, headers: dict[str, str], count: int) -> list[str]:
    """Custom tags of this run (the system ones are 8; the limit test needs 11)."""
    ids = []
    for n in range(count):
        body = {"name": f"wb{uuid.uuid4().hex[:6]}{n}", "color": "#0EA5E9"}
        response = http.post("/api/tags", json=body, headers=headers)
        assert response.status_code == 200, response.text
        ids.append(response.json()["data"]["id"])
    return ids


def escalate(http: httpx.Client, customer: Customer) -> None:
    body = {"session_name": customer.session_name, "reason": "user_request"}
    response = http.post("/api/manual/escalate", json=body, headers=customer.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "pending_manual"


def customer_says(http: httpx.Client, customer: Customer, text: str) -> None:
    body = {"session_name": customer.session_name, "role": "user", "content": text}
    response = http.post("/api/manual/messages", json=body, headers=customer.headers)
    assert response.status_code == 200, response.text


def row(page: Page, session_name: str) -> Any:
    return page.locator(f'[data-testid="queue-item"][data-session="{session_name}"]')


def second_agent_page(browser: Browser, console: ApiServer, problems: list[str]) -> Page:
    context = browser.new_context(viewport=LAPTOP, locale="zh-TW", base_url=console.url)
    page = context.new_page()
    record_problems(page, problems, expected=("status of 4",))  # the lost takeover is a 409
    return page


@pytest.mark.usefixtures("duty")
def test_agent_takes_over_answers_tags_tickets_and_releases(
    page: Page, console: ApiServer, browser: Browser, http: httpx.Client, admin: dict[str, str]
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.set_viewport_size(LAPTOP)
    alice, bob = agent_name(http, "agent001"), agent_name(http, "agent002")
    title = f"問候{uuid.uuid4().hex[:6]}"
    reply = {
        "category": "pre_sales",
        "title": title,
        "content": "{customer_name}您好，我是{agent_name}，{product_name}目前有貨。",
        "is_shared": True,
    }
    created = http.post("/api/quick-replies", json=reply, headers=admin)
    assert created.status_code == 200, created.text
    extra_tags = new_tags(http, admin, 3)

    log_in(page, "agent001")
    expect(page).to_have_url(f"{console.url}/agent")
    expect(page.get_by_test_id("stream-state")).to_have_attribute("data-live", "true")
    expect(page.get_by_test_id("my-status")).to_have_attribute("data-status", "online")
    page.evaluate("window.__sameDocument = true")
    base_title = page.title()

    customer = new_customer(http, nickname="林小姐", vip=True, country="TW", language="zh-TW")
    # a VIP's first report of trouble escalates by itself (reason `vip`, the nineteenth pass)
    turn = say(http, customer, "我的網路一直斷線，已經重開機了")
    assert turn["status"] == "pending_manual", turn

    # live: the row arrives without a reload, with a beep and a title badge
    expect(row(page, customer.session_name)).to_be_visible(timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True
    workbench = page.get_by_test_id("workbench")
    expect(workbench).not_to_have_attribute("data-beeps", "0")
    expect(page).to_have_title(f"(1) {base_title}")
    expect(row(page, customer.session_name).get_by_test_id("queue-summary")).to_contain_text(
        "網路一直斷線"
    )
    expect(row(page, customer.session_name).get_by_test_id("queue-nickname")).to_have_text("林小姐")
    expect(row(page, customer.session_name).get_by_test_id("queue-severity")).to_be_visible()

    row(page, customer.session_name).click()
    expect(page).to_have_title(base_title)
    panel = page.get_by_test_id("conversation")
    expect(panel.get_by_test_id("chat-log")).to_contain_text("我的網路一直斷線，已經重開機了")
    expect(page.get_by_test_id("profile-nickname")).to_have_text("林小姐")
    expect(page.get_by_test_id("profile-vip")).to_have_text("是")
    expect(page.get_by_test_id("escalation-summary")).to_contain_text("網路一直斷線")

    # a second agent opens the same chat while it waits; their click loses the race
    problems: list[str] = []
    other = second_agent_page(browser, console, problems)
    try:
        log_in(other, "agent002")
        # hold the second agent's session stream, so the takeover below does not reach that
        # page first and hide the button: the click then races it as a slower network would
        other.route("**/api/sessions/*/stream", lambda route: None)
        row(other, customer.session_name).click()
        expect(other.get_by_test_id("takeover")).to_be_visible()

        page.get_by_test_id("takeover").click()
        expect(panel).to_have_attribute("data-status", "manual_live")
        expect(page.get_by_test_id("conversation-holder")).to_contain_text(alice)
        # the second agent's queue shows who has it, live
        expect(row(other, customer.session_name)).to_contain_text(alice)

        other.get_by_test_id("takeover").click()
        notice = other.get_by_test_id("conversation-notice")
        expect(notice).to_contain_text(alice)
        expect(other.get_by_test_id("conversation-holder")).to_contain_text(alice)
        expect(other.get_by_test_id("conversation-error")).to_have_count(0)
        assert bob not in notice.inner_text()
    finally:
        other.context.close()
    assert not problems, problems

    stream = SseReader(
        console.url, f"/api/sessions/{customer.session_name}/stream", customer.headers
    ).start()
    try:
        # the agent's message reaches the customer's session stream
        page.get_by_test_id("composer").fill("您好，我來幫您檢查線路")
        page.get_by_test_id("send").click()
        stream.until(is_type("manual_message", role="agent", content="您好，我來幫您檢查線路"))
        expect(page.get_by_test_id("composer")).to_have_value("")

        # the customer's message appears in the workbench live, markup as text
        customer_says(http, customer, XSS)
        last = panel.get_by_test_id("chat-entry").last
        expect(last).to_have_attribute("data-role", "user")
        expect(last.get_by_test_id("chat-text")).to_have_text(XSS)
        assert panel.locator("[data-testid=chat-log] img").count() == 0

        # a quick reply: picked by search, filled by `use`, completed by hand, inserted, sent
        page.get_by_test_id("quick-search").fill(title)
        expect(page.get_by_test_id("quick-item")).to_have_count(1)
        page.get_by_test_id("quick-item").click()
        preview = page.get_by_test_id("quick-preview")
        expect(preview).to_have_text(f"林小姐您好，我是{alice}，{{product_name}}目前有貨。")
        page.get_by_test_id("quick-var-product_name").fill("iPhone 16")
        expect(preview).to_have_text(f"林小姐您好，我是{alice}，iPhone 16目前有貨。")
        page.get_by_test_id("quick-insert").click()
        filled = f"林小姐您好，我是{alice}，iPhone 16目前有貨。"
        expect(page.get_by_test_id("composer")).to_have_value(filled)
        page.get_by_test_id("composer").press("Enter")
        stream.until(is_type("manual_message", role="agent", content=filled))

        # a tag from the list
        page.get_by_test_id("tag-choice").select_option("tag_billing")
        page.get_by_test_id("tag-add").click()
        expect(page.locator('[data-testid="session-tag"][data-tag="tag_billing"]')).to_be_visible()
        expect(page.get_by_test_id("tag-count")).to_have_text("1 / 10")

        # a ticket from the chat, the AI summary filled in
        page.get_by_test_id("ticket-open").click()
        summary = page.get_by_test_id("ticket-summary").input_value()
        assert "網路一直斷線" in summary
        page.get_by_test_id("ticket-submit").click()
        expect(page.get_by_test_id("ticket-done")).to_contain_text("TK-")
        ticket = http.get(f"/api/sessions/{customer.session_name}/ticket", headers=admin).json()
        assert ticket["data"]["ai_summary"] == summary.strip()
        expect(page.get_by_test_id("ticket-done")).to_contain_text(ticket["data"]["ticket_number"])
        page.screenshot(path=str(SCREENSHOTS / "workbench.png"))

        # the 11th tag is refused with the API's words
        options = page.get_by_test_id("tag-choice").locator("option:not([disabled])")
        offered = [options.nth(i).get_attribute("value") or "" for i in range(options.count())]
        assert set(extra_tags) <= set(offered) and "tag_billing" not in offered
        for tag_id in offered[:9]:
            path = f"/api/sessions/{customer.session_name}/tags"
            added = http.post(path, json={"tag_id": tag_id}, headers=admin)
            assert added.status_code == 200, added.text
        eleventh = offered[9]
        page.get_by_test_id("tag-choice").select_option(eleventh)
        page.get_by_test_id("tag-add").click()
        refusal = http.post(
            f"/api/sessions/{customer.session_name}/tags", json={"tag_id": eleventh}, headers=admin
        )
        assert refusal.status_code == 409 and refusal.json()["code"] == "TOO_MANY_TAGS"
        expect(page.get_by_test_id("tag-error")).to_contain_text(refusal.json()["error"])

        # released: the AI answers the customer again
        page.get_by_test_id("release").click()
        expect(panel).to_have_attribute("data-status", "bot_active")
        stream.until(is_type("status_change", status="bot_active"))
        answered = say(http, customer, "請問 5G 吃到飽方案多少錢？")
        assert answered["status"] == "bot_active" and answered["answer"]
        stream.until(lambda e: e.event == "message")
    finally:
        stream.close()
    assert dialogs == [], "markup typed by the customer ran"


@pytest.mark.usefixtures("duty")
def test_queue_filters_and_keyword(page: Page, http: httpx.Client) -> None:
    """The status filter and the keyword narrow the queue; paging shows the total."""
    marker = f"關鍵{uuid.uuid4().hex[:6]}"
    waiting = new_customer(http, nickname=f"篩選{marker}")
    say(http, waiting, "帳單問題")
    escalate(http, waiting)
    idle = new_customer(http, nickname=f"AI{marker}")
    say(http, idle, "你好")
    log_in(page, "agent002")
    page.get_by_test_id("filter-keyword").fill(marker)
    expect(page.get_by_test_id("queue-item")).to_have_count(2)
    page.get_by_test_id("filter-status").select_option("pending_manual")
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(row(page, waiting.session_name)).to_be_visible()
    page.get_by_test_id("filter-status").select_option("bot_active")
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(row(page, idle.session_name)).to_be_visible()
    expect(page.get_by_test_id("queue-total")).to_contain_text("1")


@pytest.mark.usefixtures("duty")
def test_queue_tag_filter(page: Page, http: httpx.Client, admin: dict[str, str]) -> None:
    """Choosing a tag lists only the chats that carry it."""
    (tag_id,) = new_tags(http, admin, 1)
    tagged, plain = new_customer(http, nickname="有標籤"), new_customer(http, nickname="沒標籤")
    for customer in (tagged, plain):
        say(http, customer, "你好")
        escalate(http, customer)
    path = f"/api/sessions/{tagged.session_name}/tags"
    assert http.post(path, json={"tag_id": tag_id}, headers=admin).status_code == 200
    log_in(page, "agent002")
    expect(row(page, plain.session_name)).to_be_visible()
    page.get_by_test_id("filter-tag").select_option(tag_id)
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(row(page, tagged.session_name)).to_be_visible()


@pytest.mark.usefixtures("duty")
def test_transfer_then_close(page: Page, http: httpx.Client) -> None:
    """The holder hands the chat to a colleague by username; the colleague closes it."""
    bob = agent_name(http, "agent002")
    customer = new_customer(http, nickname="轉接客人")
    say(http, customer, "我要問帳單")
    escalate(http, customer)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "agent001")
    row(page, customer.session_name).click()
    page.get_by_test_id("takeover").click()
    panel = page.get_by_test_id("conversation")
    expect(panel).to_have_attribute("data-status", "manual_live")

    page.get_by_test_id("transfer-to").fill("nobody-here")
    page.get_by_test_id("transfer-submit").click()
    expect(page.get_by_test_id("conversation-error")).to_be_visible()
    page.get_by_test_id("transfer-to").fill("agent002")
    page.get_by_test_id("transfer-submit").click()
    expect(page.get_by_test_id("conversation-notice")).to_contain_text(bob)
    expect(page.get_by_test_id("conversation-holder")).to_contain_text(bob)
    expect(page.get_by_test_id("composer")).to_be_disabled()
    held = http.get(f"/api/sessions/{customer.session_name}", headers=customer.headers)
    assert held.json()["data"]["session"]["assigned_agent"]["id"] == "agent002"

    page.get_by_test_id("logout").click()
    # logged out, as the user sees it (the login page shows once the server has ended the
    # session): the click returns with the logout request still in flight, and a page load at
    # once could cancel it and find agent001 still logged in, with no login form to fill
    expect(page).to_have_url(re.compile(r"/login"))
    log_in(page, "agent002")
    row(page, customer.session_name).click()
    expect(page.get_by_test_id("composer")).to_be_enabled()
    page.get_by_test_id("close").click()
    expect(panel).to_have_attribute("data-status", "closed")
    closed = http.get(f"/api/sessions/{customer.session_name}", headers=customer.headers)
    assert closed.json()["data"]["session"]["status"] == "closed"
