"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat.completions wire format.

Contract tests point the real `ChatOpenAI` / `AzureChatOpenAI` clients at it (no patched SDK):
`POST /v1/chat/completions` and `POST /openai/deployments/{d}/chat/completions?api-version=`
answer JSON, or SSE chunks `data: {...}\\n\\n` ... `data: [DONE]` when `stream` is true. Each
request is recorded; each answer follows the next scripted `Reply` (or the default one).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {id, name, arguments}
    status: int = 200
    delay: float = 0.0  # seconds before the response starts
    usage: tuple[int, int] | None = (12, 5)
    piece: int = 4  # characters per streamed content chunk
    error_after: int | None = None  # stream: send an SSE error event after this many chunks
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAI:
    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply(text="hello")
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def api_env(self, model: str = "gpt-4o-mini") -> dict[str, str]:
        """The settings that point an API process at this endpoint as its real model."""
        return {
            "LLM_PROVIDER": "openai",
            "OPENAI_BASE_URL": self.base_url,
            "OPENAI_API_KEY": "test",
            "LLM_MODEL": model,
        }

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes handlers sleeping through a `delay`
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply:
        return self.replies.popleft() if self.replies else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                size = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Recorded(parts.path, parse_qs(parts.query), headers, body))
                reply = fake._next()
                if reply.delay and fake._stop.wait(reply.delay):
                    return
                try:
                    if not parts.path.endswith("/chat/completions"):
                        self._json(404, {"error": {"message": "no such route"}}, {})
                    elif reply.status != 200:
                        error = {"error": {"message": f"fake {reply.status}", "type": "server"}}
                        self._json(reply.status, error, reply.headers)
                    elif body.get("stream"):
                        self._stream(reply, body)
                    else:
                        self._json(200, _completion(reply, body), reply.headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def _json(self, status: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                for index, event in enumerate(_events(reply, body, include_usage)):
                    if reply.error_after is not None and index == reply.error_after:
                        event = {"error": {"message": "stream broke", "type": "server_error"}}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    if reply.error_after is not None and index == reply.error_after:
                        return
                    time.sleep(0.005)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _base(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": kind,
        "created": 1_700_000_000,
        "model": body.get("model") or "gpt-4o-2024-08-06",
    }


def _usage(reply: Reply) -> dict[str, int] | None:
    if reply.usage is None:
        return None
    prompt, completion = reply.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for c in reply.tool_calls
        ]
    finish = "tool_calls" if reply.tool_calls else "stop"
    result = {
        **_base(body, "chat.completion"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if usage := _usage(reply):
        result["usage"] = usage
    return result


def _events(reply: Reply, body: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            **_base(body, "chat.completion.chunk"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    events = [chunk({"role": "assistant", "content": ""})]
    text = reply.text
    events += [
        chunk({"content": text[i : i + reply.piece]}) for i in range(0, len(text), reply.piece)
    ]
    for index, call in enumerate(reply.tool_calls):
        arguments = json.dumps(call["arguments"])
        events.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        half = len(arguments) // 2
        for part in (arguments[:half], arguments[half:]):
            events.append(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
            )
    events.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
    if include_usage and (usage := _usage(reply)):
        events.append({**_base(body, "chat.completion.chunk"), "choices": [], "usage": usage})
    return events
