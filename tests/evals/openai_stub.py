"""A local OpenAI-compatible chat endpoint backed by the offline model, for testing
`--model openai:<url>` end to end without the internet: ChatOpenAI, tool calls, streaming (SSE)
and the LLM judge all go over real HTTP. It is a stub, not a model: its answers are the offline
model's, and as a judge it only checks that the answer is not the "not recognised" help text.

    python -m tests.evals.openai_stub --port 8765   # then --model openai:http://127.0.0.1:8765/v1
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage
from langchain_openai.chat_models.base import _convert_dict_to_message

from tools.llm.offline import OfflineChatModel

NOT_RECOGNISED = ("沒有辨識", "didn't recognise")


def _judge(messages: list[dict[str, Any]]) -> str:
    answer = str(messages[-1].get("content", "")).split("<<<", 1)[-1]
    score = 2 if any(m in answer for m in NOT_RECOGNISED) else 4
    return json.dumps({"score": score, "reason": "stub judge: answered the question"})


def complete(body: dict[str, Any]) -> AIMessage:
    messages = body["messages"]
    if "You grade answers" in str(messages[0].get("content", "")):
        return AIMessage(_judge(messages))
    text, calls = OfflineChatModel().reply(
        [_convert_dict_to_message(m) for m in messages], tools=body.get("tools")
    )
    return AIMessage(content=text, tool_calls=calls)


def _tool_calls(message: AIMessage) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "id": c["id"],
            "type": "function",
            "function": {"name": c["name"], "arguments": json.dumps(c["args"], ensure_ascii=False)},
        }
        for i, c in enumerate(message.tool_calls)
    ]


def _usage(body: dict[str, Any], message: AIMessage) -> dict[str, int]:
    prompt = len(json.dumps(body["messages"], ensure_ascii=False)) // 4
    completion = max(1, len(str(message.content)) // 4)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        message = complete(body)
        finish = "tool_calls" if message.tool_calls else "stop"
        base = {"id": f"stub-{time.time_ns()}", "created": int(time.time()), "model": "stub"}
        if not body.get("stream"):
            reply = {"role": "assistant", "content": message.content or None}
            if message.tool_calls:
                reply["tool_calls"] = [
                    {k: v for k, v in c.items() if k != "index"} for c in _tool_calls(message)
                ]
            payload = {
                **base,
                "object": "chat.completion",
                "usage": _usage(body, message),
                "choices": [{"index": 0, "message": reply, "finish_reason": finish}],
            }
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunk = {**base, "object": "chat.completion.chunk"}
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        if message.tool_calls:
            deltas.append({"tool_calls": _tool_calls(message)})
        text = str(message.content)
        deltas += [{"content": text[i : i + 16]} for i in range(0, len(text), 16)]
        events = [
            {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
        ]
        events.append({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**chunk, "choices": [], "usage": _usage(body, message)})
        for event in events:
            self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@contextmanager
def serve(port: int = 0) -> Iterator[str]:
    """The stub on 127.0.0.1 in a thread; yields its base URL (`.../v1`)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    with serve(parser.parse_args().port) as url:
        print(f"OpenAI-compatible stub at {url} (Ctrl-C to stop)", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
