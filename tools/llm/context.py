"""The workflow context a chat model sees: one JSON block inside the system prompt.

Why a tagged block in the prompt rather than a model kwarg: the real model needs the same facts
(selected line, plans on screen, usage) to answer, and a kwarg would be sent to the OpenAI API as
an unknown parameter. The prompts render `<workflow_context>{context_json}</workflow_context>`;
the offline model reads the block back with `read_context()`. Never put a national ID in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

CONTEXT_TAG = "workflow_context"
_BLOCK = re.compile(r"<(?P<tag>[a-z_]+)>\s*(?P<body>.*?)\s*</(?P=tag)>", re.S)


class PlanRef(TypedDict, total=False):
    plan_id: str
    name: str
    monthly_fee: int


class CustomerUsage(TypedDict, total=False):
    data_gb_per_month: float
    voice_minutes_per_month: int


class WorkflowContext(TypedDict, total=False):
    """What the renewal graph knows at the current step; every key is optional."""

    step: str  # e.g. "select_plan"
    store_id: str  # "S001"
    staff_name: str
    customer_id: str  # CRM id "C000001", never the national ID
    phone_number: str  # "0912345678"
    renewal_type: str  # "with_device" | "plain"
    current_plan_id: str
    current_plan_name: str
    remaining_contract_months: int
    candidate_plans: list[PlanRef]  # in display order: 方案 A, B, C...
    selected_plan_id: str
    selected_device_id: str
    selected_device_model: str  # "iPhone 16 Pro"
    customer_usage: CustomerUsage


def dump_context(context: Mapping[str, Any] | None) -> str:
    """The JSON a prompt puts between the context tags (stable key order, CJK kept readable)."""
    clean = {k: v for k, v in (context or {}).items() if v is not None}
    return json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str)


def context_block(context: Mapping[str, Any] | None) -> str:
    """`<workflow_context>…</workflow_context>` for callers that build messages by hand."""
    return f"<{CONTEXT_TAG}>\n{dump_context(context)}\n</{CONTEXT_TAG}>"


def tagged_blocks(text: str) -> dict[str, str]:
    """Every `<tag>body</tag>` in `text` (last one wins per tag)."""
    return {m.group("tag"): m.group("body") for m in _BLOCK.finditer(text)}


def strip_blocks(text: str) -> str:
    """`text` without its tagged blocks: the question a human typed, not the data around it."""
    return _BLOCK.sub("", text).strip()


def message_text(message: BaseMessage) -> str:
    """Plain text of a message whose content may be a string or a list of blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def read_context(messages: Iterable[BaseMessage]) -> dict[str, Any]:
    """Merge the JSON of every context block in system and human messages (later wins)."""
    merged: dict[str, Any] = {}
    for message in messages:
        if not isinstance(message, SystemMessage | HumanMessage):
            continue
        body = tagged_blocks(message_text(message)).get(CONTEXT_TAG)
        if not body:
            continue
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            merged.update(data)
    return merged
