"""SSE events of seed 003, built in one place and emitted from the graph's custom stream.

Binding formats (old clients only know the first two; they must never change):

    {"type": "message", "content": "<AI text or token>"}
    {"type": "done", "content": ""}

Additions (v2.4; clients that do not know them ignore them):

    {"type": "manual_message", "role": "agent" | "system" | "user", "content", "timestamp",
     "agent_id", "agent_name", "agent_info": {"agent_id", "agent_name"}}   # agent fields: agent
    {"type": "status_change", "status", "reason", "timestamp",
     "agent_info": {"agent_id", "agent_name"}}                             # agent_info: live only
    {"type": "error", "content": "<description>", "code": "<ERROR_CODE>"}
    {"type": "citations", "message_id", "citations": [{"n", "source", "faq_id" | "document_id",
     "version", "chunk", "title", "citation"}]}     # after an answer from the knowledge base

`manual_message` carries both the flat `agent_id`/`agent_name` of v2.4 and the `agent_info` object
of the MVP section, so either parser finds them. Customer messages typed while a human is
involved are `manual_message` with role `user` (seed: `POST /api/manual/messages` role=user
"writes history and pushes manual_message"). Timestamps are UTC seconds (int).

Nodes call `emit(event)`: it goes to LangGraph's custom stream (`stream_mode="custom"`), which the
service forwards as the run happens and hands to its `Publisher` (the API's event hub: Redis
Streams + pub/sub), so the agent workbench, other instances and a customer's second tab see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol

from langgraph.config import get_stream_writer

from core.errors import InvalidInput, ManualInProgress, SwitchboardError, error_from_code
from graphs.supervision.state import AgentInfo
from graphs.supervision.takeover import AgentAtCapacity, NotAssignedAgent
from graphs.supervision.transitions import InvalidTransition, SessionClosed

Event = dict[str, Any]
EVENT_TYPES: Final = ("message", "done", "manual_message", "status_change", "error", "citations")


def message(content: str) -> Event:
    return {"type": "message", "content": content}


def done() -> Event:
    return {"type": "done", "content": ""}


def citations(message_id: str, cited: list[Any]) -> Event:
    """The sources of the answer just streamed (its text already ends with them, rendered)."""
    return {"type": "citations", "message_id": message_id, "citations": list(cited)}


def _agent_info(agent: AgentInfo) -> dict[str, str]:
    return {"agent_id": agent["id"], "agent_name": agent["name"]}


def manual_message(
    role: Literal["agent", "system", "user"],
    content: str,
    timestamp: int,
    agent: AgentInfo | None = None,
) -> Event:
    event: Event = {
        "type": "manual_message",
        "role": role,
        "content": content,
        "timestamp": int(timestamp),
    }
    if role == "agent" and agent is not None:
        event.update(_agent_info(agent))
        event["agent_info"] = _agent_info(agent)
    return event


def status_change(
    status: str, reason: str, timestamp: int, agent: AgentInfo | None = None
) -> Event:
    event: Event = {"type": "status_change", "status": status, "reason": reason,
                    "timestamp": int(timestamp)}  # fmt: skip
    if status == "manual_live" and agent is not None:
        event["agent_info"] = _agent_info(agent)
    return event


def error(content: str, code: str = "INTERNAL_ERROR") -> Event:
    return {"type": "error", "content": content, "code": code}


_REFUSALS: tuple[type[SwitchboardError], ...] = (
    InvalidTransition, SessionClosed, ManualInProgress, NotAssignedAgent, AgentAtCapacity,
    InvalidInput,
)  # fmt: skip
_ERRORS = {cls.code: cls for cls in _REFUSALS}


def as_error(event: Mapping[str, Any]) -> SwitchboardError:
    """An `error` event back into its typed error (HTTP status included)."""
    code, message = str(event.get("code")), str(event.get("content"))
    cls = _ERRORS.get(code)
    return cls(message) if cls is not None else error_from_code(code, message)


def emit(event: Event) -> None:
    """Send `event` to whoever streams this run (no-op outside a streaming run)."""
    get_stream_writer()(event)


class Publisher(Protocol):
    """Where a session's events go beyond the caller's own stream (other API instances, the
    agents' workbench): `api.realtime.hub.SessionEvents` on Redis in the service."""

    async def publish(self, session_name: str, event: Mapping[str, Any]) -> None: ...
