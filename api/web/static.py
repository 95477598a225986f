"""Serve the built front end (`web/dist`) from the API's own origin.

Same origin as the API, so the pages need no CORS and the CSP can stay `'self'`. Vite names
every asset after its content hash, so `/assets/*` is cached for a year (`immutable`); the
page itself (`index.html`) is `no-cache`, so a new build is picked up on the next load. Any
other GET that is not an API, docs or health path answers `index.html`: the router in the
browser owns those paths (`/renewal/…`, `/dashboard`), and a reload must land on the same page.
The build writes a `.gz` beside each asset (`api/web/build.py`); a client that accepts gzip
gets it as is, so nothing is compressed per request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import File

from api.docs.plugin import CONTENT_SECURITY_POLICY
from api.errors import on_http_error
from core.settings import ROOT

DIST = ROOT / "web" / "dist"
# Paths that belong to the server: an unknown one there is a 404 envelope, never the page.
SERVER_PREFIXES = ("/api/", "/schema", "/docs", "/health", "/ready", "/metrics")
IMMUTABLE = "public, max-age=31536000, immutable"
# embed.js keeps its name across releases (it is pasted into other sites): cached briefly
EMBED_CACHE = "public, max-age=300"
MEDIA_TYPES = {
    ".js": "text/javascript",  # Litestar adds "; charset=utf-8" to text/* itself
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".html": "text/html",
}


def _asset(dist: Path, path: str) -> Path | None:
    """The file under `dist` for a URL path, or None (no escaping the folder)."""
    candidate = (dist / path.lstrip("/")).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _file(
    request: Request[Any, Any, Any], path: Path, cache: str, extra: dict[str, str] | None = None
) -> File:
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding", **(extra or {})}
    media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    gz = path.with_name(path.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and gz.is_file():
        headers["Content-Encoding"] = "gzip"
        return File(gz, media_type=media_type, headers=headers, content_disposition_type="inline")
    return File(path, media_type=media_type, headers=headers, content_disposition_type="inline")


def _page(
    request: Request[Any, Any, Any],
    dist: Path,
    name: str = "index.html",
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """A built page (the console's, or the widget's), never cached: a new build shows at once."""
    page = dist / name
    if not page.is_file():
        raise NotFoundException(f"{name} is not built: run `make run` (it builds web/ if changed)")
    return _file(request, page, "no-cache", headers)


def _dist(request: Request[Any, Any, Any]) -> Path:
    dist: Path = request.app.state.get("web_dist", DIST)
    return dist


@get("/", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def web_index(request: Request[Any, Any, Any]) -> Response[Any]:
    """The single page."""
    return _page(request, _dist(request))


@get("/assets/{name:path}", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def web_asset(request: Request[Any, Any, Any], name: str) -> Response[Any]:
    """A built script, style sheet or image (content-hashed name: cached for a year)."""
    asset = _asset(_dist(request), request.url.path)
    if asset is None:
        raise NotFoundException(f"no asset {request.url.path}")
    return _file(request, asset, IMMUTABLE)


def web_or_not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    """Routing found nothing: a page path of the browser's router gets the page (a reload on
    `/renewal/...` must land there), a top-level built file (favicon) itself; server paths
    and anything but GET/HEAD keep the 404 envelope."""
    path = request.url.path
    if request.method in {"GET", "HEAD"} and not path.startswith(SERVER_PREFIXES):
        dist = _dist(request)
        asset = _asset(dist, path)
        if asset is not None and asset.parent == dist.resolve():
            return _file(request, asset, "no-cache")
        if "." not in path.rsplit("/", 1)[-1] and (dist / "index.html").is_file():
            return _page(request, dist)
    return on_http_error(request, exc)


def widget_policy(embed_origins: list[str]) -> str:
    """The API's CSP with `frame-ancestors` opened to this origin and the allowed embedders.

    Only the widget page gets it; everything else keeps `frame-ancestors 'none'` and
    `X-Frame-Options: DENY` (`_stamp_headers` adds no X-Frame-Options to a response whose own
    CSP allows framing: a browser honouring X-Frame-Options would refuse the frame otherwise)."""
    ancestors = " ".join(["'self'", *embed_origins])
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def _widget_page(request: Request[Any, Any, Any]) -> Response[Any]:
    origins: list[str] = request.app.state.get("widget_embed_origins", [])
    policy = {"Content-Security-Policy": widget_policy(origins)}
    return _page(request, _dist(request), "widget.html", policy)


@get("/widget", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def web_widget(request: Request[Any, Any, Any]) -> Response[Any]:
    """The customer chat widget, framed by embed.js on the allowed origins (docs/widget.md)."""
    return _widget_page(request)


@get("/widget/{rest:path}", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def web_widget_path(request: Request[Any, Any, Any], rest: str) -> Response[Any]:
    """Any path under /widget: the same page (a reload inside the frame lands on it)."""
    return _widget_page(request)


@get("/embed.js", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def web_embed_script(request: Request[Any, Any, Any]) -> Response[Any]:
    """The one-line embed (web/public/embed.js), loaded by other sites' pages."""
    script = _asset(_dist(request), "/embed.js")
    if script is None:
        raise NotFoundException("embed.js is not built: run `make web`")
    return _file(request, script, EMBED_CACHE)
