"""The renewal workflow pages in a real Chromium against the real API, Redis, PostgreSQL and MCP
servers: the golden renewal from login to submit, refusals, back, reload, the plan list filling
in while its stream runs, and a second tab answering first. Screenshots of each page state at
1024×768 go to docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mcp_servers.backoffice.golden import GOLDEN
from tests.web.conftest import SCREENSHOTS, log_in
from tests.web.pacing import pace_events

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_backoffice")]
SALES = "E1001"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=False)


def start_session(page: Page) -> str:
    """From the start page to step 1 of a new session; returns the session id."""
    page.goto("/renewal")
    page.get_by_test_id("start-session").click()
    expect(page.get_by_test_id("step-query_customer")).to_be_visible()
    match = re.search(r"/renewal/(renewal_[0-9a-z_]+)$", page.url)
    assert match, page.url
    return match.group(1)


def expect_step(page: Page, step: str, number: int) -> None:
    expect(page.get_by_test_id("step")).to_have_attribute("data-step", step)
    expect(page.get_by_test_id(f"progress-{number}")).to_have_attribute("data-state", "current")


def look_up(page: Page, national_id: str) -> None:
    page.get_by_test_id("id-input").fill(national_id)
    page.get_by_test_id("id-submit").click()


def to_device_type(page: Page) -> None:
    look_up(page, GOLDEN.eligible.national_id)
    expect_step(page, "select_phone", 4)
    page.get_by_test_id(f"choose-line-{GOLDEN.eligible.phone}").click()
    expect_step(page, "select_device_type", 5)


def to_list_plans(page: Page) -> None:
    to_device_type(page)
    page.get_by_test_id("option-smartphone").click()
    expect_step(page, "select_device_os", 6)
    page.get_by_test_id("option-ios").click()
    expect_step(page, "select_device", 7)
    page.get_by_test_id(f"colour-{GOLDEN.device.device_id}-{GOLDEN.device.color}").click()
    page.get_by_test_id("device-submit").click()
    expect_step(page, "list_plans", 8)


def test_golden_renewal_from_login_to_submit_with_a_device_and_a_comparison(page: Page) -> None:
    log_in(page, SALES)
    expect(page.get_by_test_id("renewal-start")).to_be_visible()
    shot(page, "renewal-0-start.png")
    start_session(page)
    expect_step(page, "query_customer", 1)
    assert page.get_by_test_id("progress-2").get_attribute("data-state") == "ahead"

    # step 1: the check digit is hinted before anything is sent
    page.get_by_test_id("id-input").fill("A123456788")
    expect(page.get_by_test_id("id-hint")).to_have_text("檢查碼不符，請再確認號碼")
    expect(page.get_by_test_id("id-submit")).to_be_disabled()
    page.get_by_test_id("id-input").fill(GOLDEN.eligible.national_id)
    expect(page.get_by_test_id("id-hint")).to_have_text("檢查碼正確")
    expect(page.get_by_test_id("id-masked")).to_have_text("A12****789")
    shot(page, "renewal-1-id.png")
    page.get_by_test_id("id-submit").click()

    # steps 2-4: the customer (ID masked) and the line cards
    expect_step(page, "select_phone", 4)
    expect(page.get_by_test_id("customer-name")).to_have_text(GOLDEN.eligible.name)
    expect(page.get_by_test_id("customer-id")).to_have_text("A12****789")
    assert GOLDEN.eligible.national_id not in page.content()
    line = page.get_by_test_id(f"line-{GOLDEN.eligible.phone}")
    expect(line).to_contain_text("5G 極速吃到飽 1399")
    expect(page.get_by_test_id(f"line-{GOLDEN.eligible_second_phone}")).to_be_visible()
    for done in (1, 2, 3):
        expect(page.get_by_test_id(f"progress-{done}")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("side-chat")).to_have_count(0)  # not before step 5
    shot(page, "renewal-2-lines.png")
    page.get_by_test_id(f"choose-line-{GOLDEN.eligible.phone}").click()

    # step 5: device type, side chat open from here
    expect_step(page, "select_device_type", 5)
    expect(page.get_by_test_id("side-chat")).to_be_visible()
    shot(page, "renewal-5-device-type.png")
    page.get_by_test_id("option-smartphone").click()
    expect_step(page, "select_device_os", 6)
    shot(page, "renewal-6-os.png")
    page.get_by_test_id("option-ios").click()

    # step 7: device cards with recommendation and stock badges
    expect_step(page, "select_device", 7)
    card = page.get_by_test_id(f"device-{GOLDEN.device.device_id}")
    expect(card.get_by_test_id("recommended-badge")).to_be_visible()
    colour = page.get_by_test_id(f"colour-{GOLDEN.device.device_id}-{GOLDEN.device.color}")
    expect(colour).to_contain_text(f"庫存 {GOLDEN.device.quantity}")
    sold_out = page.get_by_test_id(f"colour-{GOLDEN.sold_out.device_id}-{GOLDEN.sold_out.color}")
    expect(sold_out).to_be_disabled()
    colour.click()
    expect(page.get_by_test_id("device-picked")).to_contain_text(GOLDEN.device.color)
    shot(page, "renewal-7-device.png")
    page.get_by_test_id("device-submit").click()

    # step 8: the plans, checked one by one
    expect_step(page, "list_plans", 8)
    page.get_by_test_id("plans-search").click()
    expect_step(page, "select_plan", 8)
    rows = page.get_by_test_id("plan-check-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    shot(page, "renewal-8-plans.png")
    plan_ids = [
        (page.get_by_test_id(re.compile(r"^plan-P\d+$")).nth(i).get_attribute("data-testid") or "")[
            5:
        ]
        for i in range(2)
    ]
    for plan_id in plan_ids:
        page.get_by_test_id(f"compare-{plan_id}").click()
    expect(page.get_by_test_id("compare-submit")).to_contain_text("（2）")

    # step 9: the comparison, its narrative streamed, then the table
    page.get_by_test_id("compare-submit").click()
    expect(page.get_by_test_id("comparison-table")).to_be_visible()
    expect(page.get_by_test_id("progress-9")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("recommended-plan")).to_have_count(1)
    expect(page.get_by_test_id("annual-costs")).to_contain_text("NT$")
    expect(page.get_by_test_id("recommendation")).to_contain_text("預估年費最低")
    page.locator("[data-testid=comparison] summary").click()
    expect(page.get_by_test_id("comparison-narrative")).to_contain_text("離線")
    shot(page, "renewal-9-compare.png")
    header = page.get_by_test_id("recommended-plan").locator("xpath=..").inner_text()
    best = next(
        pid
        for pid in plan_ids
        if page.get_by_test_id(f"plan-{pid}").inner_text().split(" ")[0] in header
    )
    page.get_by_test_id(f"choose-plan-{best}").click()

    # step 10: confirm, then submit
    expect_step(page, "confirm", 10)
    expect(page.get_by_test_id("summary-customer")).to_contain_text("A12****789")
    expect(page.get_by_test_id("summary-device")).to_contain_text(GOLDEN.device.color)
    expect(page.get_by_test_id("summary-plan")).to_contain_text(best)
    shot(page, "renewal-10-confirm.png")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("step")).to_have_attribute("data-step", "submit")
    page.get_by_test_id("final-submit").click()

    # the result: reservation number and the printable form
    expect(page.get_by_test_id("result")).to_have_attribute("data-outcome", "completed")
    reservation = page.get_by_test_id("reservation-id")
    expect(reservation).to_have_text(re.compile(r"^RES\d{8}[0-9A-F]{8}$"))
    number = reservation.inner_text()
    for step in range(1, 11):
        expect(page.get_by_test_id(f"progress-{step}")).to_have_attribute("data-state", "done")
    form = page.frame_locator("[data-testid=application-form-frame]")
    expect(form.locator("h1")).to_contain_text("續約申辦單")
    expect(form.locator("body")).to_contain_text(number)
    expect(form.locator("body")).to_contain_text("A12****789")
    sandbox = page.get_by_test_id("application-form-frame").get_attribute("sandbox") or ""
    assert "allow-scripts" not in sandbox
    # printing the frame is allowed by its sandbox (a refused print() logs an error: the test fails)
    page.get_by_test_id("print-form").click()
    expect(page.get_by_test_id("side-chat")).to_have_count(0)
    shot(page, "renewal-10-submitted.png")

    # the history lists it, with its print view
    page.get_by_test_id("nav-history").click()
    row = page.get_by_test_id("history-row").first
    expect(row).to_have_attribute("data-outcome", "completed")
    expect(row).to_contain_text("A12****789")
    row.get_by_role("button").click()
    expect(
        page.frame_locator("[data-testid=application-form-frame]").locator("body")
    ).to_contain_text(number)
    shot(page, "history.png")


REFUSALS: list[tuple[str, Any, str, str]] = [
    ("debt", GOLDEN.debt, "尚有未繳帳款 NT$1,498", "請客戶先於門市或線上繳清欠款"),
    ("blacklist", GOLDEN.blacklisted, "信用管制名單", "解除管制"),
]


@pytest.mark.parametrize(
    ("case", "customer", "reason", "remedy"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_line_that_cannot_renew_shows_each_reason_and_remedy_and_stays(
    page: Page, case: str, customer: Any, reason: str, remedy: str
) -> None:
    log_in(page, SALES)
    start_session(page)
    look_up(page, customer.national_id)
    expect_step(page, "select_phone", 4)
    page.get_by_test_id(f"choose-line-{customer.phone}").click()
    error = page.get_by_test_id("step-error")
    expect(error).to_contain_text("此門號目前無法續約")
    expect(page.get_by_test_id("eligibility-reason")).to_contain_text(reason)
    expect(page.get_by_test_id("eligibility-remedy")).to_contain_text(remedy)
    expect_step(page, "select_phone", 4)  # still waiting at the line: another line may be picked
    expect(page.get_by_test_id("request-error")).to_have_count(0)
    shot(page, f"renewal-4-refused-{case}.png")


def test_not_a_customer_gets_the_polite_notice(page: Page) -> None:
    log_in(page, SALES)
    start_session(page)
    look_up(page, GOLDEN.not_customer)
    result = page.get_by_test_id("result")
    expect(result).to_have_attribute("data-outcome", "not_customer")
    expect(page.get_by_test_id("result-notice")).to_contain_text("門市暫不提供新申辦服務")
    expect(page.get_by_test_id("step")).to_have_count(0)
    shot(page, "renewal-1-not-customer.png")
    page.get_by_test_id("new-session").click()
    expect_step(page, "query_customer", 1)


def test_back_navigation_returns_to_earlier_choices(page: Page) -> None:
    log_in(page, SALES)
    start_session(page)
    to_device_type(page)
    page.get_by_test_id("option-smartphone").click()
    expect_step(page, "select_device_os", 6)
    expect(page.get_by_test_id("back-select_device_type")).to_be_visible()
    page.get_by_test_id("back-select_device_type").click()
    expect_step(page, "select_device_type", 5)
    expect(page.get_by_test_id("progress-6")).to_have_attribute("data-state", "ahead")
    page.get_by_test_id("back-select_phone").click()
    expect_step(page, "select_phone", 4)
    expect(page.get_by_test_id("back-select_device_type")).to_have_count(0)  # no forward jumps
    # a plain renewal this time: straight to the plans
    page.get_by_test_id(f"choose-line-{GOLDEN.eligible.phone}").click()
    page.get_by_test_id("option-none").click()
    expect_step(page, "list_plans", 8)


def test_a_reload_mid_flow_shows_the_same_step_and_the_session_can_be_resumed(page: Page) -> None:
    log_in(page, SALES)
    session_id = start_session(page)
    to_device_type(page)
    page.get_by_test_id("option-smartphone").click()
    expect_step(page, "select_device_os", 6)
    page.reload()
    expect_step(page, "select_device_os", 6)
    expect(page.get_by_test_id("side-chat")).to_be_visible()
    # the start page lists it to resume
    page.get_by_test_id("nav-renewal-start").click()
    resume = page.get_by_test_id(f"resume-{session_id}")
    expect(resume).to_be_visible()
    resume.click()
    expect(page).to_have_url(re.compile(f"/renewal/{session_id}$"))
    expect_step(page, "select_device_os", 6)
    page.get_by_test_id("abandon").click()
    page.get_by_test_id("abandon-confirm").click()
    expect(page.get_by_test_id("result")).to_have_attribute("data-outcome", "abandoned")


# Log every change to the rows and the step the page shows (list-plans paced by
# tests/web/pacing.py: each SSE event 250 ms apart, the network slowed in the browser).
LOG_PLANS = """
() => {
  window.__planLog = []
  const record = () => {
    const step = document.querySelector('[data-testid=step]')?.getAttribute('data-step') ?? null
    const rows = document.querySelectorAll('[data-testid=plan-check-row]').length
    const last = window.__planLog[window.__planLog.length - 1]
    if (!last || last.step !== step || last.rows !== rows) window.__planLog.push({ step, rows })
  }
  const all = { childList: true, subtree: true, attributes: true }
  new MutationObserver(record).observe(document.body, all)
  record()
}
"""


def test_the_plan_list_fills_in_before_the_stream_ends(page: Page) -> None:
    log_in(page, SALES)
    start_session(page)
    to_list_plans(page)
    pace_events(page, "/step/list-plans", gap_ms=250)
    page.evaluate(LOG_PLANS)
    page.get_by_test_id("plans-search").click()
    # while the step still waits at list_plans (no `complete` yet), rows are already there
    expect(page.get_by_test_id("plan-check-row").first).to_be_visible()
    expect(page.get_by_test_id("step")).to_have_attribute("data-step", "list_plans")
    expect(page.get_by_test_id("stage-search_promotions")).to_contain_text("✓")
    shot(page, "renewal-8-plans-streaming.png")
    expect_step(page, "select_plan", 8)
    log: list[dict[str, Any]] = page.evaluate("window.__planLog")
    streaming = [entry["rows"] for entry in log if entry["step"] == "list_plans"]
    assert streaming[-1] >= 2, log
    growth = sorted(set(streaming))
    assert growth == list(range(0, streaming[-1] + 1)), log  # one row at a time: 0, 1, 2, ...
    assert log[-1]["step"] == "select_plan" and log[-1]["rows"] == streaming[-1], log


def test_a_second_tab_answering_first_resyncs_the_first_tab(page: Page) -> None:
    log_in(page, SALES)
    start_session(page)
    to_device_type(page)
    other = page.context.new_page()  # the same staff member, the same session, another tab
    other.goto(page.url)
    expect_step(other, "select_device_type", 5)
    other.get_by_test_id("option-smartphone").click()
    expect_step(other, "select_device_os", 6)
    other.close()
    # the first tab still shows step 5; its click is refused with WRONG_STEP and it re-syncs
    page.get_by_test_id("option-tablet").click()
    expect_step(page, "select_device_os", 6)
    expect(page.get_by_test_id("resync-notice")).to_be_visible()
    expect(page.get_by_test_id("request-error")).to_have_count(0)
