"""What a page must not do in any browser test: log an error, break the CSP, throw."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page


def record_problems(page: Page, problems: list[str], *, expected: tuple[str, ...] = ()) -> None:
    """Append to `problems` every console error (but those containing one of `expected`, e.g. a
    refused request a test provokes), every CSP violation and every uncaught page error."""

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        allowed = any(fragment in text for fragment in expected)
        if (message.type == "error" and not allowed) or "Content Security Policy" in text:
            problems.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
