"""Renewal sessions, the customer-service log and AI usage (seed 000, section 3.4)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Vocabulary, enum_check
from core.db.types import BigId, Flag, JsonDoc, UtcDateTime, utc_now


class RenewalStatus(Vocabulary):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class AiUsageType(Vocabulary):
    """Known usage types; the column is open (no CHECK) so new graphs need no migration."""

    FREE_CHAT = "free_chat"
    COMPARISON = "comparison"
    RECOMMENDATION = "recommendation"
    REPORT = "report"
    ESCALATION_SUMMARY = "escalation_summary"


class RenewalRecord(Base):
    """One guided renewal (seed 000's RenewalSessions).

    No full national ID is ever stored: `customer_ref` is the CRM customer id and
    `customer_id_masked` the masked national ID shown on screen. `selections` holds what was
    chosen so far (renewal type, device, plan, ...) as one JSON document.
    """

    __tablename__ = "renewal_records"
    __table_args__ = (
        enum_check("status", RenewalStatus.values()),
        sa.Index(None, "staff_id", "started_at"),
        sa.Index(None, "store_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    store_id: Mapped[str] = mapped_column(sa.ForeignKey("stores.store_id"))
    customer_ref: Mapped[str | None] = mapped_column(sa.String(32))
    customer_id_masked: Mapped[str | None] = mapped_column(sa.String(16))
    phone_number: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(
        sa.String(16),
        default=RenewalStatus.IN_PROGRESS.value,
        server_default=RenewalStatus.IN_PROGRESS.value,
    )
    is_sale_confirmed: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    current_step: Mapped[str | None] = mapped_column(sa.String(32))
    selections: Mapped[dict[str, Any]] = mapped_column(JsonDoc(), default=dict)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)


class CustomerServiceLog(Base):
    """One service event on a renewal or chat (seed 000's CustomerServiceLogs), e.g. `submit`."""

    __tablename__ = "customer_service_logs"
    __table_args__ = (sa.Index(None, "staff_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    store_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stores.store_id"))
    session_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    customer_ref: Mapped[str | None] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class AiUsageLog(Base):
    """One model call (seed 000's AIUsageLogs): tokens, cost in USD, latency, fallback flag."""

    __tablename__ = "ai_usage_logs"
    __table_args__ = (
        sa.Index(None, "staff_id", "created_at"),
        sa.CheckConstraint("prompt_tokens >= 0 AND completion_tokens >= 0", name="tokens"),
    )

    id: Mapped[int] = mapped_column(BigId, sa.Identity(), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    session_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    usage_type: Mapped[str] = mapped_column(sa.String(32))
    model: Mapped[str] = mapped_column(sa.String(64))
    prompt_tokens: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    completion_tokens: Mapped[int] = mapped_column(
        sa.Integer, default=0, server_default=sa.text("0")
    )
    cost: Mapped[Decimal] = mapped_column(
        sa.Numeric(12, 6), default=Decimal("0"), server_default=sa.text("0")
    )
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer)
    is_fallback: Mapped[bool] = mapped_column(Flag(), default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
