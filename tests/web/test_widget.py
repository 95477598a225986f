"""The customer chat widget in a real Chromium, framed by a page of another origin.

One API process for the module (PostgreSQL database and Redis prefix of the module's own) with
`WIDGET_EMBED_ORIGINS` = the demo host's origin (`api/web/demo_host.py`, a stdlib page with the
one-line embed on another port). A second demo host on a port outside that list shows the
refusal. The customer works in the browser only; the agent acts over HTTP, as the workbench
would (agent login, takeover, messages, release). Phone size (390×844): embed.js fills the
screen with the widget there, which is what the screenshots in docs/screenshots/ show.
"""

from __future__ import annotations

import time
from datetime import datetime
from itertools import groupby, pairwise
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    Frame,
    expect,
)

from core.settings import Settings
from tests.api.handoff_support import on_duty, set_shift
from tests.api_http import eventually
from tests.web.conftest import SCREENSHOTS
from tests.web.pacing import pace_events_from_the_start
from tests.web.widget_support import MARKUP, PHONE, Agent, Customer, Site

pytestmark = pytest.mark.slow


def watch_ai_growth(frame: Frame) -> None:
    """Record, in the widget, the text of the AI bubble each time it changes."""
    frame.evaluate(
        """() => {
          window.__growth = []
          new MutationObserver(() => {
            const ai = [...document.querySelectorAll('[data-testid=bubble][data-role=ai]')]
            const last = ai[ai.length - 1]
            if (last && last.dataset.streaming === 'true') window.__growth.push(last.textContent)
          }).observe(document.body, { childList: true, subtree: true, characterData: true })
        }"""
    )


def test_customer_on_another_site_chats_with_the_ai_then_an_agent(
    customer: Customer, site: Site, agents_on_duty: None
) -> None:
    # the session stream one event per 50 ms, as a slow network hands it: one render per token
    # whatever the box's load (unpaced, the 40-token answer showed 37-40 partial texts at load
    # average 7, once 7 at load 11, and 2 at load 14, which failed this test)
    pace_events_from_the_start(customer.context, "/stream", gap_ms=50)
    widget = customer.open()
    watch_ai_growth(customer.frame)
    customer.send("請問有哪些吃到飽優惠推薦？")
    expect(widget.locator("[data-role=ai][data-streaming=false]")).to_have_count(1, timeout=20_000)
    name = customer.session_name()
    agent = Agent(site)
    # it ends complete: the one AI bubble says what the server recorded
    (recorded,) = [m["content"] for m in agent.history(name) if m["role"] == "assistant"]
    expect(widget.locator("[data-role=ai]")).to_have_text([recorded])
    # token by token into that bubble: several partial texts, each extending the one before
    growth: list[str] = customer.frame.evaluate("window.__growth")
    shown = [text for text, _ in groupby(growth)]  # a text seen twice in a row is one step
    assert len(shown) >= 3, growth
    assert all(len(a) < len(b) and b.startswith(a) for a, b in pairwise(shown)), shown
    assert customer.bubbles("ai")[0].startswith(shown[-1])
    assert customer.bubbles("user") == ["請問有哪些吃到飽優惠推薦？"]
    expect(widget.get_by_test_id("widget-greeting")).to_have_text("您好！請問有什麼可以幫您？")
    customer.page.screenshot(path=str(SCREENSHOTS / "widget.png"))

    widget.get_by_test_id("widget-human").click()
    expect(customer.banner()).to_have_attribute("data-banner", "waiting")
    expect(customer.banner()).to_contain_text("正在為您轉接真人客服")
    expect(widget.get_by_test_id("widget-cancel")).to_be_visible()

    agent.takeover(name)
    expect(customer.banner()).to_have_attribute("data-banner", "connected")
    expect(customer.banner()).to_contain_text(f"客服人員 {agent.name} 已加入對話")
    agent.say(name, "您好，我是客服，請問帳單哪裡有問題？")
    expect(widget.locator("[data-role=agent]")).to_have_text(
        ["您好，我是客服，請問帳單哪裡有問題？"]
    )

    # markup from both sides is text: shown literally, no element made, nothing run
    agent.say(name, MARKUP)
    customer.send(MARKUP)
    expect(widget.locator("[data-role=agent]").last).to_have_text(MARKUP)
    expect(widget.locator("[data-role=user]").last).to_have_text(MARKUP)
    assert customer.frame.evaluate("document.querySelectorAll('img').length") == 0
    assert customer.bubbles("user").count(MARKUP) == 1  # the echo did not double it

    # the bubble is drawn when sent; the agent's copy arrives with the POST (polled, not raced)
    def last_from_customer() -> str:
        return str([m["content"] for m in agent.history(name) if m["role"] == "user"][-1])

    assert eventually(lambda: last_from_customer() == MARKUP), last_from_customer()
    customer.page.screenshot(path=str(SCREENSHOTS / "widget-agent.png"))

    # closed widget: the host's launcher counts what arrives (postMessage), opening clears it
    widget.get_by_test_id("widget-close").click()
    expect(customer.page.locator("[data-switchboard=frame]")).to_be_hidden()
    agent.say(name, "還在嗎？")
    expect(customer.page.locator("[data-switchboard=unread]")).to_have_text("1")
    expect(customer.page.locator("#unread")).to_have_text("1")
    customer.page.locator("[data-switchboard=launcher]").click()
    expect(widget.locator("[data-role=agent]").last).to_have_text("還在嗎？")
    expect(customer.page.locator("[data-switchboard=unread]")).to_be_hidden()
    expect(customer.page.locator("#unread")).to_have_text("0")

    agent.release(name)
    expect(customer.banner()).to_have_attribute("data-banner", "backToAi")
    expect(widget.get_by_test_id("widget-human")).to_be_visible()
    customer.send("謝謝，再問一下續約")
    expect(widget.locator("[data-role=ai][data-streaming=false]")).to_have_count(2, timeout=20_000)
    assert customer.dialogs == []


