"""The agents' ticket pages in a real Chromium against the real API, Redis and PostgreSQL.

Tickets are created over HTTP (as the workbench or another agent would); one is made breached
by moving its stored times back in the console's database, and the list shows it with the red
"已逾時" badge and finds it with the SLA filter, as it finds the in-progress one by status. On a
ticket the agent adds an internal and a customer-visible comment, moves it along a transition
the page offers (and is told the API's words when a stale button asks for a refused one),
assigns it to a colleague and back to themself. Two agents in two browser contexts edit the
same ticket: the second save is refused by the optimistic lock, the page reloads the ticket,
shows per field their value and the stored one, and the second save after that goes through.
Screenshots at a laptop's 1366×768: docs/screenshots/tickets.png and ticket.png.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from sqlalchemy.engine import make_url

from api.tickets.sla import plan
from tests.api.conftest import bearer, login
from tests.api_http import ApiServer
from tests.tickets.support import create, ok
from tests.web.conftest import LAPTOP, SCREENSHOTS, log_in
from tests.web.problems import record_problems

pytestmark = pytest.mark.slow  # a server and a browser
XSS = "<img src=x onerror=alert(1)>"
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def agent(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, "agent001")["access_token"])


def age(console: ApiServer, ticket: dict[str, Any], by: timedelta) -> None:
    """Make the ticket `by` old: its creation and both SLA clocks move back together (the
    server reads its own clock, so the verdict follows)."""
    created = datetime.now(UTC) - by
    sla = plan(ticket["category"], ticket["priority"], created)
    url = make_url(console.env["DATABASE_URL"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            "UPDATE tickets SET created_at = %s, sla_response_due = %s, sla_response_warn_at = %s,"
            " sla_resolution_due = %s, sla_resolution_warn_at = %s WHERE ticket_id = %s",
            (created, sla.response.due, sla.response.warn_at, sla.resolution.due,
             sla.resolution.warn_at, ticket["ticket_id"]),
        )  # fmt: skip


def read(http: httpx.Client, headers: dict[str, str], ticket_id: str) -> dict[str, Any]:
    return ok(http.get(f"/api/tickets/{ticket_id}", headers=headers))


def row(page: Page, ticket_id: str) -> Locator:
    return page.locator(f'[data-testid="ticket-row"][data-ticket="{ticket_id}"]')


def shown_ids(page: Page) -> list[str]:
    rows = page.get_by_test_id("ticket-row")
    return [rows.nth(i).get_attribute("data-ticket") or "" for i in range(rows.count())]


def status_buttons(page: Page) -> list[str]:
    buttons = page.locator('[data-testid^="status-to-"]')
    names = [buttons.nth(i).get_attribute("data-testid") or "" for i in range(buttons.count())]
    return [name.removeprefix("status-to-") for name in names]


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def test_the_list_shows_sla_badges_and_filters_by_status_and_sla(
    page: Page, console: ApiServer, http: httpx.Client, agent: dict[str, str]
) -> None:
    page.set_viewport_size(LAPTOP)
    marker = uuid.uuid4().hex[:10]
    late = create(http, agent, title=f"{marker} 網路斷線超過一天", priority="urgent")
    fresh = create(http, agent, title=f"{marker} 帳單金額異常", category="after_sales",
                   priority="normal", department="service_cn")  # fmt: skip
    working = create(http, agent, title=f"{marker} 門號轉移進度", category="order_modify",
                     priority="high", department="sales_eu")  # fmt: skip
    for extra in ("手機無法開機", "退貨運費疑問", "保固期間確認"):
        create(http, agent, title=f"{marker} {extra}", category="returns", priority="low",
               department="warehouse")  # fmt: skip
    age(console, late, timedelta(minutes=16))  # technical/urgent: first response due in 15 min
    ok(http.post(f"/api/tickets/{working['ticket_id']}/status", json={"status": "in_progress"},
                 headers=agent))  # fmt: skip
    ok(http.post(f"/api/tickets/{working['ticket_id']}/assign", json={"assignee_id": "agent002"},
                 headers=agent))  # fmt: skip

    log_in(page, "agent001")
    page.goto("/agent/tickets")
    page.get_by_test_id("filter-keyword").fill(marker)
    expect(page.get_by_test_id("ticket-row")).to_have_count(6)
    expect(page.get_by_test_id("tickets-total")).to_have_attribute("data-total", "6")
    expect(page).to_have_url(re.compile(f"keyword={marker}"))

    badge = row(page, late["ticket_id"]).get_by_test_id("sla-badge")
    expect(badge).to_have_attribute("data-sla", "breached")
    expect(badge).to_have_text("已逾時")
    expect(row(page, fresh["ticket_id"]).get_by_test_id("sla-badge")).to_have_text("正常")
    busy = row(page, working["ticket_id"])
    expect(busy.get_by_test_id("ticket-status")).to_have_text("處理中")
    expect(busy.get_by_test_id("ticket-assignee")).to_have_text("客服小熊")
    shot(page, "tickets.png")

    page.get_by_test_id("filter-status").select_option("in_progress")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    assert shown_ids(page) == [working["ticket_id"]]

    page.get_by_test_id("filter-status").select_option("")
    page.get_by_test_id("filter-sla").select_option("breached")
    # the list before this one also had one row: wait for the late ticket's, not for a count
    expect(row(page, late["ticket_id"])).to_be_visible()
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    assert shown_ids(page) == [late["ticket_id"]]
    expect(page).to_have_url(re.compile("sla=breached"))

    page.get_by_test_id("filter-sla").select_option("within")
    expect(page.get_by_test_id("ticket-row")).to_have_count(5)
    assert late["ticket_id"] not in shown_ids(page)

    # sorted by priority (urgent first), and the filters survive a reload (they are in the URL)
    page.get_by_test_id("sort-priority").click()
    expect(page.get_by_test_id("ticket-row").first).to_have_attribute(
        "data-ticket", working["ticket_id"])  # fmt: skip
    page.reload()
    expect(page.get_by_test_id("ticket-row")).to_have_count(5)
    expect(page.get_by_test_id("filter-sla")).to_have_value("within")
    expect(page.get_by_test_id("ticket-row").first).to_have_attribute(
        "data-ticket", working["ticket_id"])  # fmt: skip

    # the created range is in Taipei days: nothing was created tomorrow, all of them between the
    # late ticket's day (16 min ago: yesterday just after Taipei midnight) and today
    today = datetime.now(TAIPEI).date()
    first_day = (datetime.now(TAIPEI) - timedelta(minutes=16)).date()
    page.get_by_test_id("filter-sla").select_option("")
    page.get_by_test_id("filter-from").fill((today + timedelta(days=1)).isoformat())
    expect(page.get_by_test_id("tickets-empty")).to_be_visible()
    page.get_by_test_id("filter-from").fill(first_day.isoformat())
    page.get_by_test_id("filter-to").fill(today.isoformat())
    expect(page.get_by_test_id("ticket-row")).to_have_count(6)

    # a store tablet's 1024×768: the table still fits without scrolling sideways
    page.set_viewport_size(ViewportSize(width=1024, height=768))
    table = page.get_by_test_id("tickets-table")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")

    row(page, fresh["ticket_id"]).get_by_test_id("ticket-link").click()
    expect(page).to_have_url(f"{console.url}/agent/tickets/{fresh['ticket_id']}")
    expect(page.get_by_test_id("ticket-title")).to_have_text(f"{marker} 帳單金額異常")


def test_an_agent_comments_moves_and_assigns_a_ticket(
    page: Page, console: ApiServer, http: httpx.Client, agent: dict[str, str]
) -> None:
    page.set_viewport_size(LAPTOP)
    ticket = create(http, agent, title="光纖數據機燈號異常",
                    description="客戶反映數據機 PON 燈閃紅燈，已重開機兩次仍無法上網")  # fmt: skip
    tid = ticket["ticket_id"]
    log_in(page, "agent001")
    page.goto(f"/agent/tickets/{tid}")
    header = page.get_by_test_id("ticket-header")
    expect(header).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("sla-response")).to_have_attribute("data-state", "running")
    assert status_buttons(page) == ["in_progress", "closed"]

    # comments: internal (the default) and customer-visible, markup shown as text
    page.get_by_test_id("comment-text").fill(f"請技術確認機房狀態 {XSS}")
    page.get_by_test_id("comment-submit").click()
    internal = page.get_by_test_id("comment").first
    expect(internal).to_have_attribute("data-internal", "true")
    expect(internal.get_by_test_id("comment-kind")).to_have_text("內部")
    expect(internal.get_by_test_id("comment-content")).to_have_text(f"請技術確認機房狀態 {XSS}")
    page.get_by_test_id("comment-public").check()
    page.get_by_test_id("comment-text").fill("您好，技術人員已在處理，預計今日回覆。")
    page.get_by_test_id("comment-submit").click()
    public = page.get_by_test_id("comment").nth(1)
    expect(public).to_have_attribute("data-internal", "false")
    expect(public.get_by_test_id("comment-kind")).to_have_text("客戶可見")
    stored = read(http, agent, tid)
    assert [(c["content"][:5], c["is_internal"]) for c in stored["comments"]] == [
        ("請技術確認", True), ("您好，技術", False)]  # fmt: skip
    assert stored["first_response_at"] is not None  # the visible one answered the customer
    expect(page.get_by_test_id("sla-response")).to_have_attribute("data-state", "met")
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0

    # a transition the page offers
    page.get_by_test_id("status-comment").fill("開始查修")
    page.get_by_test_id("status-to-in_progress").click()
    expect(header).to_have_attribute("data-status", "in_progress")
    expect(page.get_by_test_id("status-done")).to_contain_text("處理中")
    assert status_buttons(page) == ["waiting_customer", "waiting_parts", "resolved"]
    moved = page.locator('[data-testid="activity"][data-action="status_changed"]').first
    expect(moved.get_by_test_id("activity-what")).to_have_text("狀態從 pending 變更為 in_progress")
    expect(moved.get_by_test_id("activity-who")).to_have_text("客服小狐")
    expect(moved).to_contain_text("開始查修")

    # a stale button: someone resolved it meanwhile; the API refuses and the page catches up
    ok(http.post(f"/api/tickets/{tid}/status", json={"status": "resolved"},
                 headers=bearer(login(http, "agent002")["access_token"])))  # fmt: skip
    page.get_by_test_id("status-to-waiting_parts").click()
    expect(page.get_by_test_id("status-error")).to_contain_text(
        "工單狀態不可從 resolved 變更為 waiting_parts")  # fmt: skip
    expect(header).to_have_attribute("data-status", "resolved")
    assert status_buttons(page) == ["in_progress", "closed"]
    expect(page.get_by_test_id("status-to-in_progress")).to_have_text("重新開啟")

    # assignment: a colleague by username, then "assign to me"
    page.get_by_test_id("assign-username").fill("agent002")
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_test_id("assignee")).to_have_text("客服小熊")
    assigned = page.locator('[data-testid="activity"][data-action="assigned"]').first
    expect(assigned.get_by_test_id("activity-what")).to_contain_text("指派給 客服小熊")
    page.get_by_test_id("assign-username").fill("nobody_here")
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_test_id("assign-error")).to_be_visible()
    page.get_by_test_id("assign-me").click()
    expect(page.get_by_test_id("assignee")).to_have_attribute("data-assignee", "agent001")
    expect(page.get_by_test_id("assignee")).to_have_text("客服小狐")
    assert read(http, agent, tid)["assignee_id"] == "agent001"
    page.get_by_test_id("status-to-in_progress").click()  # reopen, for the screenshot
    expect(header).to_have_attribute("data-status", "in_progress")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "ticket.png")


def test_an_admin_assigns_from_the_agent_accounts(
    page: Page, http: httpx.Client, agent: dict[str, str]
) -> None:
    ticket = create(http, agent, title="VIP 客戶續約諮詢", category="pre_sales", priority="normal")
    log_in(page, "admin")
    page.goto(f"/agent/tickets/{ticket['ticket_id']}")
    pick = page.get_by_test_id("assign-pick")
    expect(pick.locator("option[value=agent003]")).to_have_text("客服小兔 (agent003)")
    pick.select_option("agent003")
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_test_id("assignee")).to_have_text("客服小兔")
    assert read(http, agent, ticket["ticket_id"])["assignee_id"] == "agent003"


def second_agent(browser: Browser, console: ApiServer, problems: list[str]) -> Page:
    context = browser.new_context(viewport=LAPTOP, locale="zh-TW", base_url=console.url)
    other = context.new_page()
    record_problems(other, problems, expected=("status of 4",))  # the lost save is a 409
    return other


def test_a_conflicting_edit_shows_what_changed_and_saves_after_reapplying(
    page: Page, browser: Browser, console: ApiServer, http: httpx.Client, agent: dict[str, str]
) -> None:
    page.set_viewport_size(LAPTOP)
    ticket = create(http, agent, title="帳單金額異常", priority="high")
    tid = ticket["ticket_id"]
    problems: list[str] = []
    bob = second_agent(browser, console, problems)
    try:
        for who, tab in (("agent001", page), ("agent002", bob)):
            log_in(tab, who)
            tab.goto(f"/agent/tickets/{tid}")
            expect(tab.get_by_test_id("ticket-header")).to_have_attribute("data-version", "1")
            tab.get_by_test_id("edit-open").click()

        page.get_by_test_id("edit-title").fill("帳單多扣 200 元（已致電）")
        page.get_by_test_id("edit-priority").select_option("urgent")
        page.get_by_test_id("edit-save").click()
        expect(page.get_by_test_id("edit-saved")).to_have_text("已儲存（版本 2）")

        bob.get_by_test_id("edit-title").fill("帳單多扣，待財務確認")
        bob.get_by_test_id("edit-description").fill("客戶反映上月帳單多扣 200 元，已轉財務")
        bob.get_by_test_id("edit-save").click()
        conflict = bob.get_by_test_id("edit-conflict")
        expect(conflict).to_be_visible()
        expect(conflict).to_have_attribute("data-version", "2")
        title = conflict.locator('[data-testid="conflict-change"][data-field="title"]')
        expect(title.get_by_test_id("conflict-yours")).to_have_text("帳單多扣，待財務確認")
        expect(title.get_by_test_id("conflict-theirs")).to_have_text("帳單多扣 200 元（已致電）")
        expect(title).to_have_attribute("data-clash", "true")
        priority = conflict.locator('[data-testid="conflict-change"][data-field="priority"]')
        expect(priority).to_contain_text("高")
        expect(priority.get_by_test_id("conflict-theirs")).to_have_text("緊急")
        expect(conflict.get_by_test_id("conflict-change")).to_have_count(2)
        # reloaded: the page shows the stored ticket, the form still holds Bob's edits
        expect(bob.get_by_test_id("ticket-header")).to_have_attribute("data-version", "2")
        expect(bob.get_by_test_id("ticket-title")).to_have_text("帳單多扣 200 元（已致電）")
        expect(bob.get_by_test_id("edit-title")).to_have_value("帳單多扣，待財務確認")
        expect(bob.get_by_test_id("edit-priority")).to_have_value("urgent")
        assert read(http, agent, tid)["title"] == "帳單多扣 200 元（已致電）"  # nothing written

        bob.get_by_test_id("edit-save").click()
        expect(bob.get_by_test_id("edit-saved")).to_have_text("已儲存（版本 3）")
        expect(bob.get_by_test_id("ticket-title")).to_have_text("帳單多扣，待財務確認")
        stored = read(http, agent, tid)
        assert (stored["title"], stored["priority"], stored["version"]) == (
            "帳單多扣，待財務確認", "urgent", 3)  # fmt: skip
        assert stored["description"] == "客戶反映上月帳單多扣 200 元，已轉財務"
        updates = [a for a in stored["activity_log"] if a["action"] == "updated"]
        assert [a["operator_name"] for a in updates] == ["客服小狐", "客服小熊"]
    finally:
        bob.context.close()
    assert not problems, f"the second agent's page logged errors: {problems}"
