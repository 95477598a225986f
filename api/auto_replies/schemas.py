"""Wire shapes of `/api/auto-reply-rules` (seed 003 v3.0 AutoReplyRule). Bounds and condition
keys are checked by rules.py (400 with a code); the limits here only bound the body size."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.db.models import AutoReplyRule

RuleType = Literal["welcome", "offline", "busy", "queue", "keyword", "timeout"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleCreate(_Body):
    type: RuleType = Field(examples=["keyword"])
    trigger_condition: dict[str, Any] = Field(
        default_factory=dict, examples=[{"keywords": ["價格", "price", "多少錢"]}]
    )
    reply_content: str = Field(
        max_length=4000, description="1-1000 characters; `{variables}`",
        examples=["您可以在官網查看最新價格：https://example.com/plans"],
    )  # fmt: skip
    enabled: bool = True
    delay_seconds: int = Field(0, description="0-60", examples=[1])


class RuleUpdate(_Body):
    """Only the fields given change; the result is checked as a whole."""

    type: RuleType | None = None
    trigger_condition: dict[str, Any] | None = None
    reply_content: str | None = Field(None, max_length=4000)
    enabled: bool | None = None
    delay_seconds: int | None = None


class RuleOut(BaseModel):
    id: str = Field(examples=["rule_0a1b2c3d4e5f"])
    type: str
    trigger_condition: dict[str, Any]
    reply_content: str
    variables: list[str]
    enabled: bool
    delay_seconds: int
    created_by: str
    created_at: float
    updated_at: float

    @classmethod
    def of(cls, rule: AutoReplyRule) -> RuleOut:
        return cls(id=rule.id, type=rule.type, trigger_condition=dict(rule.trigger_condition),
                   reply_content=rule.reply_content, variables=list(rule.variables or []),
                   enabled=rule.enabled, delay_seconds=rule.delay_seconds,
                   created_by=rule.created_by, created_at=rule.created_at.timestamp(),
                   updated_at=rule.updated_at.timestamp())  # fmt: skip


class RuleList(BaseModel):
    items: list[RuleOut]
    total: int


class RuleListResponse(BaseModel):
    success: bool = True
    data: RuleList


class RuleResponse(BaseModel):
    success: bool = True
    data: RuleOut


class Done(BaseModel):
    success: bool = True
    message: str
