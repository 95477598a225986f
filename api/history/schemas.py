"""Wire shapes of `/api/history/*` and `/api/reports/*` (times: UTC seconds, as seed 003)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

SESSION_EXAMPLE = "session_9b1d2e3f4a5b6c7d"


class AgentRef(BaseModel):
    id: str = Field(examples=["agent001"])
    name: str | None = Field(examples=["客服小美"])


class EscalationSummary(BaseModel):
    reason: str | None = Field(examples=["keyword"], description="the latest escalation's")
    count: int = Field(examples=[1], description="escalations in the conversation")
    trigger_at: int | None = Field(examples=[1764126450])


class ConversationSummary(BaseModel):
    session_name: str = Field(examples=[SESSION_EXAMPLE])
    conversation_id: str | None
    customer: str | None = Field(examples=["訪客A"], description="the profile's nickname")
    vip: bool
    status: str = Field(examples=["closed"])
    assigned_agent: AgentRef | None = Field(description="the last agent who held the chat")
    escalation: EscalationSummary | None
    message_count: int
    last_message_preview: str | None
    started_at: int | None
    last_activity_at: int | None
    taken_over_at: int | None = Field(description="the latest episode's takeover")
    released_at: int | None
    closed_at: int | None
    match: str | None = Field(
        None, description="with `q`: the first message containing its first word"
    )


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    total: int
    page: int
    page_size: int
    total_pages: int


class ConversationPageResponse(BaseModel):
    success: bool = True
    data: ConversationPage


class ArchivedMessage(BaseModel):
    id: str = Field(examples=["msg_3f2a9c1d0b8e7f6a"])
    role: str = Field(examples=["agent"], description="user, assistant, agent or system")
    content: str
    timestamp: int
    agent_id: str | None = None
    agent_name: str | None = None
    response_ms: int | None = Field(None, description="AI answers: message → last token")


class ConversationDetail(BaseModel):
    conversation: ConversationSummary
    messages: list[ArchivedMessage]
    page: int
    page_size: int
    total: int
    total_pages: int


class ConversationDetailResponse(BaseModel):
    success: bool = True
    data: ConversationDetail


class ReportResponse(BaseModel):
    success: bool = True
    data: dict[str, Any] = Field(
        description="period, date, from, to, timezone, generated_at, conversations, "
        "escalations, takeover_wait_seconds, service_time_seconds, resolution_time_seconds, "
        "sla, ai_quality, agents (see docs/history.md)"
    )
