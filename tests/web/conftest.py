"""The staff console in a real Chromium against the real API, Redis, PostgreSQL and MCP servers.

One API process for the module's tests (`console`), on a PostgreSQL database of its own
(`sb_web_<random>`, migrated and seeded with the demo accounts, dropped afterwards), serving
`web/dist` as built by `api/web/build.py` (the same build `make run` does; skipped when
nothing changed). Chromium is Debian's (`make test` installs it when missing: a browser
download by Playwright does not work here). Every page opens at a store tablet's size,
1024×768, in zh-TW, and a test fails if the page logged an error or a CSP violation.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from redis import Redis

from api.web.build import ensure_built
from api.web.demo_host import running_demo_host
from core.settings import Settings
from tests.api.handoff_support import new_customer, on_duty, say
from tests.api_http import ApiServer, free_port, running_api
from tests.db.conftest import seeded_pg_database
from tests.web.problems import record_problems
from tests.web.widget_support import Customer, Site

pytestmark = pytest.mark.slow
TABLET = ViewportSize(width=1024, height=768)
LAPTOP = ViewportSize(width=1366, height=768)
PASSWORD = "Demo1234"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no Chromium here: `make test` installs Debian's (apt-get install chromium)")


@pytest.fixture(scope="session")
def web_dist() -> str:
    return ensure_built()


@pytest.fixture(scope="session")
def pg_service_db(test_settings: Settings) -> Iterator[str]:
    """A PostgreSQL database of the session's own, migrated and seeded."""
    with seeded_pg_database("sb_web", test_settings) as url:
        yield url


@pytest.fixture(scope="module")
def console(
    web_dist: str,
    app_settings: Settings,
    pg_service_db: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ApiServer]:
    prefix = f"sbtest-web-{uuid.uuid4().hex[:8]}"
    update = {"database_url": pg_service_db, "redis_key_prefix": prefix}
    settings = app_settings.model_copy(update=update)
    log = tmp_path_factory.mktemp("web") / "api.log"
    with running_api(settings, log) as server:
        yield server


@pytest.fixture(scope="module")
def browser(pg_service_db: str, app_settings: Settings) -> Iterator[Browser]:
    """After the fixtures that run asyncio: Playwright's sync API keeps a loop of its own
    running on this thread, and `asyncio.run` refuses to start inside it. One browser per
    module, closed with it: the suite's workers (pytest-xdist) run other modules afterwards
    on the same thread, and their fixtures need `asyncio.run` again."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(console: ApiServer, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=TABLET, locale="zh-TW", base_url=console.url)
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems, expected=("status of 4",))  # refused requests some tests make
    yield page
    context.close()
    assert not problems, f"the page logged errors: {problems}"


# From the click to the logged-in page: the API's bcrypt check (cost 12, 0.25 s quiet) and the
# page's first load of its route, both CPU work that stretches as the 2 cores are shared. Measured
# 0.9-2.1 s at load average 7 (20 logins, four `yes` burning beside the run; the API's own
# login latency median 1.06 s, max 2.06 s), so about 4 s at the suite's worst seen (load 14):
# too close to Playwright's default 5 s.
LOGIN_SECONDS = 15


def log_in(page: Page, employee_code: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(path)
    page.get_by_test_id("employee-code").fill(employee_code)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("logout")).to_be_visible(timeout=LOGIN_SECONDS * 1000)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page: Page, name: str) -> None:
    """A screenshot for docs/screenshots (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the fonts settle
    page.screenshot(path=str(SCREENSHOTS / name))


def fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling of the page itself."""
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width}px wider than the window"


@pytest.fixture
def http(console: ApiServer) -> Iterator[httpx.Client]:
    """The module's API over HTTP: what a test sets up or reads back beside the page."""
    with console.client() as client:
        yield client


# --- the customer chat widget on another origin (tests/web/widget_support.py) ------------------
@pytest.fixture(scope="module")
def site(
    web_dist: str,
    app_settings: Settings,
    pg_service_db: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    port = free_port()
    allowed = f"http://127.0.0.1:{port}"
    prefix = f"sbtest-widget-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(
        update={"database_url": pg_service_db, "redis_key_prefix": prefix}
    )
    log = tmp_path_factory.mktemp("widget") / "api.log"
    with ExitStack() as stack:
        api = stack.enter_context(running_api(settings, log, WIDGET_EMBED_ORIGINS=f'["{allowed}"]'))
        first_answer(api)
        stack.enter_context(running_demo_host(api.url, port))
        foreign = stack.enter_context(running_demo_host(api.url))
        site = Site(api, allowed, foreign)
        stack.callback(site.http.close)
        yield site
    redis = Redis.from_url(settings.redis_url)
    keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
    if keys:
        redis.unlink(*keys)
    redis.close()


def first_answer(api: ApiServer) -> None:
    """The API's first customer turn, over HTTP, before any browser waits on one. Opening a chat
    starts the knowledge MCP server in the background (`LAZY_SERVERS`, `warm_lazy` in
    tools/mcp.py), but a test types at once, faster than any customer: its first answer would
    wait for the start (25 s at load average 10, the start alone 14 s), past the widget tests'
    20 s wait for an answer, while later answers take 1-2 s."""
    with api.client() as http:
        say(http, new_customer(http), "請問有哪些吃到飽優惠推薦？")


@pytest.fixture
def customer(browser: Browser, site: Site) -> Iterator[Customer]:
    customer = Customer(browser, site)
    yield customer
    customer.close()


@pytest.fixture
def agents_on_duty(site: Site) -> Iterator[None]:
    with on_duty(site.http, site.admin, site.api):
        yield
