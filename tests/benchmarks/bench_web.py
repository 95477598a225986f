"""The staff console's cost in a browser: first load and one step's click-to-next-step.

    .venv/bin/python -m tests.benchmarks.bench_web [--runs 15] [--url http://127.0.0.1:8000]

Without `--url` it starts its own API (the bench back office and a fresh SQLite service
database, as `bench_api` does) serving `web/dist` (built first if it changed). Headless
Debian Chromium on loopback, a new browser context (empty cache) per run:

- first load: JS and CSS bytes on the wire (gzip, `encodedBodySize` of every script and style
  sheet the login page loaded) and the time from navigation start until the login form can be
  typed into (its employee-code field is visible and enabled);
- one step (query-customer, no stream): the time from the click on the ID step's button until
  the next step (select-phone) is on screen, for a logged-in staff member in a started session.

Prints the median, p95 and the slowest run of each. Targets (issue 17): ≤ 250 KB gzip, ≤ 1 s
to a usable login form, ≤ 150 ms per non-streaming step.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from contextlib import AsyncExitStack
from typing import Any

from playwright.async_api import Browser, async_playwright

from api.web.build import ensure_built
from tests.benchmarks.bench_servers import own_api
from tests.web.conftest import CHROMIUM_FLAGS, PASSWORD, TABLET, chromium_path

GOLDEN_ID = "A123456789"
FIRST_LOAD_JS = """() => {
  const entries = performance.getEntriesByType('resource')
  const wire = (kind) => entries.filter((e) => e.name.includes('/assets/') && e.name.endsWith(kind))
    .reduce((sum, e) => sum + e.encodedBodySize, 0)
  return { js: wire('.js'), css: wire('.css'), count: entries.length }
}"""


async def first_load(browser: Browser, url: str) -> dict[str, float]:
    context = await browser.new_context(viewport=TABLET, locale="zh-TW")
    page = await context.new_page()
    await page.goto(f"{url}/login", wait_until="commit")
    field = page.get_by_test_id("employee-code")
    await field.wait_for(state="visible")
    await page.wait_for_function(
        "() => { const e = document.querySelector('[data-testid=employee-code]');"
        " return e && !e.disabled }"
    )
    usable_ms = await page.evaluate("performance.now()")
    sizes: dict[str, Any] = await page.evaluate(FIRST_LOAD_JS)
    await context.close()
    return {"usable_ms": usable_ms, "js": sizes["js"], "css": sizes["css"]}


async def one_step(browser: Browser, url: str) -> float:
    """Click-to-next-step for query-customer, measured in the page (performance.now)."""
    context = await browser.new_context(viewport=TABLET, locale="zh-TW", base_url=url)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_test_id("employee-code").fill("E1001")
    await page.get_by_test_id("password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.get_by_test_id("start-session").click()
    await page.get_by_test_id("id-input").fill(GOLDEN_ID)
    await page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=id-submit]');"
        " return b && !b.disabled }"
    )
    elapsed: float = await page.evaluate(
        """() => new Promise((resolve) => {
          const button = document.querySelector('[data-testid=id-submit]')
          const started = performance.now()
          const seen = () => document.querySelector('[data-step=select_phone]')
          new MutationObserver((_, observer) => {
            if (seen()) { observer.disconnect(); resolve(performance.now() - started) }
          }).observe(document.body, { childList: true, subtree: true, attributes: true })
          button.click()
        })"""
    )
    await context.close()
    return elapsed


def summary(name: str, values: list[float], unit: str) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name:<34} median {statistics.median(ordered):8.1f} {unit}   "
        f"p95 {p95:8.1f} {unit}   max {ordered[-1]:8.1f} {unit}   (n={len(ordered)})"
    )


async def main(args: argparse.Namespace) -> None:
    print(f"web build: {ensure_built()}")
    async with AsyncExitStack() as stack:
        url = args.url
        if url is None:
            url = (await stack.enter_async_context(own_api("sqlite"))).url
        playwright = await stack.enter_async_context(async_playwright())
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        loads = [await first_load(browser, url) for _ in range(args.runs)]
        steps = [await one_step(browser, url) for _ in range(args.runs)]
        await browser.close()
    total_kb = [(r["js"] + r["css"]) / 1024 for r in loads]
    print(
        f"first load, JS {loads[0]['js'] / 1024:.1f} KB + CSS {loads[0]['css'] / 1024:.1f} KB gzip"
    )
    print(summary("first load: JS + CSS on the wire", total_kb, "KB"))
    print(summary("first load: login form usable", [r["usable_ms"] for r in loads], "ms"))
    print(summary("query-customer: click to next step", steps, "ms"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--url", default=None, help="a running server instead of our own")
    asyncio.run(main(parser.parse_args()))
