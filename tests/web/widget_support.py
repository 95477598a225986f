"""The customer on a page of another origin with the chat widget, and an agent over HTTP:
shared by the widget's tests and the two-browser handoff journey."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    FrameLocator,
    Page,
    ViewportSize,
    expect,
)

from tests.api_http import ApiServer
from tests.web.problems import record_problems

PHONE = ViewportSize(width=390, height=844)
MARKUP = "<img src=x onerror=alert(1)>"
AGENT_PASSWORD = "Demo1234"


class Site:
    """The API, the allowed demo host and one outside the allow-list."""

    def __init__(self, api: ApiServer, allowed: str, foreign: str) -> None:
        self.api, self.allowed, self.foreign = api, allowed, foreign
        self.http = httpx.Client(base_url=api.url, timeout=30)
        self.admin = self.login("/api/auth/login", employee_code="admin")["data"]["access_token"]

    def login(self, path: str, **body: str) -> dict[str, Any]:
        response = self.http.post(path, json={**body, "password": AGENT_PASSWORD})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


class Agent:
    """A customer-service agent working over HTTP (what the workbench sends)."""

    def __init__(self, site: Site, username: str = "agent001") -> None:
        body = site.login("/api/agent/login", username=username)
        self.http, self.name = site.http, body["agent"]["name"]
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def takeover(self, session_name: str) -> None:
        response = self.http.post(
            f"/api/sessions/{session_name}/takeover", json={}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    def say(self, session_name: str, text: str) -> None:
        body = {"session_name": session_name, "role": "agent", "content": text}
        response = self.http.post("/api/manual/messages", json=body, headers=self.headers)
        assert response.status_code == 200, response.text

    def release(self, session_name: str) -> None:
        response = self.http.post(
            f"/api/sessions/{session_name}/release", json={}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    def history(self, session_name: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/api/sessions/{session_name}", headers=self.headers)
        assert response.status_code == 200, response.text
        history: list[dict[str, Any]] = response.json()["data"]["session"]["history"]
        return history


class Customer:
    """A phone browser on the demo host's page, with the widget opened from the launcher."""

    def __init__(self, browser: Browser, site: Site, locale: str = "zh-TW") -> None:
        self.context: BrowserContext = browser.new_context(viewport=PHONE, locale=locale)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        # a cut network (a test's doing) logs failed fetches: not the page's fault
        record_problems(
            self.page, self.problems, expected=("ERR_INTERNET_DISCONNECTED", "Failed to fetch")
        )
        self.page.on("dialog", self._on_dialog)
        self.site = site

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self) -> FrameLocator:
        self.page.goto(f"{self.site.allowed}/")
        self.page.locator("[data-switchboard=launcher]").click()
        widget = self.widget
        expect(widget.get_by_test_id("widget-input")).to_be_visible()
        return widget

    @property
    def widget(self) -> FrameLocator:
        return self.page.frame_locator("[data-switchboard=frame]")

    @property
    def frame(self) -> Frame:
        frame = self.page.frame(url=re.compile(r"/widget\?"))
        assert frame is not None
        return frame

    def session_name(self) -> str:
        stored = self.frame.evaluate("localStorage.getItem('switchboard.widget.session')")
        assert stored, "no conversation stored in the widget's origin"
        name: str = self.frame.evaluate(f"JSON.parse({stored!r}).session_name")
        return name

    def send(self, text: str) -> None:
        self.widget.get_by_test_id("widget-input").fill(text)
        self.widget.get_by_test_id("widget-send").click()

    def bubbles(self, role: str) -> list[str]:
        texts: list[str] = self.widget.locator(
            f"[data-testid=bubble][data-role={role}]"
        ).all_inner_texts()
        return texts

    def banner(self) -> Any:
        return self.widget.get_by_test_id("widget-banner")

    def close(self) -> None:
        self.context.close()
        assert not self.dialogs, f"a script ran: {self.dialogs}"
        assert not self.problems, f"the page logged errors: {self.problems}"
