"""Supervision session state (seed 003 `SessionState`) and the vocabulary that drives it.

One LangGraph thread per `session_name`; the checkpoint *is* the session, so every field the seed
names lives here and survives restarts and other server instances. The API shows the last
`HISTORY_LIMIT` messages (`recent_history`); the state keeps all of them.

Resume vocabulary: while a session is `pending_manual` / `manual_live` the graph waits in one
interrupt, and every event is a resume value, validated by `parse_resume`:

    {"type": "takeover", "agent": {"id", "name"}}
    {"type": "user_message", "content": "..."}
    {"type": "agent_message", "agent": {"id", "name"}, "content": "..."}
    {"type": "transfer", "agent": {...from}, "to_agent": {"id", "name"}}
    {"type": "release", "agent": {...}}
    {"type": "cancel_escalation"}
    {"type": "close", "operator": "..."}

Agent Inbox answers (`{"type": "accept" | "response" | "ignore", "args": ...}`, alone or in a
one-item list) are mapped onto takeover / agent_message / cancel_escalation.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal, TypedDict

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from core.errors import InvalidInput
from graphs.supervision.language import Language, resolve_language

HISTORY_LIMIT: Final = 50
MAX_MESSAGE_CHARS: Final = 4000
Role = Literal["user", "assistant", "agent", "system"]


class HistoryItem(TypedDict, total=False):
    id: str
    role: Role
    content: str
    timestamp: int  # UTC seconds
    agent_id: str  # role == agent only
    agent_name: str
    auto_reply: str  # an auto-reply rule's type (welcome, keyword …) when a rule said it
    citations: list[dict[str, Any]]  # knowledge sources of an AI answer (knowledge.Citation)


class Escalation(TypedDict, total=False):
    reason: str
    details: str
    severity: str
    trigger_at: int
    summary: str  # the AI handoff summary (Agent Inbox `description`)


class AgentInfo(TypedDict):
    id: str
    name: str


class Mail(TypedDict, total=False):
    sent: bool
    email_to: list[str]
    mail_id: str
    sent_at: int
    code: str  # why nothing was sent (MAIL_NOT_CONFIGURED)
    checked_at: int


class SupervisionState(TypedDict, total=False):
    session_name: str
    # whose knowledge base answers (set server-side when the session starts, never from the
    # customer's message; sessions older than the field use KNOWLEDGE_TENANT)
    tenant_id: str
    conversation_id: str
    status: str  # SessionStatus value
    user_profile: dict[str, Any]
    history: Annotated[list[HistoryItem], operator.add]  # nodes return new items only
    escalation: Escalation | None
    escalation_epoch: int  # +1 per manual episode; claims are keyed by (session, epoch)
    assigned_agent: AgentInfo | None
    mail: Mail
    ai_fail_count: int
    last_manual_end_at: int | None
    tags: list[str]
    created_at: int
    updated_at: int
    incoming: dict[str, Any] | None  # the event that started this run (cleared by `receive`)


class UserProfile(BaseModel):
    """Seed 003 v2.5 `user_profile`; unknown keys are dropped, missing ones get defaults."""

    model_config = ConfigDict(extra="ignore")

    nickname: str = "訪客"
    vip: bool = False
    gdpr_consent: bool = False
    marketing_subscribed: bool = False
    country: str | None = None
    city: str | None = None
    language: str | None = None
    currency: str | None = None


def new_message(role: Role, content: str, at: int, agent: AgentInfo | None = None) -> HistoryItem:
    item: HistoryItem = {
        "id": f"msg_{uuid.uuid4().hex[:16]}",
        "role": role,
        "content": content,
        "timestamp": at,
    }
    if role == "agent" and agent is not None:
        item["agent_id"], item["agent_name"] = agent["id"], agent["name"]
    return item


def recent_history(state: Mapping[str, Any], limit: int = HISTORY_LIMIT) -> list[HistoryItem]:
    """The last `limit` messages, oldest first (what the API returns)."""
    history: list[HistoryItem] = list(state.get("history") or [])
    return history[-limit:] if limit > 0 else []


def user_texts(state: Mapping[str, Any]) -> list[str]:
    return [m["content"] for m in state.get("history") or [] if m.get("role") == "user"]


def customer_language(state: Mapping[str, Any]) -> Language:
    """Profile language if supported, else guessed from the customer's last message."""
    texts = user_texts(state)
    profile = state.get("user_profile") or {}
    return resolve_language(texts[-1] if texts else "", profile.get("language"))


def public_view(state: Mapping[str, Any], limit: int = HISTORY_LIMIT) -> dict[str, Any]:
    """The seed's `SessionState` as the API returns it (history capped, internals dropped)."""
    history = list(state.get("history") or [])
    return {
        "session_name": state.get("session_name"),
        "status": state.get("status"),
        "conversation_id": state.get("conversation_id"),
        "user_profile": state.get("user_profile") or {},
        "history": recent_history(state, limit),
        "history_total": len(history),
        "escalation": state.get("escalation"),
        "escalation_epoch": state.get("escalation_epoch", 0),
        "assigned_agent": state.get("assigned_agent"),
        "mail": state.get("mail") or {"sent": False, "email_to": []},
        "ai_fail_count": state.get("ai_fail_count", 0),
        "last_manual_end_at": state.get("last_manual_end_at"),
        "tags": list(state.get("tags") or []),
        "created_at": state.get("created_at"),
        "updated_at": state.get("updated_at"),
    }


INBOX_CONFIG: Final = {
    "allow_respond": True, "allow_accept": True, "allow_edit": False, "allow_ignore": True,
}  # fmt: skip
_SPEAKER: Final = {"user": "客戶", "assistant": "AI", "agent": "客服"}


