"""Wire shapes of `/api/quick-replies` (seed 003 v3.0 QuickReply). Lengths and formats are
checked by rules.py (400 with a code per field); the limits here only bound the body size."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.db.models import QuickReply

Category = Literal["pre_sales", "after_sales", "logistics", "technical", "policy"]
CATEGORIES: list[str] = ["pre_sales", "after_sales", "logistics", "technical", "policy"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuickReplyCreate(_Body):
    category: Category = Field(examples=["pre_sales"])
    title: str = Field(max_length=400, description="1-100 characters", examples=["產品價格說明"])
    content: str = Field(
        max_length=8000,
        description="1-2000 characters; `{variable_name}` placeholders",
        examples=["您好{customer_name}，我是客服{agent_name}，很高興為您服務！"],
    )
    variables: list[str] | None = Field(
        None, max_length=50, description="`{name}` each; omitted: those the content uses"
    )
    shortcut: str | None = Field(None, max_length=16, examples=["Ctrl+5"])
    is_shared: bool = True


class QuickReplyUse(_Body):
    session_name: str | None = Field(
        None, max_length=64, description="fill customer_name etc. from this chat session"
    )
    # At most 20, checked below: `max_length` on a dict made Litestar's OpenAPI call it an array
    # (schemathesis then sent `[]`, which the API rightly refused).
    variables: dict[str, str] = Field(
        default_factory=dict,
        description="extra or overriding values, by name without braces (at most 20)",
        examples=[{"product_name": "iPhone 16"}],
    )

    @field_validator("variables")
    @classmethod
    def _at_most_twenty(cls, variables: dict[str, str]) -> dict[str, str]:
        if len(variables) > 20:
            raise ValueError("at most 20 variables")
        return variables


class QuickReplyOut(BaseModel):
    id: str = Field(examples=["reply_0a1b2c3d4e5f"])
    category: str
    title: str
    content: str
    variables: list[str]
    shortcut: str | None
    is_shared: bool
    is_system: bool
    created_by: str
    usage_count: int
    created_at: float

    @classmethod
    def of(cls, reply: QuickReply) -> QuickReplyOut:
        return cls(
            id=reply.id, category=reply.category, title=reply.title, content=reply.content,
            variables=list(reply.variables or []), shortcut=reply.shortcut,
            is_shared=reply.is_shared, is_system=reply.is_system, created_by=reply.created_by,
            usage_count=reply.usage_count, created_at=reply.created_at.timestamp(),
        )  # fmt: skip


class QuickReplyList(BaseModel):
    items: list[QuickReplyOut]
    total: int
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))


class QuickReplyListResponse(BaseModel):
    success: bool = True
    data: QuickReplyList


class QuickReplyCreated(BaseModel):
    id: str
    category: str
    title: str
    shortcut: str | None
    variables: list[str]
    created_at: float
    usage_count: int = 0


class QuickReplyCreatedResponse(BaseModel):
    success: bool = True
    data: QuickReplyCreated


class QuickReplyUsed(BaseModel):
    id: str
    usage_count: int
    content: str = Field(description="the text with every variable that could be filled")
    missing_variables: list[str] = Field(description="variables still to fill by hand")


class QuickReplyUsedResponse(BaseModel):
    success: bool = True
    data: QuickReplyUsed


class Done(BaseModel):
    success: bool = True
    message: str


def created(reply: QuickReply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "category": reply.category,
        "title": reply.title,
        "shortcut": reply.shortcut,
        "variables": list(reply.variables or []),
        "created_at": reply.created_at.timestamp(),
        "usage_count": reply.usage_count,
    }
