"""The admin pages in a real Chromium against the real API.

An admin, at a laptop's 1366×768, manages an agent account end to end (create with the API's
refusals shown under their fields, log in as it, reset its password, deactivate it: its login
is then refused), saves shift hours (read back over HTTP), creates and deletes a quick reply
and an auto-reply rule (the 21st rule of a type is refused with the API's words). The
agent's service statistics page is tested in test_stats_pages.py. Account names start with
`agent7` plus a random suffix: the PostgreSQL database is shared by every browser test of the
session.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from redis import Redis

from tests.api.conftest import bearer, login
from tests.api_http import ApiServer
from tests.web.conftest import LAPTOP, fits, log_in, shoot

pytestmark = pytest.mark.slow  # a server and a browser


@pytest.fixture
def admin(http: httpx.Client) -> dict[str, str]:
    return bearer(login(http, "admin")["access_token"])


def can_log_in(http: httpx.Client, username: str, password: str) -> int:
    body = {"employee_code": username, "password": password}
    return http.post("/api/auth/login", json=body).status_code


def agent_form_error(page: Page, field: str) -> str:
    return page.get_by_test_id("agent-form").get_by_test_id(f"err-{field}").inner_text()


def fill_agent(
    page: Page, username: str, password: str, name: str, max_sessions: str = "4"
) -> None:
    page.get_by_test_id("f-username").fill(username)
    page.get_by_test_id("f-password").fill(password)
    page.get_by_test_id("f-name").fill(name)
    page.get_by_test_id("f-max-sessions").fill(max_sessions)
    page.get_by_test_id("agent-submit").click()


def test_admin_creates_resets_and_removes_an_agent(
    page: Page, http: httpx.Client, admin: dict[str, str]
) -> None:
    username = f"agent7{uuid.uuid4().hex[:6]}"
    page.set_viewport_size(LAPTOP)
    log_in(page, "admin", path="/admin/agents")
    expect(page.get_by_test_id("agent-row").first).to_be_visible()

    page.get_by_test_id("agent-new").click()
    # 422: the schema's refusals, each under its field (login name pattern, max_sessions ≤ 100)
    fill_agent(page, "7bad", "Welcome2026", "客服七號", max_sessions="101")
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-username")).to_be_visible()
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-max_sessions")).to_be_visible()
    # 400 INVALID_PASSWORD: the API's sentence under the password
    fill_agent(page, username, "short", "客服七號")
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-password")).to_contain_text(
        "密碼需至少 8 個字元"
    )
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-username")).to_have_count(0)
    assert can_log_in(http, username, "short") == 401  # nothing was created

    fill_agent(page, username, "Welcome2026", "客服七號")
    expect(page.get_by_test_id("notice")).to_contain_text(username)
    page.get_by_test_id("agent-search").fill(username)
    page.get_by_test_id("agent-search-submit").click()
    row = page.locator(f"[data-testid='agent-row'][data-username='{username}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("客服七號")
    assert can_log_in(http, username, "Welcome2026") == 200

    # 409 USERNAME_TAKEN, in another letter case, worded as the API words it
    page.get_by_test_id("agent-new").click()
    taken = http.post(
        "/api/agents",
        json={"username": username.upper(), "password": "Welcome2026", "name": "x"},
        headers=admin,
    )
    assert taken.status_code == 409 and taken.json()["code"] == "USERNAME_TAKEN"
    fill_agent(page, username.upper(), "Welcome2026", "另一位")
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-username")).to_have_text(
        taken.json()["error"]
    )
    page.get_by_test_id("agent-cancel").click()

    # edit: name and max_sessions
    row.get_by_test_id("agent-edit").click()
    page.get_by_test_id("f-name").fill("客服七號改")
    page.get_by_test_id("f-max-sessions").fill("7")
    page.get_by_test_id("agent-submit").click()
    expect(row).to_contain_text("客服七號改")
    listed = http.get("/api/agents", params={"q": username}, headers=admin).json()["data"]["items"]
    assert [(a["name"], a["max_sessions"]) for a in listed] == [("客服七號改", 7)]

    # reset password: the old one stops working, the new one works
    row.get_by_test_id("agent-reset").click()
    page.get_by_test_id("f-password").fill("abcdefgh")
    page.get_by_test_id("agent-submit").click()
    expect(page.get_by_test_id("agent-form").get_by_test_id("err-password")).to_be_visible()
    page.get_by_test_id("f-password").fill("Fresh2026x")
    page.get_by_test_id("agent-submit").click()
    expect(page.get_by_test_id("notice")).to_contain_text(username)
    assert can_log_in(http, username, "Welcome2026") == 401
    assert can_log_in(http, username, "Fresh2026x") == 200
    fits(page)
    shoot(page, "admin-agents.png")

    # remove (soft): the row says inactive, the login is refused
    row.get_by_test_id("agent-remove").click()
    row.get_by_test_id("agent-remove-confirm").click()
    expect(page.get_by_test_id("notice")).to_contain_text(username)
    expect(row.get_by_test_id("agent-status")).to_have_text("已停用")
    assert can_log_in(http, username, "Fresh2026x") == 401

    # the admin cannot remove themself: 409 SELF_CHANGE_REFUSED, as the API says
    page.get_by_test_id("agent-search").fill("admin")
    page.get_by_test_id("agent-search-submit").click()
    me = page.locator("[data-testid='agent-row'][data-username='admin']")
    me.get_by_test_id("agent-remove").click()
    me.get_by_test_id("agent-remove-confirm").click()
    refused = http.delete("/api/agents/admin", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "SELF_CHANGE_REFUSED"
    expect(page.get_by_test_id("page-error")).to_contain_text(refused.json()["error"])
    assert can_log_in(http, "admin", "Demo1234") == 200


def test_the_agent_list_pages(page: Page, http: httpx.Client, admin: dict[str, str]) -> None:
    total = http.get("/api/agents", params={"page_size": 10}, headers=admin).json()["data"]["total"]
    log_in(page, "admin", path="/admin/agents")
    expect(page.get_by_test_id("agent-paging")).to_contain_text(f"共 {total} 筆")
    first = page.get_by_test_id("agent-row").first.get_attribute("data-username")
    expect(page.get_by_test_id("agent-row")).to_have_count(min(total, 10))
    if total > 10:
        page.get_by_test_id("page-next").click()
        expect(page.get_by_test_id("agent-row")).to_have_count(min(total - 10, 10))
        expect(page.get_by_test_id("agent-row").first).not_to_have_attribute(
            "data-username", str(first)
        )
    fits(page)


@pytest.fixture
def shift_restored(
    http: httpx.Client, admin: dict[str, str], console: ApiServer
) -> Iterator[dict[str, Any]]:
    """The shift as it was; afterwards the server's own default hours again (key removed)."""
    before: dict[str, Any] = http.get("/api/shift/config", headers=admin).json()["data"]
    yield before
    client = Redis.from_url(console.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    client.delete(f"{console.env['REDIS_KEY_PREFIX']}:t:default:sup:shift")
    client.close()


def test_admin_saves_shift_hours(
    page: Page, http: httpx.Client, admin: dict[str, str], shift_restored: dict[str, Any]
) -> None:
    log_in(page, "admin", path="/admin/shift")  # at 1024×768
    expect(page.get_by_test_id("shift-timezone")).to_have_value(shift_restored["timezone"])
    page.get_by_test_id("shift-start").fill("08:30")
    page.get_by_test_id("shift-end").fill("20:15")
    page.get_by_test_id("shift-weekends-disabled").uncheck()
    page.get_by_test_id("shift-holidays").fill("2026-12-25\n2027-01-01")
    page.get_by_test_id("shift-email-to").fill("duty@example.com")
    page.get_by_test_id("shift-offline-zh-TW").fill("客服下班了，明早 8:30 回覆您")
    page.get_by_test_id("shift-save").click()
    expect(page.get_by_test_id("notice")).to_be_visible()
    saved = http.get("/api/shift/config", headers=admin).json()["data"]
    assert (saved["start"], saved["end"], saved["weekends_disabled"]) == ("08:30", "20:15", False)
    assert saved["holidays"] == ["2026-12-25", "2027-01-01"]
    assert saved["email_to"] == ["duty@example.com"]
    assert saved["offline_messages"]["zh-TW"] == "客服下班了，明早 8:30 回覆您"
    fits(page)

    # an unknown time zone: refused as the API says, nothing changes
    page.get_by_test_id("shift-timezone").fill("Mars/Olympus")
    page.get_by_test_id("shift-save").click()
    refused = http.put(
        "/api/shift/config",
        json={"start": "08:30", "end": "20:15", "timezone": "Mars/Olympus"},
        headers=admin,
    )
    assert refused.status_code in (400, 422)
    shown = page.get_by_test_id("shift-form").locator("[role='alert']")
    expect(shown).to_contain_text("Mars/Olympus")
    assert (
        http.get("/api/shift/config", headers=admin).json()["data"]["timezone"] == saved["timezone"]
    )


def test_admin_creates_and_deletes_a_quick_reply(
    page: Page, http: httpx.Client, admin: dict[str, str]
) -> None:
    title = f"續約說明 {uuid.uuid4().hex[:6]}"
    log_in(page, "admin", path="/admin/quick-replies")
    expect(page.get_by_test_id("qr-table")).to_be_visible()
    page.get_by_test_id("qr-new").click()
    page.get_by_test_id("qr-category").select_option("after_sales")
    page.get_by_test_id("qr-title").fill(title)
    page.get_by_test_id("qr-content").fill("您好{customer_name}，續約可於門市辦理。")
    page.get_by_test_id("qr-shortcut").fill("Ctrl+0")
    page.get_by_test_id("qr-submit").click()
    expect(
        page.get_by_test_id("qr-form").get_by_test_id("err-shortcut")
    ).to_be_visible()  # 400 INVALID_SHORTCUT
    page.get_by_test_id("qr-shortcut").fill("")
    page.get_by_test_id("qr-submit").click()
    expect(page.get_by_test_id("notice")).to_be_visible()

    row = page.locator("[data-testid='qr-row']", has_text=title)
    expect(row).to_be_visible()
    expect(row.get_by_test_id("qr-scope")).to_have_text("共用")
    page.get_by_test_id("qr-filter-category").select_option("after_sales")
    expect(row).to_be_visible()
    page.get_by_test_id("qr-filter-category").select_option("policy")
    expect(row).to_have_count(0)
    page.get_by_test_id("qr-filter-category").select_option("")
    items = http.get("/api/quick-replies", params={"keyword": title}, headers=admin).json()["data"][
        "items"
    ]
    assert [(i["title"], i["category"], i["is_shared"]) for i in items] == [
        (title, "after_sales", True)
    ]

    row.get_by_test_id("qr-delete").click()
    row.get_by_test_id("qr-delete-confirm").click()
    expect(row).to_have_count(0)
    assert (
        http.get("/api/quick-replies", params={"keyword": title}, headers=admin).json()["data"][
            "items"
        ]
        == []
    )
    fits(page)


@pytest.fixture
def busy_rules_full(http: httpx.Client, admin: dict[str, str]) -> Iterator[None]:
    """The `busy` type filled to its 20 rules over HTTP; the ones added are removed after."""
    have = [
        r
        for r in http.get("/api/auto-reply-rules", headers=admin).json()["data"]["items"]
        if r["type"] == "busy"
    ]
    added = []
    for n in range(20 - len(have)):
        body = {"type": "busy", "reply_content": f"客服忙線中 {n}", "enabled": False}
        response = http.post("/api/auto-reply-rules", json=body, headers=admin)
        assert response.status_code == 200, response.text
        added.append(response.json()["data"]["id"])
    yield
    for rule_id in added:
        http.delete(f"/api/auto-reply-rules/{rule_id}", headers=admin)


def rules_of(http: httpx.Client, admin: dict[str, str], kind: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = http.get("/api/auto-reply-rules", headers=admin).json()["data"][
        "items"
    ]
    return [r for r in items if r["type"] == kind]


def test_admin_manages_auto_reply_rules(
    page: Page, http: httpx.Client, admin: dict[str, str], busy_rules_full: None
) -> None:
    reply = f"方案價格請見官網 {uuid.uuid4().hex[:6]}"
    before = len(rules_of(http, admin, "keyword"))
    log_in(page, "admin", path="/admin/auto-replies")
    expect(page.get_by_test_id("rule-group")).to_have_count(6)
    keyword_group = page.locator("[data-testid='rule-group'][data-type='keyword']")
    keyword_group.get_by_test_id("rule-new-keyword").click()
    page.get_by_test_id("rule-keywords").fill("價格, 多少錢")
    page.get_by_test_id("rule-content").fill(reply)
    page.get_by_test_id("rule-delay").fill("61")
    page.get_by_test_id("rule-submit").click()
    expect(page.get_by_test_id("rule-form").get_by_test_id("err-delay_seconds")).to_be_visible()
    assert len(rules_of(http, admin, "keyword")) == before  # refused before sending

    page.get_by_test_id("rule-delay").fill("5")
    page.get_by_test_id("rule-submit").click()
    expect(page.get_by_test_id("notice")).to_be_visible()
    row = keyword_group.locator("[data-testid='rule-row']", has_text=reply)
    expect(row).to_be_visible()
    expect(keyword_group.get_by_test_id("rule-count")).to_have_text(f"{before + 1} / 20 條")
    stored = [r for r in rules_of(http, admin, "keyword") if r["reply_content"] == reply]
    assert [(r["trigger_condition"], r["delay_seconds"], r["enabled"]) for r in stored] == [
        ({"keywords": ["價格", "多少錢"]}, 5, True)
    ]

    row.get_by_test_id("rule-edit").click()
    expect(page.get_by_test_id("rule-keywords")).to_have_value("價格\n多少錢")
    page.get_by_test_id("rule-enabled").uncheck()
    page.get_by_test_id("rule-submit").click()
    expect(row).to_contain_text("停用")
    assert [
        r["enabled"] for r in rules_of(http, admin, "keyword") if r["reply_content"] == reply
    ] == [False]

    # the 21st busy rule: 409 TOO_MANY_RULES in the API's words
    busy_group = page.locator("[data-testid='rule-group'][data-type='busy']")
    expect(busy_group.get_by_test_id("rule-count")).to_have_text("20 / 20 條")
    busy_group.get_by_test_id("rule-new-busy").click()
    page.get_by_test_id("rule-content").fill("第二十一條")
    page.get_by_test_id("rule-submit").click()
    refused = http.post(
        "/api/auto-reply-rules", json={"type": "busy", "reply_content": "x"}, headers=admin
    )
    assert refused.status_code == 409 and refused.json()["code"] == "TOO_MANY_RULES"
    expect(page.get_by_test_id("rule-form").get_by_test_id("form-error")).to_have_text(
        refused.json()["error"]
    )
    assert len(rules_of(http, admin, "busy")) == 20

    row.get_by_test_id("rule-delete").click()
    row.get_by_test_id("rule-delete-confirm").click()
    expect(row).to_have_count(0)
    assert [r for r in rules_of(http, admin, "keyword") if r["reply_content"] == reply] == []
    fits(page)
