"""The audit trail: every status change of any entity (seed 003's `audit_trail`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base
from core.db.types import BigId, JsonDoc, UtcDateTime, utc_now


class AuditEntry(Base):
    """Append-only: `entity_type` + `entity_id` name the thing (chat session, renewal, user).

    `operator` is who acted (agent username, staff code or `system`); `reason` the seed's
    reason code (keyword, manual_request, agent_takeover, released, transferred, ...).
    """

    __tablename__ = "audit_trail"
    __table_args__ = (sa.Index("ix_aud_entity", "entity_type", "entity_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    status_from: Mapped[str | None] = mapped_column(sa.String(32))
    status_to: Mapped[str | None] = mapped_column(sa.String(32))
    operator: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