def inbox_request(state: Mapping[str, Any]) -> dict[str, Any]:
    """Agent Inbox `HumanInterrupt` (langgraph.prebuilt.interrupt field names): action_request
    {action, args}, config {allow_*}, description = the AI handoff summary."""
    escalation = dict(state.get("escalation") or {})
    profile = state.get("user_profile") or {}
    pending = state.get("status") == "pending_manual"
    keys = ("reason", "details", "severity", "trigger_at")
    args = {
        "session_name": state.get("session_name"),
        "status": state.get("status"),
        "escalation_epoch": state.get("escalation_epoch", 0),
        "escalation": {k: escalation.get(k) for k in keys},
        "assigned_agent": state.get("assigned_agent"),
        "user_profile": {k: profile.get(k) for k in ("nickname", "vip", "language", "country")},
        "ai_fail_count": state.get("ai_fail_count", 0),
        "last_messages": recent_history(state, 5),
    }
    return {
        "action_request": {"action": "takeover" if pending else "manual_chat", "args": args},
        "config": dict(INBOX_CONFIG),
        "description": escalation.get("summary") or escalation.get("details") or "",
    }


def to_model_messages(history: Sequence[HistoryItem]) -> list[BaseMessage]:
    """History as chat messages: agents' words are context for the AI, notices are not."""
    out: list[BaseMessage] = []
    for item in history:
        if item["role"] == "user":
            out.append(HumanMessage(item["content"]))
        elif item["role"] == "assistant":
            out.append(AIMessage(item["content"]))
        elif item["role"] == "agent":
            out.append(AIMessage(f"（真人客服 {item.get('agent_name', '')}）{item['content']}"))
    return out


def transcript_lines(history: Sequence[HistoryItem]) -> list[str]:
    """`角色: 內容` lines for the escalation_summary prompt (notices left out)."""
    return [f"{_SPEAKER[m['role']]}: {m['content']}" for m in history if m["role"] in _SPEAKER]


# --- resume vocabulary -------------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Agent(_Event):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)

    def info(self) -> AgentInfo:
        return {"id": self.id, "name": self.name}


class Takeover(_Event):
    type: Literal["takeover"] = "takeover"
    agent: Agent


class UserMessage(_Event):
    type: Literal["user_message"] = "user_message"
    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class AgentMessage(_Event):
    type: Literal["agent_message"] = "agent_message"
    agent: Agent
    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class Transfer(_Event):
    type: Literal["transfer"] = "transfer"
    agent: Agent | None = None  # who hands over (defaults to the assigned agent)
    to_agent: Agent


class Release(_Event):
    type: Literal["release"] = "release"
    agent: Agent
    reason: str = "resolved"


class CancelEscalation(_Event):
    type: Literal["cancel_escalation"] = "cancel_escalation"
    operator: str = "user"


class Close(_Event):
    type: Literal["close"] = "close"
    operator: str = "system"


class AutoReplyDue(_Event):
    """A delayed auto-reply falling due (its text was filled when the rule fired)."""

    type: Literal["auto_reply"] = "auto_reply"
    rule_type: str = Field(min_length=1, max_length=16)
    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class TimeoutCheck(_Event):
    """Is the customer who wrote at `since` still waiting for an agent? (timeout rules)"""

    type: Literal["timeout_check"] = "timeout_check"
    since: int


class Escalate(_Event):
    type: Literal["escalate"] = "escalate"
    reason: str = "user_request"
    details: str | None = None


ResumeEvent = (
    Takeover | UserMessage | AgentMessage | Transfer | Release | CancelEscalation | Close
    | AutoReplyDue | TimeoutCheck
)  # fmt: skip
_RESUME: TypeAdapter[ResumeEvent] = TypeAdapter(Annotated[ResumeEvent, Field(discriminator="type")])
INBOX_AGENT: Final = Agent(id="agent_inbox", name="Agent Inbox")


def _from_agent_inbox(value: Mapping[str, Any]) -> dict[str, Any]:
    """Agent Inbox `HumanResponse` → our vocabulary (accept = take over, respond = say)."""
    args = value.get("args")
    agent = args.get("agent") if isinstance(args, Mapping) else None
    agent = agent or INBOX_AGENT.model_dump()
    if value["type"] == "accept":
        return {"type": "takeover", "agent": agent}
    if value["type"] == "response":
        return {"type": "agent_message", "agent": agent, "content": str(args or "")}
    return {"type": "cancel_escalation"}


def parse_resume(value: Any) -> ResumeEvent:
    """Validate a resume value; a bad one is `InvalidInput` (nothing changes)."""
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 1:
        value = value[0]
    if isinstance(value, Mapping) and value.get("type") in ("accept", "response", "ignore"):
        value = _from_agent_inbox(value)
    try:
        return _RESUME.validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(f"bad supervision event: {exc.errors()[0]['msg']}") from None


AgentLike = Agent | Mapping[str, Any]


def agent_ref(agent: AgentLike) -> Agent:
    """{"id", "name"} or the seed's {"agent_id", "agent_name"} → Agent."""
    if isinstance(agent, Agent):
        return agent
    agent_id = agent.get("id") or agent.get("agent_id")
    name = agent.get("name") or agent.get("agent_name") or agent_id
    try:
        return Agent.model_validate({"id": agent_id, "name": name})
    except ValidationError:
        raise InvalidInput("an agent needs an id and a name", field="agent") from None


def message_text(text: str) -> str:
    """A message as typed, trimmed; empty or over-long ones are refused."""
    text = text.strip()
    if not text or len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"a message needs 1 to {MAX_MESSAGE_CHARS} characters")
    return text
