"""Wire shapes of the ticket routes (seed 003 v2.9), with the bounds the server enforces.

Field names, codes and statuses are the seed's. Times are UTC epoch seconds with
milliseconds, as the seed shows them (`"sla_deadline": 1764212850.848`). Every write answers
the whole ticket (a superset of the seed's partial answers), so a client never needs a second
read to see the new `version`, SLA status or activity row.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from api.chat.schemas import SessionName
from api.handoff.schemas import AgentId, Username
from api.tickets.sla import SlaStatus
from core.db.models.tickets import TicketCategory, TicketDepartment, TicketPriority, TicketStatus

# Some visible text and no NUL (PostgreSQL text cannot hold it: refused as input, not a 500).
# Said as a pattern, so the published schema refuses what the server refuses; explicit ASCII
# blanks because `\s` differs between the server's regex engine and JSON Schema's.
BLANKS = " \t\n\x0b\x0c\r"
VISIBLE = rf"^[^\x00]*[^\x00{BLANKS}][^\x00]*$"


def _trim(value: str) -> str:
    return value.strip(BLANKS)


def _text(longest: int) -> Any:
    return StringConstraints(max_length=longest, pattern=VISIBLE), AfterValidator(_trim)


Title = Annotated[str, *_text(200)]
Text = Annotated[str, *_text(5000)]
CommentText = Annotated[str, *_text(2000)]
Reference = Annotated[str, *_text(64)]
Vin = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
TagName = Annotated[str, *_text(32)]
Tags = Annotated[list[TagName], Field(max_length=10, description="at most 10, each ≤ 32 chars")]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="the `version` you read")]
Sort = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "priority",
    "-priority",
    "sla_deadline",
    "-sla_deadline",
    "ticket_number",
    "-ticket_number",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketCreate(_Body):
    """From a chat session (`session_id`: the AI summary and the customer's profile are
    filled in from it) or by hand. `customer_id` may be left out with a session (400
    INVALID_INPUT without either: a rule across two fields, which the schema cannot say)."""

    session_id: SessionName | None = Field(None, examples=["session_0123456789abcdef"])
    title: Title = Field(examples=["帳單金額異常"])
    description: Text = Field(examples=["客戶反映上月帳單多扣 200 元"])
    category: TicketCategory = Field(examples=["technical"])
    priority: TicketPriority = TicketPriority.NORMAL
    customer_id: Reference | None = Field(None, examples=["customer_001"])
    order_id: Reference | None = None
    bike_model: Reference | None = Field(None, description="the product's model (seed field)")
    vin: Vin | None = Field(None, description="the product's serial (seed field)")
    department: TicketDepartment = Field(examples=["technical"])
    ai_summary: Text | None = Field(None, description="by hand; default: the session's")
    tags: Tags = Field(default_factory=list)


def _null_refused(schema: dict[str, Any]) -> None:
    """The published schema says what `TicketPatch._not_null` refuses: `null`."""
    for field in schema.get("properties", {}).values():
        if "anyOf" in field:
            field["anyOf"] = [m for m in field["anyOf"] if m.get("type") != "null"]


class TicketPatch(_Body):
    """Seed fields `title`, `description`, `priority`, `tags`; `version` is required (the
    optimistic lock). `null` is refused: leave a field out to keep it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_null_refused)

    version: Version
    title: Title | None = None
    description: Text | None = None
    priority: TicketPriority | None = None
    tags: Tags | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    def changes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in sorted(self.model_fields_set) if name != "version"
        }


class AssignRequest(_Body):
    assignee_id: AgentId
    assignee_name: str | None = Field(None, max_length=64, description="ignored: the account's")
    department: TicketDepartment | None = None
    version: Version | None = Field(None, description="optional optimistic lock")


class StatusRequest(_Body):
    status: TicketStatus = Field(examples=["in_progress"])
    comment: CommentText | None = Field(None, examples=["已更換零件，客戶確認問題解決"])
    version: Version | None = Field(None, description="optional optimistic lock")


class CommentRequest(_Body):
    content: CommentText = Field(examples=["@agent002 請確認庫存是否充足"])
    mentions: list[Username] = Field(default_factory=list, max_length=20)
    is_internal: bool = Field(False, description="agents only; false: may be shown the customer")


# --- answers -------------------------------------------------------------------------------------
class ActivityOut(BaseModel):
    action: str = Field(examples=["status_changed"])
    description: str = Field(examples=["狀態從 in_progress 變更為 resolved"])
    operator_id: str
    operator_name: str
    timestamp: float
    details: dict[str, Any] | None = Field(
        None, description="`changes`: {field: {before, after}}; `comment` of a status change"
    )


class CommentOut(BaseModel):
    id: str = Field(examples=["comment_0123456789abcdef"])
    content: str
    author_id: str
    author_name: str
    mentions: list[str]
    created_at: float
    is_internal: bool


class TicketSummary(BaseModel):
    ticket_id: str = Field(examples=["ticket_33a756d7db794ebe"])
    ticket_number: str = Field(examples=["TK-202600001"])
    title: str
    status: TicketStatus
    priority: TicketPriority
    category: TicketCategory
    department: TicketDepartment
    customer_id: str
    session_id: str | None
    assignee_id: str | None
    assignee_name: str | None
    sla_deadline: float = Field(description="resolution deadline, UTC epoch seconds")
    sla_status: SlaStatus
    version: int
    created_at: float
    updated_at: float


class TicketOut(TicketSummary):
    description: str
    order_id: str | None
    bike_model: str | None
    vin: str | None
    tags: list[str]
    ai_summary: str | None
    customer_profile: dict[str, Any] | None
    sla_response_deadline: float
    first_response_at: float | None
    resolved_at: float | None
    closed_at: float | None
    created_by: str
    created_by_name: str
    allowed_transitions: list[TicketStatus]
    comments: list[CommentOut]
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    activity_log: list[ActivityOut]


class TicketResponse(BaseModel):
    success: bool = True
    data: TicketOut


class MaybeTicketResponse(BaseModel):
    success: bool = True
    data: TicketOut | None = Field(description="null: the session has no ticket")


class TicketPage(BaseModel):
    items: list[TicketSummary]
    total: int
    page: int
    page_size: int
    total_pages: int


class TicketPageResponse(BaseModel):
    success: bool = True
    data: TicketPage