def test_network_cut_and_restored_shows_the_missed_messages_once(
    customer: Customer, site: Site, agents_on_duty: None
) -> None:
    widget = customer.open()
    widget.get_by_test_id("widget-human").click()
    expect(customer.banner()).to_have_attribute("data-banner", "waiting")
    name = customer.session_name()
    agent = Agent(site)
    agent.takeover(name)
    agent.say(name, "斷線前")
    expect(widget.locator("[data-role=agent]")).to_have_text(["斷線前"])

    customer.context.set_offline(True)
    expect(widget.get_by_test_id("widget")).to_have_attribute("data-connection", "reconnecting")
    expect(customer.banner()).to_have_attribute("data-banner", "reconnecting")
    for text in ("離線時一", "離線時二", "離線時三"):
        agent.say(name, text)
    time.sleep(1.5)  # a few failed reconnects while offline
    assert widget.locator("[data-role=agent]").all_inner_texts() == ["斷線前"]

    customer.context.set_offline(False)
    expect(widget.get_by_test_id("widget")).to_have_attribute("data-connection", "live")
    agent.say(name, "恢復後")
    expected = ["斷線前", "離線時一", "離線時二", "離線時三", "恢復後"]
    expect(widget.locator("[data-role=agent]")).to_have_text(expected)
    time.sleep(1)  # a late duplicate would show up by now
    assert customer.bubbles("agent") == expected
    server = [m["content"] for m in agent.history(name) if m["role"] == "agent"]
    assert server == expected

    # a reload resumes the same conversation from this origin's storage
    customer.page.reload()
    customer.page.locator("[data-switchboard=launcher]").click()
    expect(widget.locator("[data-role=agent]")).to_have_text(expected)
    expect(customer.banner()).to_have_attribute("data-banner", "connected")
    assert customer.session_name() == name
    agent.release(name)


def test_off_hours_notice_and_the_browsers_language(browser: Browser, site: Site) -> None:
    hour = datetime.now(ZoneInfo("Asia/Taipei")).hour
    closed = {
        "start": f"{(hour + 6) % 24:02d}:00",
        "end": f"{(hour + 7) % 24:02d}:00",
        "timezone": "Asia/Taipei",
        "weekends_disabled": False,
    }
    customer = Customer(browser, site, locale="en-US")
    with on_duty(site.http, site.admin, site.api):  # restores the default hours afterwards
        set_shift(site.http, site.admin, closed)
        widget = customer.open()
        expect(widget.get_by_test_id("widget-human")).to_have_text("Talk to a person")
        expect(widget.get_by_test_id("widget-input")).to_have_attribute(
            "placeholder", "Type a message…"
        )
        widget.get_by_test_id("widget-human").click()
        expect(customer.banner()).to_have_attribute("data-banner", "offline")
        expect(customer.banner()).to_contain_text("Our agents are offline right now")
        assert customer.frame.evaluate("document.documentElement.lang") == "en"
    customer.close()


def test_only_allowed_origins_may_frame_the_widget(browser: Browser, site: Site) -> None:
    widget = site.http.get("/widget")
    policy = widget.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {site.allowed};" in policy
    assert "x-frame-options" not in widget.headers
    assert widget.headers["cache-control"] == "no-cache"
    console = site.http.get("/")
    assert console.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in console.headers["content-security-policy"]
    embed = site.http.get("/embed.js")
    assert embed.status_code == 200 and embed.headers["cache-control"] == "public, max-age=300"
    assert embed.headers["content-type"].startswith("text/javascript")

    context = browser.new_context(viewport=PHONE, locale="zh-TW")
    page = context.new_page()
    page.goto(f"{site.allowed}/frame")  # an allowed origin framing /widget directly
    expect(page.frame_locator("#direct").get_by_test_id("widget-input")).to_be_visible()
    # one that is not on the list: the browser refuses the frame (waited for, not slept on)
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(f"{site.foreign}/frame")
    assert page.frame_locator("#direct").get_by_test_id("widget").count() == 0
    # the embed on a foreign site: its frame is refused as it loads, the launcher opens nothing
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(f"{site.foreign}/")
    page.locator("[data-switchboard=launcher]").click()
    framed = page.frame_locator("[data-switchboard=frame]")
    assert framed.get_by_test_id("widget").count() == 0
    context.close()


@pytest.mark.parametrize(
    ("origins", "accepted"),
    [
        (["https://www.example.com"], True),
        (["http://127.0.0.1:8090", "https://*.example.com"], True),
        (["https://shop.example.com/path"], False),
        (["https://a.example.com; script-src *"], False),
        (["https://a.example.com https://evil.example"], False),
        (["*"], False),
    ],
)
def test_embed_origins_must_be_plain_origins(origins: list[str], accepted: bool) -> None:
    """They are written into the widget page's CSP: anything else could rewrite the policy."""
    try:
        Settings(_env_file=None, widget_embed_origins=origins)  # type: ignore[call-arg]
    except ValueError as exc:
        assert not accepted, exc
        assert "WIDGET_EMBED_ORIGINS" in str(exc)
    else:
        assert accepted
