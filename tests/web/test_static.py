"""How the API serves the built console: same origin, cache headers, gzip, the page's paths.

Plain HTTP against the real server (no browser): what a browser, a proxy cache or a mistyped
API path gets.
"""

from __future__ import annotations

import gzip
import re

import httpx
import pytest

from tests.api_http import ApiServer

pytestmark = pytest.mark.usefixtures("web_dist")


@pytest.fixture(scope="module")
def http(console: ApiServer) -> httpx.Client:
    return console.client()


def test_the_page_is_served_at_root_and_at_every_page_path_uncached(http: httpx.Client) -> None:
    root = http.get("/")
    assert root.status_code == 200
    assert root.headers["content-type"].startswith("text/html")
    assert root.headers["cache-control"] == "no-cache"
    assert '<meta charset="utf-8"' in root.text and 'id="app"' in root.text
    for path in ("/login", "/renewal/renewal_2_0123456789ab", "/dashboard?period=week"):
        page = http.get(path)
        assert page.status_code == 200, path
        assert page.text == root.text, path
    # the security headers of every answer: the page works under them (tests/web/test_login.py)
    assert "script-src 'self'" in root.headers["content-security-policy"]
    assert root.headers["x-frame-options"] == "DENY"


def test_hashed_assets_are_immutable_and_gzipped_on_request(http: httpx.Client) -> None:
    scripts = re.findall(r'src="(/assets/[^"]+\.js)"', http.get("/").text)
    assert scripts, "index.html names its entry script"
    plain = http.get(scripts[0], headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain.headers
    with httpx.Client(base_url=str(http.base_url)) as raw:
        request = raw.build_request("GET", scripts[0], headers={"Accept-Encoding": "gzip"})
        zipped = raw.send(request, stream=True)
        body = zipped.read()  # httpx decodes; the wire size is the header's
        assert zipped.headers["content-encoding"] == "gzip"
        assert int(zipped.headers["content-length"]) < len(plain.content) / 2
        assert body == plain.content
        zipped.close()
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_server_paths_keep_their_404_envelope(http: httpx.Client) -> None:
    for method, path in (("GET", "/api/no-such-route"), ("POST", "/api/no-such-route"),
                         ("GET", "/assets/missing-0000.js"), ("POST", "/renewal"),
                         ("GET", "/favicon.ico"), ("GET", "/health/x")):  # fmt: skip
        answer = http.request(method, path)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert answer.json()["success"] is False and answer.json()["code"] == "NOT_FOUND"


def test_no_path_escapes_the_build_folder(http: httpx.Client) -> None:
    for path in ("/assets/../../pyproject.toml", "/assets/%2e%2e/%2e%2e/pyproject.toml",
                 "/..%2f..%2fpyproject.toml"):  # fmt: skip
        answer = http.get(path)
        assert "[project]" not in answer.text, path
