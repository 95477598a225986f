"""A local stand-in for the Azure AI Search REST API, enough for contract tests.

The real SDK talks plain HTTP to it (AzureKeyCredential works over http); every request is
recorded so tests can assert the wire format instead of patching our code. Documents are kept in
memory; `$filter` is evaluated (the subset our backend emits, `odata_eval.py`), so a test sees
which plans a filter really admits. Search results come back in stored order, which lets tests
check that the client keeps the service's ranking.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .odata_eval import compile_filter

API_KEY = "test-key"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeAzureSearch:
    requests: list[Recorded] = field(default_factory=list)
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)
    synonym_maps: dict[str, dict[str, Any]] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAzureSearch:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                parts = urlsplit(self.path)
                record = Recorded(
                    self.command,
                    unquote(parts.path),
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with lock:
                    fake.requests.append(record)
                    status, payload = fake.route(record)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; odata.metadata=minimal")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = _handle

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- routing ------------------------------------------------------------------------------

    def route(self, req: Recorded) -> tuple[int, Any]:
        if req.headers.get("api-key") != API_KEY:
            return 403, {"error": {"code": "Forbidden", "message": "bad api-key"}}
        if req.method == "PUT" and (m := re.fullmatch(r"/synonymmaps\('([^']+)'\)", req.path)):
            self.synonym_maps[m.group(1)] = req.body
            return 201, {**req.body, "@odata.etag": '"1"'}
        if req.method == "PUT" and (m := re.fullmatch(r"/indexes\('([^']+)'\)", req.path)):
            self.indexes[m.group(1)] = req.body
            return 201, {**req.body, "@odata.etag": '"1"'}
        if re.fullmatch(r"/indexes\('[^']+'\)/docs/search\.index", req.path):
            return 200, {"value": [self._apply(action) for action in req.body["value"]]}
        if re.fullmatch(r"/indexes\('[^']+'\)/docs/search\.post\.search", req.path):
            return 200, self._search(req.body)
        return 404, {"error": {"code": "NotFound", "message": req.path}}

    def _apply(self, action: dict[str, Any]) -> dict[str, Any]:
        kind = action["@search.action"]
        doc = {k: v for k, v in action.items() if k != "@search.action"}
        key = doc["plan_id"]
        if kind == "delete":
            self.docs.pop(key, None)
        else:
            self.docs[key] = {**self.docs.get(key, {}), **doc}
        return {"key": key, "status": True, "errorMessage": None, "statusCode": 200}

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        docs = list(self.docs.values())
        if body.get("filter"):
            admits = compile_filter(body["filter"])
            docs = [d for d in docs if admits(d)]
        top = body.get("top")
        selected = docs if top is None else docs[:top]
        fields = [f.strip() for f in (body.get("select") or "").split(",") if f.strip()]
        value = [
            {"@search.score": round(1.0 / (60 + rank), 6), **{f: d.get(f) for f in fields or d}}
            for rank, d in enumerate(selected, start=1)
        ]
        result: dict[str, Any] = {"value": value}
        if body.get("count"):
            result["@odata.count"] = len(docs)
        return result
