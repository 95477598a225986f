"""Wire shapes of `/api/tags` and the session-tag routes (seed 003 v3.0 SessionTag)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.db.models import Tag


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TagCreate(_Body):
    name: str = Field(max_length=100, description="1-20 characters", examples=["電池問題"])
    color: str = Field(max_length=16, description="hex colour", examples=["#3B82F6"])
    icon: str | None = Field(None, max_length=40, examples=["Battery"])


class SessionTagAdd(_Body):
    tag_id: str = Field(min_length=1, max_length=40, examples=["tag_vip"])


class TagOut(BaseModel):
    id: str = Field(examples=["tag_vip"])
    name: str
    color: str
    icon: str | None
    category: str
    is_system: bool
    usage_count: int
    created_by: str | None
    created_at: float

    @classmethod
    def of(cls, tag: Tag) -> TagOut:
        return cls(id=tag.id, name=tag.name, color=tag.color, icon=tag.icon,
                   category=tag.category, is_system=tag.is_system, usage_count=tag.usage_count,
                   created_by=tag.created_by, created_at=tag.created_at.timestamp())  # fmt: skip


class TagList(BaseModel):
    system_tags: list[TagOut]
    custom_tags: list[TagOut]
    total: int


class TagListResponse(BaseModel):
    success: bool = True
    data: TagList


class TagResponse(BaseModel):
    success: bool = True
    data: TagOut


class SessionTagOut(BaseModel):
    id: str
    name: str
    color: str
    icon: str | None = None
    added_at: float
    added_by: str


class SessionTags(BaseModel):
    session_name: str
    tags: list[SessionTagOut]


class SessionTagsResponse(BaseModel):
    success: bool = True
    data: SessionTags


class TaggedSessions(BaseModel):
    tag: dict[str, str] = Field(examples=[{"id": "tag_vip", "name": "VIP"}])
    sessions: list[dict[str, Any]] = Field(
        description="session_name, status, tags (names), last_message_preview"
    )
    total: int
    page: int
    total_pages: int


class TaggedSessionsResponse(BaseModel):
    success: bool = True
    data: TaggedSessions


class Done(BaseModel):
    success: bool = True
    message: str
