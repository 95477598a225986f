"""The OpenAPI docs page, rendered with Swagger UI from `swagger-ui-bundle-v2`'s files.

Litestar's render plugins load their JavaScript from CDNs, which leaves a blank page offline.
This page references only `/schema/assets/*`, served from the installed package (Swagger UI 5,
which reads OpenAPI 3.1) and from `static/` here (the initializer, a file rather than an inline
script so the CSP can forbid inline scripts).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.response import File
from swagger_ui_bundle import swagger_ui_path

ASSETS_PATH = "/schema/assets"
_STATIC = Path(__file__).parent / "static"
_VENDOR = Path(str(swagger_ui_path))
ASSETS: dict[str, Path] = {
    "swagger-ui.css": _VENDOR / "swagger-ui.css",
    "swagger-ui-bundle.js": _VENDOR / "swagger-ui-bundle.js",
    "favicon-32x32.png": _VENDOR / "favicon-32x32.png",
    "init.js": _STATIC / "init.js",
}

# The docs page needs inline styles (Swagger UI sets style attributes) and data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class OfflineSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI with every asset on this server."""

    def __init__(self, path: str = "/") -> None:
        favicon = f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>"
        super().__init__(path=path, favicon=favicon)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    {self.favicon}
    <link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui" data-spec-url="{spec_url}"></div>
    <script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="{ASSETS_PATH}/init.js"></script>
  </body>
</html>
""".encode()


@get("/{name:str}", include_in_schema=False, exclude_from_auth=True, cache=False)
async def docs_asset(name: str) -> File:
    """Only the listed files; nothing else from the package directory is reachable."""
    path = ASSETS.get(name)
    if path is None:
        raise NotFoundException()
    return File(
        path,
        filename=name,
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )


docs_assets_router = Router(path=ASSETS_PATH, route_handlers=[docs_asset])
