"""Bodies of the agent-side routes (seed 003 P0/P1 shapes) and of the shift configuration."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from api.chat.schemas import SESSION_EXAMPLE, SessionName
from core.errors import InvalidInput
from graphs.supervision.language import Language
from graphs.supervision.shift import WEEKDAYS, ShiftConfig, Weekday

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
AgentId = Annotated[
    Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | Username,
    Field(
        description="an agent: the login's `agent.id` (a number, seed 003) or the username",
        examples=[2, "agent001"],
    ),
]
ReasonCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
WEEKEND: tuple[Weekday, ...] = ("sat", "sun")
Status = Literal["bot_active", "pending_manual", "manual_live", "closed"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EscalateRequest(_Body):
    session_name: SessionName
    reason: ReasonCode = Field("user_request", examples=["user_request"])
    details: str | None = Field(None, max_length=500)


class ManualMessageRequest(_Body):
    session_name: SessionName
    role: Literal["agent", "user"] = Field(examples=["agent"])
    content: str = Field(min_length=1, max_length=4000, examples=["您好，我是客服小狐"])
    agent_id: AgentId | None = None


class TakeoverRequest(_Body):
    agent_id: AgentId | None = None
    agent_name: str | None = Field(None, max_length=64, description="ignored: the account's name")


class TransferRequest(_Body):
    to_agent_id: AgentId
    from_agent_id: AgentId | None = None


class ReleaseRequest(_Body):
    agent_id: AgentId | None = None
    reason: str = Field("resolved", min_length=1, max_length=64, examples=["resolved"])


class EmailRequest(_Body):
    force: bool = False


class CancelRequest(_Body):
    session_name: SessionName


class SessionState(_Open):
    """Seed 003 `SessionState` (history: the last 50 messages)."""

    session_name: str = Field(examples=[SESSION_EXAMPLE])
    status: str = Field(examples=["pending_manual"])
    history: list[dict[str, Any]] = Field(default_factory=list)
    escalation: dict[str, Any] | None = None
    assigned_agent: dict[str, Any] | None = None


class SessionStateResponse(BaseModel):
    success: bool = True
    data: SessionState


class SessionDetail(BaseModel):
    session: SessionState
    audit_trail: list[dict[str, Any]]
    last_event_id: str = Field(
        description="open the session stream with this Last-Event-ID "
        "to miss nothing after this read",
        examples=["1763970000000-0"],
    )
    inbox: dict[str, Any] | None = Field(None, description="Agent Inbox request (staff only)")


class SessionDetailResponse(BaseModel):
    success: bool = True
    data: SessionDetail


class TakeoverResult(BaseModel):
    session: SessionState
    changed: bool = Field(description="false: this agent already held the chat (a retry)")


class TakeoverResponse(BaseModel):
    success: bool = True
    data: TakeoverResult


class MessageAck(BaseModel):
    message_id: str = Field(examples=["msg_0f1e2d3c4b5a6978"])
    timestamp: int = Field(examples=[1737000400])


class MessageAckResponse(BaseModel):
    success: bool = True
    data: MessageAck


class MailResult(BaseModel):
    mail_id: str = Field(examples=["mail_5a6b7c8d9e0f1a2b"])
    email_to: list[str]
    sent: bool = True
    sent_at: int


class MailResponse(BaseModel):
    success: bool = True
    data: MailResult


class Queue(BaseModel):
    items: list[dict[str, Any]] = Field(
        description="SessionSummary: session_name, status, "
        "escalation, waiting_seconds, assigned_agent, "
        "last_message_preview, user_profile, updated_at, tags [{id, name, color}]"
    )
    total: int
    page: int
    page_size: int


class QueueResponse(BaseModel):
    success: bool = True
    data: Queue


class StatsResponse(BaseModel):
    success: bool = True
    data: dict[str, Any] = Field(
        description="total_sessions, by_status, active_agents, "
        "avg_waiting_time, ai_quality, agent_efficiency (seed v2.5)"
    )


class Window(_Body):
    start: time
    end: time


class ShiftConfigIn(_Body):
    """Seed short form (`start`, `end`: the same window every day) or per-weekday `hours`.
    `end == start` is 24 hours; `end < start` runs past midnight."""

    start: time | None = Field(None, examples=["09:00"])
    end: time | None = Field(None, examples=["18:00"])
    timezone: str = Field("Asia/Taipei", max_length=64)
    weekends_disabled: bool = True
    weekend_days: list[Weekday] = Field(default_factory=lambda: list(WEEKEND), max_length=7)
    holidays: list[date] = Field(default_factory=list, max_length=366)
    hours: dict[Weekday, list[Window]] | None = None
    email_to: list[str] = Field(default_factory=list, max_length=20)
    offline_messages: dict[Language, str] | None = None

    def config(self) -> ShiftConfig:
        data = self.model_dump(exclude_none=True, mode="json")
        if "start" in data or "end" in data:
            data.setdefault("start", "09:00")
            data.setdefault("end", "18:00")
        try:
            return ShiftConfig.model_validate(data)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "shift"
            message = str(problem["msg"]).removeprefix("Value error, ")
            raise InvalidInput(f"{where}: {message}", field=where) from None


class ShiftConfigOut(BaseModel):
    start: str | None = Field(examples=["09:00"], description="Monday's first window (short form)")
    end: str | None = Field(examples=["18:00"])
    timezone: str
    weekends_disabled: bool
    weekend_days: list[str]
    holidays: list[date]
    hours: dict[Weekday, list[dict[str, str]]]
    email_to: list[str]
    offline_messages: dict[Language, str]

    @classmethod
    def of(cls, config: ShiftConfig) -> ShiftConfigOut:
        hours = {
            day: [
                {"start": f"{w.start:%H:%M}", "end": f"{w.end:%H:%M}"}
                for w in config.hours.get(day, ())
            ]
            for day in WEEKDAYS
        }
        first = hours["mon"][0] if hours["mon"] else {}
        return cls(
            start=first.get("start"),
            end=first.get("end"),
            timezone=config.timezone,
            weekends_disabled=config.weekends_disabled,
            weekend_days=list(config.weekend_days),
            holidays=list(config.holidays),
            hours=hours,
            email_to=list(config.email_to),
            offline_messages=dict(config.offline_messages),
        )


class ShiftResponse(BaseModel):
    success: bool = True
    data: ShiftConfigOut
