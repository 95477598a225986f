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

from api.errors import on_http_error
from core.settings import ROOT

DIST = ROOT / "web" / "dist"
# Paths that belong to the server: an unknown one there is a 404 envelope, never the page.
SERVER_PREFIXES = ("/api/", "/schema", "/docs", "/health", "/ready", "/metrics")
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}


def _asset(dist: Path, path: str) -> Path | None:
    """The file under `dist` for a URL path, or None (no escaping the folder)."""
    candidate = (dist / path.lstrip("/")).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _file(request: Request[Any, Any, Any], path: Path, cache: str) -> File:
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    gz = path.with_name(path.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and gz.is_file():
        headers["Content-Encoding"] = "gzip"
        return File(gz, media_type=media_type, headers=headers, content_disposition_type="inline")
    return File(path, media_type=media_type, headers=headers, content_disposition_type="inline")


def _page(request: Request[Any, Any, Any], dist: Path) -> Response[Any]:
    index = dist / "index.html"
    if not index.is_file():
        raise NotFoundException(
            "the web console is not built: run `make run` (it builds web/ when it changed)"
        )
    return _file(request, index, "no-cache")


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
