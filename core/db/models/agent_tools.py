"""What agents work with all day (seed 003 v3.0): quick replies, session tags, auto-reply rules.

Ids are the seed's readable strings (`reply_…`, `tag_vip`, `tag_custom_…`, `rule_…`), so a
client can keep using the ids the seed's examples show. System rows (`is_system`) are seeded
by the migration and refused for deletion. Long texts are `Text` (CLOB on Oracle): 2,000
Chinese characters do not fit a 19c VARCHAR2 of 4,000 bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, TimestampMixin, Vocabulary, enum_check
from core.db.models.tenants import tenant_fk
from core.db.types import Flag, JsonDoc, UtcDateTime, utc_now


class QuickReplyCategory(Vocabulary):
    PRE_SALES = "pre_sales"
    AFTER_SALES = "after_sales"
    LOGISTICS = "logistics"
    TECHNICAL = "technical"
    POLICY = "policy"


class TagCategory(Vocabulary):
    STATUS = "status"
    PRIORITY = "priority"
    CUSTOM = "custom"


class AutoReplyType(Vocabulary):
    WELCOME = "welcome"
    OFFLINE = "offline"
    BUSY = "busy"
    QUEUE = "queue"
    KEYWORD = "keyword"
    TIMEOUT = "timeout"


class QuickReply(TimestampMixin, Base):
    """A canned answer with `{variables}`; shared with the team or personal to its creator."""

    __tablename__ = "quick_replies"
    __table_args__ = (
        enum_check("category", QuickReplyCategory.values()),
        sa.CheckConstraint("usage_count >= 0", name="usage_count"),
        sa.Index(None, "category", "usage_count"),
        sa.Index(None, "created_by", "shortcut"),
        sa.Index(None, "tenant_id", "category"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    tenant_id: Mapped[str] = tenant_fk()
    category: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[str] = mapped_column(sa.Text())
    variables: Mapped[list[str]] = mapped_column(JsonDoc())
    shortcut: Mapped[str | None] = mapped_column(sa.String(16))
    is_shared: Mapped[bool] = mapped_column(Flag(), default=True, server_default="1")
    is_system: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    created_by: Mapped[str] = mapped_column(sa.String(64))
    usage_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))


class Tag(Base):
    """A session tag: system ones (VIP, 退款 …) belong to no tenant (`tenant_id` NULL, shown to
    every tenant) and cannot be deleted; agents add custom ones to their own tenant."""

    __tablename__ = "tags"
    __table_args__ = (
        enum_check("category", TagCategory.values()),
        sa.CheckConstraint("usage_count >= 0", name="usage_count"),
        sa.UniqueConstraint("tenant_id", "name"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(sa.ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(sa.String(20))
    color: Mapped[str] = mapped_column(sa.String(7))
    icon: Mapped[str | None] = mapped_column(sa.String(32))
    category: Mapped[str] = mapped_column(sa.String(16))
    is_system: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    usage_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class SessionTag(Base):
    """A tag on a chat session (seed `SessionTagRelation`); one row per (session, tag)."""

    __tablename__ = "session_tags"
    __table_args__ = (
        sa.Index(None, "tag_id", "added_at"),
        sa.Index(None, "tenant_id", "tag_id"),
    )

    session_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    tenant_id: Mapped[str] = tenant_fk()
    tag_id: Mapped[str] = mapped_column(
        sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class AutoReplyRule(TimestampMixin, Base):
    """An automatic reply the supervision graph sends where its `type` belongs."""

    __tablename__ = "auto_reply_rules"
    __table_args__ = (
        enum_check("type", AutoReplyType.values()),
        sa.CheckConstraint("delay_seconds BETWEEN 0 AND 60", name="delay_seconds"),
        sa.Index(None, "type", "enabled"),
        sa.Index(None, "tenant_id", "type"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    tenant_id: Mapped[str] = tenant_fk()
    type: Mapped[str] = mapped_column(sa.String(16))
    trigger_condition: Mapped[dict[str, Any]] = mapped_column(JsonDoc())
    reply_content: Mapped[str] = mapped_column(sa.Text())
    variables: Mapped[list[str]] = mapped_column(JsonDoc())
    enabled: Mapped[bool] = mapped_column(Flag(), default=True, server_default="1")
    delay_seconds: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    created_by: Mapped[str] = mapped_column(sa.String(64))
