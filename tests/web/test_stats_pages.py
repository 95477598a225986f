"""The statistics pages in a real Chromium: who sees which page, the dashboard moving after a
real submit, CSV downloads, and a screenshot of each page at tablet size; an agent's service
statistics, with charts whose numbers are the API's and no way into the admin pages.

Staff of store S003 (E3000 manager, E3001 sales) drive the numbers here, so the renewal
tests' journeys (store S001) do not move what these tests compare.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import HttpJourney, bearer, login
from tests.api.handoff_support import escalated, new_customer, on_duty, say
from tests.api_http import ApiServer
from tests.conftest import reload_backoffice
from tests.web.conftest import LAPTOP, fits, log_in, shoot

MANAGER, SALES = "E3000", "E3001"
STAFF_HEADER = [
    "staff_id", "username", "display_name", "role", "store_id", "status", "logins",
    "login_minutes", "customers_served", "sessions_started", "sessions_completed",
    "sessions_abandoned", "sales_confirmed", "conversion_rate", "ai_calls", "prompt_tokens",
    "completion_tokens", "total_tokens", "ai_cost", "last_login_at",
]  # fmt: skip


@pytest.fixture
def renewed_line(backoffice_path: Path) -> Iterator[None]:
    """A submit renews the golden line in the CRM: give the next test a due line again."""
    reload_backoffice(backoffice_path)
    yield
    reload_backoffice(backoffice_path)


def tile(page: Page, testid: str) -> int:
    text = page.get_by_test_id(testid).get_by_test_id("tile-value").inner_text()
    return int(text.replace(",", ""))


def menu_entries(page: Page) -> set[str]:
    links = page.get_by_test_id("menu").locator("[data-testid^='nav-']")
    expect(links.first).to_be_visible()
    return {str(link.get_attribute("data-testid")) for link in links.all()}


def test_login_page_screenshot(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    shoot(page, "login.png")


def test_a_manager_sees_rankings_and_staff_a_sales_member_does_not(page: Page) -> None:
    log_in(page, MANAGER, path="/dashboard")
    assert {"nav-dashboard", "nav-rankings", "nav-staff", "nav-usage"} <= menu_entries(page)
    page.get_by_test_id("nav-rankings").click()
    expect(page).to_have_url("/rankings")
    expect(page.get_by_test_id("ranking-row")).to_have_count(5)  # every demo store
    page.get_by_test_id("logout").click()
    expect(page).to_have_url("/login")

    log_in(page, SALES, path="/dashboard")
    entries = menu_entries(page)
    assert {"nav-dashboard", "nav-usage"} <= entries
    assert not entries & {"nav-rankings", "nav-staff"}
    page.goto("/rankings")  # typed by hand: the router sends a sales member elsewhere
    expect(page).to_have_url("/renewal")
    page.goto("/staff")
    expect(page).to_have_url("/renewal")


def compare_two_plans(http: httpx.Client, token: str) -> HttpJourney:
    """The golden customer's line, no device, up to the plans and one AI comparison of two
    (an AI call in the statistics), as the sales member over HTTP."""
    j = HttpJourney(http, token)
    j.start()
    j.to_device_type()
    j.step("step/select-device-type", device_type="none")
    j.stream("step/list-plans")
    assert j.view["current_step"] == "select_plan", j.view
    j.stream("step/compare", compare=[p["plan_id"] for p in j.show["plans"][:2]])
    return j


def submit_a_plain_renewal(http: httpx.Client, token: str) -> str:
    """... and on to the submit (the sale)."""
    j = compare_two_plans(http, token)
    j.step("step/select-plan", plan_id=j.show["plans"][0]["plan_id"])
    j.step("step/confirm", confirmed=True)
    done = j.step("submit", submit=True)
    assert done["outcome"] == "completed"
    return j.session_id


def test_the_dashboard_counts_a_submit(page: Page, console: ApiServer, renewed_line: None) -> None:
    log_in(page, SALES, path="/dashboard")
    expect(page.get_by_test_id("dashboard-today")).to_be_visible()
    before = {key: tile(page, f"today-{key}") for key in ("sales", "sessions", "ai-calls")}
    week_before = tile(page, "week-sales")
    bars = page.get_by_test_id("chart-sales-bar")
    expect(bars).to_have_count(7)
    bar_sum_before = sum(int(b.get_attribute("data-value") or 0) for b in bars.all())

    with console.client() as http:
        submit_a_plain_renewal(http, login(http, SALES)["access_token"])

    page.reload()
    expect(page.get_by_test_id("today-sales").get_by_test_id("tile-value")).to_have_text(
        str(before["sales"] + 1)
    )
    assert tile(page, "today-sessions") == before["sessions"] + 1
    assert tile(page, "today-customers") >= 1
    assert tile(page, "today-ai-calls") == before["ai-calls"] + 1  # the comparison
    assert tile(page, "week-sales") == week_before + 1
    sales, customers = tile(page, "today-sales"), tile(page, "today-customers")
    rate = f"{round(100 * sales / customers, 1):g}%"  # sales ÷ customers served
    expect(page.get_by_test_id("today-conversion").get_by_test_id("tile-value")).to_have_text(rate)
    bar_sum = sum(int(b.get_attribute("data-value") or 0) for b in bars.all())
    assert bar_sum == bar_sum_before + 1  # today's bar grew
    tokens_today = page.get_by_test_id("today-tokens").get_by_test_id("tile-value").inner_text()
    assert tokens_today != "0"  # the comparison's tokens
    last_point = page.get_by_test_id("chart-tokens").locator("figcaption strong")
    expect(last_point).to_have_text(tokens_today)  # the line ends at today
    svg = page.get_by_test_id("chart-sales").locator("svg")
    assert "1" in (svg.get_attribute("aria-label") or "")
    shoot(page, "dashboard.png")


def read_download(page: Page, where: str) -> tuple[str, list[list[str]]]:
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{where}: no UTF-8 BOM for Excel"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    expect(page.get_by_test_id("export-note")).to_contain_text(download.suggested_filename)
    return download.suggested_filename, rows


def test_csv_exports_download_with_their_header_rows(page: Page) -> None:
    log_in(page, MANAGER, path="/staff")
    expect(page.get_by_test_id("staff-row").first).to_be_visible()
    name, rows = read_download(page, "staff list")
    assert name.startswith("staff-list_today_") and name.endswith(".csv")
    assert rows[0] == STAFF_HEADER
    assert {row[1] for row in rows[1:]} == {"E3000", "E3001", "E3002"}  # the store's staff
    assert {row[4] for row in rows[1:]} == {"S003"}

    page.get_by_test_id("period-month").click()
    expect(page.get_by_test_id("period-month")).to_have_attribute("aria-pressed", "true")
    name, _ = read_download(page, "staff list, month")
    assert name.startswith("staff-list_month_")
    shoot(page, "staff.png")

    page.get_by_test_id("nav-rankings").click()
    expect(page.get_by_test_id("ranking-row")).to_have_count(5)
    name, rows = read_download(page, "rankings")
    assert name.startswith("store-rankings_today_")
    assert rows[0][:5] == ["rank", "store_id", "store_name", "staff_count", "logins"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
    shoot(page, "rankings.png")


def test_a_sales_member_exports_their_own_day(page: Page) -> None:
    log_in(page, SALES, path="/dashboard")
    expect(page.get_by_test_id("dashboard-today")).to_be_visible()
    name, rows = read_download(page, "daily stats")
    assert name.startswith("daily-stats_")
    assert rows[0][:5] == ["staff_id", "username", "display_name", "role", "store_id"]
    assert [row[1] for row in rows[1:]] == [SALES]  # only their own line


def test_an_admin_picks_a_store_on_the_staff_page(page: Page) -> None:
    log_in(page, "admin", path="/staff")
    rows = page.get_by_test_id("staff-row")
    expect(rows).to_have_count(15)  # every store's manager and two sales
    page.get_by_test_id("store-picker").select_option("S002")
    expect(rows).to_have_count(3)
    assert {r.get_attribute("data-username") for r in rows.all()} == {"E2000", "E2001", "E2002"}
    expect(page.get_by_test_id("range")).to_contain_text("S002")


def test_usage_page_shows_tokens_and_cost(page: Page, console: ApiServer) -> None:
    with console.client() as http:
        compare_two_plans(http, login(http, SALES)["access_token"])
    log_in(page, MANAGER, path="/usage")
    expect(page.get_by_test_id("usage-week-tokens")).to_be_visible()
    expect(page.get_by_test_id("chart-usage-tokens-bar")).to_have_count(7)
    expect(page.get_by_test_id("usage-row")).to_have_count(3)
    row = page.get_by_test_id("usage-row").filter(has_text=SALES)
    assert int(row.locator("td").nth(1).inner_text()) >= 1  # the sales member's AI calls
    expect(page.get_by_test_id("usage-today-cost")).to_contain_text("$")
    assert tile(page, "usage-store-calls") >= 1  # the store's usage over the week
    assert tile(page, "usage-store-tokens") > 0
    expect(page.get_by_test_id("share-legend").first).to_contain_text("方案比較說明")
    shoot(page, "usage.png")


@pytest.fixture
def served_chats(http: httpx.Client, console: ApiServer) -> None:
    """Numbers to draw: two chats the AI answered alone, one escalated, taken over by
    agent001 (who answers) and released back to the AI."""
    admin_token = login(http, "admin")["access_token"]
    agent = bearer(login(http, "agent001")["access_token"])
    with on_duty(http, admin_token, console):
        for text in ("你好", "請問門市幾點開？"):
            say(http, new_customer(http), text)
        customer = escalated(http)
        name = customer.session_name
        taken = http.post(f"/api/sessions/{name}/takeover", json={}, headers=agent)
        assert taken.status_code == 200, taken.text
        body = {"session_name": name, "role": "agent", "content": "您好，我是客服小狐"}
        sent = http.post("/api/manual/messages", json=body, headers=agent)
        assert sent.status_code == 200, sent.text
        released = http.post(f"/api/sessions/{name}/release", json={}, headers=agent)
        assert released.status_code == 200, released.text


def bar_values(page: Page, chart: str) -> list[float]:
    bars = page.get_by_test_id(f"{chart}-bar")
    return [float(str(bar.get_attribute("data-value"))) for bar in bars.all()]


def test_an_agent_sees_service_stats_with_charts_and_no_admin_pages(
    page: Page, http: httpx.Client, served_chats: None
) -> None:
    agent = bearer(login(http, "agent001")["access_token"])
    live = http.get(
        "/api/sessions/stats", params={"hours": 24, "refresh": True}, headers=agent
    ).json()["data"]
    assert live["ai_quality"]["escalation_rate"] > 0  # the scripted chats count
    page.set_viewport_size(LAPTOP)
    log_in(page, "agent001", path="/agent/stats")
    expect(page.get_by_test_id("service-stats")).to_be_visible()
    expect(page.get_by_test_id("chart-conversations")).to_be_visible()

    rate = round(live["ai_quality"]["escalation_rate"] * 100, 1)
    shown = page.get_by_test_id("tile-ai-escalation").get_by_test_id("tile-value").inner_text()
    assert float(shown.rstrip("%")) == pytest.approx(rate, abs=0.05)

    report = http.get("/api/reports/daily", headers=agent).json()["data"]
    c = report["conversations"]
    assert c["escalated"] >= 1 and report["agents"], report
    expect(page.get_by_test_id("chart-conversations-bar")).to_have_count(4)
    assert bar_values(page, "chart-conversations") == [
        c["started"],
        c["active"],
        c["escalated"],
        c["closed"],
    ]
    wait = report["takeover_wait_seconds"]
    assert bar_values(page, "chart-takeover") == [
        wait[k] or 0 for k in ("mean", "p50", "p95", "max")
    ]
    expect(page.get_by_test_id("report-range")).to_contain_text(report["from"])

    page.get_by_test_id("period-monthly").click()
    monthly = http.get("/api/reports/monthly", headers=agent).json()["data"]
    expect(page.get_by_test_id("report-range")).to_contain_text(monthly["from"])
    with page.expect_download() as info:
        page.get_by_test_id("report-csv").click()
    download = info.value
    assert (
        download.suggested_filename == f"chat-report_monthly_{monthly['from']}_{monthly['to']}.csv"
    )
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "section,metric,value"
    assert f"conversations,started,{monthly['conversations']['started']}" in text.splitlines()
    expect(page.get_by_test_id("report-note")).to_contain_text(download.suggested_filename)
    fits(page)
    page.get_by_test_id("period-daily").click()
    expect(page.get_by_test_id("report-range")).to_contain_text(report["from"])
    shoot(page, "service-stats.png")

    links = page.get_by_test_id("menu").locator("[data-testid^='nav-']")
    names = {str(link.get_attribute("data-testid")) for link in links.all()}
    assert "nav-service-stats" in names and not any(name.startswith("nav-admin-") for name in names)
    page.goto("/admin/agents")
    expect(page).to_have_url("/agent")
    page.goto("/admin/auto-replies")
    expect(page).to_have_url("/agent")
