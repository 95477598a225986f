"""The conversation archive: customer chats as they happened, kept for history search and reports.

A chat's live state is the supervision graph's checkpoint in Redis, which expires
(`CHECKPOINT_TTL_SECONDS`); these two tables keep what agents and reports need afterwards.
The API writes them after every step of a conversation (`api/history/archive.py`); the status
moves themselves are in `audit_trail` (entity_type `chat_session`), where the times below come
from.

* `conversations`: one row per `session_name`; the *latest* episode's escalation reason,
  takeover, release and close times, the last agent who held it, and how many messages are
  archived (`message_count`: the graph's history is append-only, so the next sync writes
  history[message_count:]).
* `conversation_messages`: every history item under its graph id (`msg_<hex>`) as the primary
  key, so a retried or concurrent archive write can never store a message twice; `seq` is its
  position in the conversation.

Words-in-text search is `LOWER(content) LIKE '%word%'` (escaped) on every backend; the other
filters are indexed and narrow it first (see docs/history.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Vocabulary, enum_check
from core.db.models.tenants import tenant_fk
from core.db.types import Flag, UtcDateTime, utc_now


class ConversationStatus(Vocabulary):
    """The supervision graph's session statuses (graphs/supervision/transitions.py)."""

    BOT_ACTIVE = "bot_active"
    PENDING_MANUAL = "pending_manual"
    MANUAL_LIVE = "manual_live"
    CLOSED = "closed"


class MessageRole(Vocabulary):
    USER = "user"
    ASSISTANT = "assistant"
    AGENT = "agent"
    SYSTEM = "system"


class ConversationRecord(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        enum_check("status", ConversationStatus.values()),
        sa.Index(None, "started_at"),
        sa.Index(None, "status", "started_at"),
        sa.Index(None, "agent_id", "started_at"),
        sa.Index(None, "customer"),
        sa.Index(None, "tenant_id", "started_at"),
    )

    session_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    tenant_id: Mapped[str] = tenant_fk()
    conversation_id: Mapped[str | None] = mapped_column(sa.String(64))
    customer: Mapped[str | None] = mapped_column(sa.String(64))  # the profile's nickname
    vip: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    status: Mapped[str] = mapped_column(sa.String(16))
    agent_id: Mapped[str | None] = mapped_column(sa.String(32))  # last agent who held it
    agent_name: Mapped[str | None] = mapped_column(sa.String(64))
    escalation_reason: Mapped[str | None] = mapped_column(sa.String(32))
    escalations: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    episodes: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    message_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    last_message: Mapped[str | None] = mapped_column(sa.String(200))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    taken_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"
    __table_args__ = (
        enum_check("role", MessageRole.values()),
        sa.UniqueConstraint("session_name", "seq"),
        sa.Index(None, "created_at"),
        sa.Index(None, "agent_id", "created_at"),
        sa.Index(None, "tenant_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # the graph's msg id
    tenant_id: Mapped[str] = tenant_fk()
    session_name: Mapped[str] = mapped_column(
        sa.ForeignKey("conversations.session_name", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(sa.Integer)
    role: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.Text())
    agent_id: Mapped[str | None] = mapped_column(sa.String(32))
    agent_name: Mapped[str | None] = mapped_column(sa.String(64))
    response_ms: Mapped[int | None] = mapped_column(sa.Integer)  # AI answers: message → answer
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
