"""A stand-in for the operator's website: a page on another origin with the one-line embed.

    .venv/bin/python -m api.web.demo_host --port 8090 --api http://127.0.0.1:8000

`/` is a product page with `<script src="<api>/embed.js" data-...>` in it (the widget opens in
an iframe from the API's origin); `/frame` frames `<api>/widget` directly, without embed.js
(the browser tests use it to show that an origin outside WIDGET_EMBED_ORIGINS is refused).
The API must list this page's origin (`http://127.0.0.1:<port>`) in WIDGET_EMBED_ORIGINS for
the widget to show here. Standard library only: it stands for any site, built with anything.
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

PAGE = """<!doctype html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Telecom</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0; color: #0f172a; background: #f8fafc; }}
  header {{ background: #0f172a; color: #fff; padding: 16px 24px; font-weight: 600; }}
  main {{ padding: 24px; max-width: 720px; }}
  .card {{ background: #fff; border-radius: 12px; padding: 16px; margin: 12px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.1); }}
</style>
</head>
<body>
<header>Demo Telecom</header>
<main>
  <h1>5G 吃到飽方案</h1>
  <div class="card">月租 NT$1,199，合約 30 個月，網路吃到飽。</div>
  <div class="card">有問題嗎？點右下角的按鈕和我們聊聊。</div>
  <p>Unread: <span id="unread">0</span></p>
</main>
{body}
</body>
</html>
"""

# the demo tenant `default`'s public site key (core/db/seed.py DEMO_SITE_KEYS; a test keeps the
# two in step: this module stays standard library only)
DEMO_SITE_KEY = "sk_demo_default_site_key"
EMBED = (
    '<script src="{api}/embed.js" data-site-key="{site_key}" data-position="{position}"'
    ' data-color="{color}" data-lang="{lang}" data-greeting="{greeting}"></script>\n'
    '<script src="/unread.js"></script>'
)
# an external file, not inline: the demo shows the host page's side of the API under a strict CSP
UNREAD_JS = (
    "window.addEventListener('switchboard:unread', function (e) {\n"
    "  document.getElementById('unread').textContent = String(e.detail.count)\n"
    "})\n"
)
FRAME = (
    '<iframe id="direct" src="{api}/widget?site_key={site_key}" title="chat" width="390"'
    ' height="600"></iframe>'
)


class DemoHandler(BaseHTTPRequestHandler):
    def __init__(self, options: dict[str, str], *args: Any, **kwargs: Any) -> None:
        self.options = options
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        attrs = {k: html.escape(v, quote=True) for k, v in self.options.items()}
        if path == "/":
            self._send(PAGE.format(body=EMBED.format(**attrs)), "text/html; charset=utf-8")
        elif path == "/frame":
            self._send(PAGE.format(body=FRAME.format(**attrs)), "text/html; charset=utf-8")
        elif path == "/unread.js":
            self._send(UNREAD_JS, "text/javascript; charset=utf-8")
        elif path == "/favicon.ico":  # no icon, and no 404 in the browser's console
            self.send_response(204)
            self.end_headers()
        else:
            self.send_error(404)

    def _send(self, text: str, media_type: str) -> None:
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_server(host: str, port: int, **options: str) -> ThreadingHTTPServer:
    """The demo site (port 0: a free one); `options`: api, site_key, position, color, lang,
    greeting."""
    values = {"position": "right", "color": "#0284c7", "lang": "", "greeting": "",
              "site_key": DEMO_SITE_KEY, **options}  # fmt: skip
    values["api"] = values["api"].rstrip("/")
    return ThreadingHTTPServer((host, port), partial(DemoHandler, values))


@contextmanager
def running_demo_host(api: str, port: int = 0, **options: str) -> Iterator[str]:
    """The demo site in a thread; yields its origin (`http://127.0.0.1:<port>`)."""
    server = make_server("127.0.0.1", port, api=api, **options)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the Switchboard API")
    parser.add_argument("--position", default="right", choices=["left", "right"])
    parser.add_argument("--color", default="#0284c7")
    parser.add_argument("--lang", default="", help="zh-TW, zh-CN or en (default: the browser's)")
    parser.add_argument("--greeting", default="")
    parser.add_argument("--site-key", default=DEMO_SITE_KEY, help="the tenant's widget site key")
    args = parser.parse_args()
    server = make_server(
        args.host, args.port, api=args.api, position=args.position, color=args.color,
        lang=args.lang, greeting=args.greeting, site_key=args.site_key,
    )  # fmt: skip
    print(f"demo host on http://{args.host}:{args.port} (embedding {args.api}); Ctrl-C stops it")
    print(f"the API needs WIDGET_EMBED_ORIGINS='[\"http://{args.host}:{args.port}\"]'")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
