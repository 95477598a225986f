"""Login, logout, session kept across reloads, expired sessions, and the menu per role."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.api_http import ApiServer
from tests.web.conftest import PASSWORD, log_in


def test_login_page_is_served_offline_and_in_traditional_chinese(page: Page) -> None:
    page.goto("/renewal")  # a page path: the server answers the page, its router asks to log in
    expect(page).to_have_url("/login?next=/renewal")
    expect(page.get_by_role("heading")).to_have_text("登入 Switchboard")
    assert page.evaluate("document.documentElement.lang") == "zh-TW"


def test_wrong_password_shows_the_servers_message_and_stays(page: Page) -> None:
    page.goto("/login")
    page.get_by_test_id("employee-code").fill("E1001")
    page.get_by_test_id("password").fill("wrong-password-1")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page).to_have_url("/login")


def test_session_survives_a_reload_and_logout_ends_it(page: Page, console: ApiServer) -> None:
    log_in(page, "E1001")
    expect(page).to_have_url("/renewal")
    page.reload()
    expect(page.get_by_test_id("who")).to_contain_text("sales · S001")
    expect(page.get_by_test_id("logout")).to_be_visible()
    token = page.evaluate("JSON.parse(localStorage.getItem('switchboard.staff.tokens')).access")
    page.get_by_test_id("logout").click()
    expect(page).to_have_url("/login")
    with httpx.Client(base_url=console.url) as http:  # the token is revoked on the server too
        me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_a_revoked_session_returns_to_login_and_back_to_the_page(
    page: Page, console: ApiServer
) -> None:
    log_in(page, "E1002", path="/dashboard")
    expect(page).to_have_url("/dashboard")
    tokens = page.evaluate("JSON.parse(localStorage.getItem('switchboard.staff.tokens'))")
    with httpx.Client(base_url=console.url) as http:  # the same login ended elsewhere
        http.post("/api/auth/logout", headers={"Authorization": f"Bearer {tokens['access']}"})
    page.get_by_test_id("nav-history").click()
    expect(page).to_have_url("/login?next=/history&reason=expired")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("employee-code").fill("E1002")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url("/history")


def test_a_locked_account_says_so_and_for_how_long(page: Page) -> None:
    """The 5th wrong password locks the account (423 with Retry-After): the page shows the
    API's message and the minutes, and even the right password is refused while locked."""
    page.goto("/login")
    page.get_by_test_id("employee-code").fill("E5001")  # only this test uses it in this database
    for _ in range(5):
        page.get_by_test_id("password").fill("wrong-password-1")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("login-submit")).to_be_enabled()
    expect(page.get_by_test_id("login-error")).to_contain_text("15 分鐘後再試")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("分鐘後再試")
    expect(page).to_have_url("/login")
