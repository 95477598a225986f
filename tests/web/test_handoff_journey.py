"""Issue 19's journey in two browsers: a customer on another site, an agent at the workbench.

The customer (phone, 390×844) chats in the widget framed by the demo host page (another
origin) and asks for a person; the agent (laptop, 1366×768, a second browser context) sees the
escalation arrive in the workbench without a reload, takes over, and the two exchange messages
that each sees live; the customer's connection drops meanwhile and comes back without a gap or a
duplicate; the agent answers with a quick reply, tags the chat, opens a ticket from it and
releases it, and the AI answers the customer again. Nothing is driven over HTTP but the shift
hours (agents on duty around the clock) and the quick reply an admin wrote beforehand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import LAPTOP, log_in
from tests.web.problems import record_problems
from tests.web.widget_support import MARKUP, Customer, Site

pytestmark = pytest.mark.slow


@pytest.fixture
def workbench(browser: Browser, site: Site) -> Iterator[Page]:
    """agent001 at the workbench, in its own browser context; fails on any page error."""
    context = browser.new_context(viewport=LAPTOP, locale="zh-TW", base_url=site.api.url)
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    log_in(page, "agent001")
    expect(page).to_have_url(f"{site.api.url}/agent")
    expect(page.get_by_test_id("stream-state")).to_have_attribute("data-live", "true")
    yield page
    context.close()
    assert not problems, problems


@pytest.mark.usefixtures("agents_on_duty")
def test_customer_and_agent_talk_across_two_browsers(
    customer: Customer, workbench: Page, site: Site
) -> None:
    title = f"續約說明{uuid.uuid4().hex[:6]}"
    content = "我是{agent_name}，續約可保留原門號，合約期滿前 60 天即可辦理。"
    reply = {"category": "pre_sales", "title": title, "is_shared": True, "content": content}
    created = site.http.post(
        "/api/quick-replies", json=reply, headers={"Authorization": f"Bearer {site.admin}"}
    )
    assert created.status_code == 200, created.text
    widget = customer.open()
    customer.send("我想續約，方案怎麼選？")
    expect(widget.locator("[data-role=ai][data-streaming=false]")).to_have_count(1, timeout=20_000)

    widget.get_by_test_id("widget-human").click()
    expect(customer.banner()).to_have_attribute("data-banner", "waiting")
    name = customer.session_name()

    # the escalation arrives in the workbench live, with the customer's words
    row = workbench.locator(f'[data-testid="queue-item"][data-session="{name}"]')
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    panel = workbench.get_by_test_id("conversation")
    expect(panel.get_by_test_id("chat-log")).to_contain_text("我想續約，方案怎麼選？")
    workbench.get_by_test_id("takeover").click()
    expect(panel).to_have_attribute("data-status", "manual_live")
    expect(customer.banner()).to_have_attribute("data-banner", "connected")
    expect(customer.banner()).to_contain_text("客服小狐")

    # both ways, live, typed markup shown as text on both screens
    workbench.get_by_test_id("composer").fill("您好，我是客服小狐，請問目前的門號是？")
    workbench.get_by_test_id("send").click()
    expect(widget.locator("[data-role=agent]")).to_have_text(
        ["您好，我是客服小狐，請問目前的門號是？"]
    )
    customer.send(MARKUP)
    last = panel.get_by_test_id("chat-entry").last
    expect(last).to_have_attribute("data-role", "user")
    expect(last.get_by_test_id("chat-text")).to_have_text(MARKUP)
    assert panel.locator("[data-testid=chat-log] img").count() == 0

    # the customer's network drops; what the agent says meanwhile arrives once, in order
    customer.context.set_offline(True)
    expect(customer.banner()).to_have_attribute("data-banner", "reconnecting")
    for text in ("稍等我查一下", "查到了，您的合約下個月到期"):
        workbench.get_by_test_id("composer").fill(text)
        workbench.get_by_test_id("send").click()
        expect(workbench.get_by_test_id("composer")).to_have_value("")
    customer.context.set_offline(False)
    said = ["您好，我是客服小狐，請問目前的門號是？", "稍等我查一下", "查到了，您的合約下個月到期"]
    expect(widget.locator("[data-role=agent]")).to_have_text(said)
    workbench.wait_for_timeout(1000)  # a late duplicate would show up by now
    assert customer.bubbles("agent") == said

    # a quick reply (filled by the API), a tag and a ticket, all from the workbench
    workbench.get_by_test_id("quick-search").fill(title)
    expect(workbench.get_by_test_id("quick-item")).to_have_count(1)  # other tests' replies too
    workbench.get_by_test_id("quick-item").click()
    filled = "我是客服小狐，續約可保留原門號，合約期滿前 60 天即可辦理。"
    expect(workbench.get_by_test_id("quick-preview")).to_have_text(filled)
    workbench.get_by_test_id("quick-insert").click()
    workbench.get_by_test_id("send").click()
    expect(widget.locator("[data-role=agent]").last).to_have_text(filled)
    workbench.get_by_test_id("tag-choice").select_option("tag_billing")
    workbench.get_by_test_id("tag-add").click()
    expect(workbench.locator('[data-testid="session-tag"][data-tag="tag_billing"]')).to_be_visible()
    workbench.get_by_test_id("ticket-open").click()
    assert "續約" in workbench.get_by_test_id("ticket-summary").input_value()
    workbench.get_by_test_id("ticket-submit").click()
    expect(workbench.get_by_test_id("ticket-done")).to_contain_text("TK-")

    # back to the AI: the customer sees it and gets an AI answer again
    workbench.get_by_test_id("release").click()
    expect(panel).to_have_attribute("data-status", "bot_active")
    expect(customer.banner()).to_have_attribute("data-banner", "backToAi")
    customer.send("那 5G 方案呢？")
    expect(widget.locator("[data-role=ai][data-streaming=false]")).to_have_count(2, timeout=20_000)
