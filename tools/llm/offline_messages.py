"""Reading a conversation for the offline model: the question, pending tool results, tagged
blocks, a transcript, reproducible call ids, a token count. Pure functions of the messages, so
the model's replies are deterministic."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from tools.llm.context import message_text, strip_blocks, tagged_blocks

_ROLE_LINE = re.compile(r"^\s*([^:：\n]{1,20})[:：]\s*(.+)$", re.M)
_ROLES = {"客戶": "customer", "customer": "customer", "user": "customer", "human": "customer",
          "ai": "ai", "assistant": "ai", "助理": "ai", "bot": "ai", "客服": "agent",
          "agent": "agent"}  # fmt: skip


def count_tokens(text: str) -> int:
    """Deterministic stand-in for a tokenizer: one token per four characters."""
    return math.ceil(len(text) / 4) if text else 0


def parse_json(text: str) -> Any:
    """JSON, or None for anything else (a block may hold plain text)."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None


def tool_result(message: ToolMessage) -> Any:
    """A ToolMessage's payload: MCP structured content, else JSON text, else the text."""
    artifact = message.artifact
    if isinstance(artifact, dict) and artifact.get("structured_content") is not None:
        return artifact["structured_content"]
    text = message_text(message)
    parsed = parse_json(text)
    return text if parsed is None else parsed


def tool_names(tools: Sequence[dict[str, Any]] | None) -> set[str]:
    names = set()
    for tool in tools or []:
        name = (tool.get("function") or {}).get("name") or tool.get("name")
        if name:
            names.add(str(name))
    return names


def pending_tool_messages(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    """ToolMessages at the end of the conversation: results the model has not answered yet."""
    pending: list[ToolMessage] = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        pending.append(message)
    return list(reversed(pending))


def call_names(messages: Sequence[BaseMessage]) -> dict[str, str]:
    names: dict[str, str] = {}
    for message in messages:
        if isinstance(message, AIMessage):
            names.update({str(c["id"]): c["name"] for c in message.tool_calls if c.get("id")})
    return names


def latest_question(messages: Sequence[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return strip_blocks(message_text(message))
    return ""


def message_blocks(messages: Sequence[BaseMessage]) -> dict[str, str]:
    found: dict[str, str] = {}
    for message in messages:
        if isinstance(message, SystemMessage | HumanMessage):
            found.update(tagged_blocks(message_text(message)))
    return found


def call_id(position: int, name: str, args: dict[str, Any]) -> str:
    """Same conversation, same call → same id (reproducible transcripts and tests)."""
    digest = hashlib.sha1(
        f"{position}|{name}|{json.dumps(args, sort_keys=True, ensure_ascii=False)}".encode(),
        usedforsecurity=False,
    )
    return f"call_{digest.hexdigest()[:16]}"


def transcript(messages: Sequence[BaseMessage], blocks: dict[str, str]) -> list[tuple[str, str]]:
    """(role, text) lines from a `<transcript>` block, else from the conversation itself."""
    if body := blocks.get("transcript"):
        lines = []
        for m in _ROLE_LINE.finditer(body):
            role = _ROLES.get(m.group(1).strip().lower(), m.group(1).strip().lower())
            lines.append((role, m.group(2).strip()))
        return lines
    roles = {HumanMessage: "customer", AIMessage: "ai"}
    return [
        (roles[type(m)], strip_blocks(message_text(m)))
        for m in messages
        if type(m) in roles and message_text(m)
    ]
