"""Drive a renewal from the shell through the running API (`make run`), one step per command:

    R=".venv/bin/python -m graphs.renewal"
    S=$($R start | jq -r .session_id)
    $R answer $S query_customer '{"id_number": "A123456789"}'
    $R show $S

Each command logs in as a demo sales staff member (`--user`, password `DEMO_PASSWORD`), calls one
`/api/renewal-workflow/*` route and prints one JSON document on stdout: the session view (the
waiting step, what it shows, or the outcome), or the error envelope with exit status 1. Logs go to
stderr. The graph runs in the API, its state in Redis: a command only imports the standard library
and our settings, so it answers in well under a second instead of importing LangGraph and starting
three MCP servers per command (14-36 s).
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
from typing import Any

from core.logging import configure_logging, get_logger
from core.settings import Settings, load_settings

log = get_logger("graphs.renewal.cli")

STEPS = ("query_customer", "select_phone", "select_device_type", "select_device_os",
         "select_device", "list_plans", "select_plan", "confirm", "submit")  # fmt: skip
API = "/api/renewal-workflow"


class ApiError(Exception):
    """The API's error envelope (or one of ours when it cannot be reached)."""

    def __init__(self, envelope: dict[str, Any]) -> None:
        super().__init__(envelope.get("error"))
        self.envelope = envelope


def api_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.app_host in ("0.0.0.0", "::", "") else settings.app_host
    return f"http://{host}:{settings.app_port}"


def route_of(step: str, value: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The route and body for an answer: a step's input, `{"action": "back", "to": ...}` or
    `{"action": "abandon"}` (the same resume values the graph takes)."""
    action = value.get("action")
    if action == "back":
        return "/step/back", {"to": value.get("to")}
    if action == "abandon":
        return "/abandon", {k: v for k, v in value.items() if k == "reason"}
    return ("/submit" if step == "submit" else "/step/" + step.replace("_", "-")), value


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Accept": "application/json, text/event-stream"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, kind = response.status, response.headers.get_content_type()
                payload = _events(response) if kind == "text/event-stream" else json.load(response)
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, _envelope_of(exc)
        except OSError as exc:
            hint = f"no API at {self.base} ({exc}); start it with `make run`"
            raise ApiError({"success": False, "code": "API_UNREACHABLE", "error": hint}) from exc
        ms = round((time.perf_counter() - started) * 1000)
        log.info("renewal_cli_call", method=method, path=path, status=status, ms=ms)
        if not payload.get("success", False):
            raise ApiError(payload)
        return payload.get("data")

    def login(self, user: str, password: str) -> None:
        tokens = self.call("POST", "/api/auth/login", {"employee_code": user, "password": password})
        self.token = tokens["access_token"]


def _envelope_of(exc: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        body = json.load(exc)
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        return body
    return {"success": False, "code": f"HTTP_{exc.code}", "error": str(exc.reason)}


def _events(response: Any) -> dict[str, Any]:
    """An SSE step (list_plans, compare): the `complete` event's data, or the `error` event."""
    for raw in response:
        line = raw.decode().rstrip("\r\n")
        if line.startswith("data:"):
            event = json.loads(line[5:])
            if event.get("type") in ("complete", "error"):
                return dict(event)
    return {"success": False, "code": "STREAM_ENDED", "error": "the stream ended without a view"}


def run(args: argparse.Namespace, settings: Settings) -> Any:
    client = Client(args.url or api_url(settings))
    client.login(args.user, settings.demo_password)
    if args.command == "start":
        return client.call("POST", f"{API}/start", {"store_id": args.store} if args.store else {})
    if args.command == "show":
        return client.call("GET", f"{API}/session/{args.session_id}")
    value = json.loads(args.value)
    if not isinstance(value, dict):
        raise ApiError({"success": False, "code": "INVALID_INPUT", "error": "VALUE: a JSON object"})
    path, body = route_of(args.step, value)
    return client.call("POST", API + path, {"session_id": args.session_id, **body})


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m graphs.renewal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--url", help="the API (default http://APP_HOST:APP_PORT)")
    main.add_argument("--user", default="E1001", help="demo staff code (default E1001, S001)")
    sub = main.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start")
    start.add_argument("--store", help="store id (default the staff member's store)")
    answer = sub.add_parser("answer")
    answer.add_argument("session_id")
    answer.add_argument("step", choices=STEPS)
    answer.add_argument("value", nargs="?", default="{}")
    sub.add_parser("show").add_argument("session_id")
    return main


def main() -> None:
    args = parser().parse_args()
    settings = load_settings()
    configure_logging(settings)  # stderr, national IDs masked
    try:
        view = run(args, settings)
    except (ApiError, ValueError) as exc:
        envelope = exc.envelope if isinstance(exc, ApiError) else {
            "success": False, "code": "INVALID_INPUT", "error": f"VALUE: {exc}"}  # fmt: skip
        print(json.dumps(envelope, ensure_ascii=False))
        raise SystemExit(1) from None
    print(json.dumps(view, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
