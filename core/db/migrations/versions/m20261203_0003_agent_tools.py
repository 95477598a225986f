"""quick replies, tags and auto-reply rules (issue 18)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 17:00:00

The system tags (seed 003 v3.0: VIP, 退款 …) are rows every installation needs, so they are
inserted here rather than by the demo seed; the downgrade drops them with their table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 3, tzinfo=UTC)
# id, name, colour, icon (Lucide), category
SYSTEM_TAGS: tuple[tuple[str, str, str, str, str], ...] = (
    ("tag_vip", "VIP", "#F59E0B", "Crown", "priority"),
    ("tag_urgent", "緊急", "#DC2626", "AlertTriangle", "priority"),
    ("tag_complaint", "客訴", "#B91C1C", "MessageSquareWarning", "priority"),
    ("tag_refund", "退款", "#EF4444", "DollarSign", "status"),
    ("tag_billing", "帳單問題", "#8B5CF6", "Receipt", "status"),
    ("tag_renewal", "續約", "#10B981", "RefreshCw", "status"),
    ("tag_technical", "技術問題", "#3B82F6", "Wrench", "status"),
    ("tag_resolved", "已解決", "#22C55E", "CheckCircle", "status"),
)


def upgrade() -> None:
    op.create_table(
        "auto_reply_rules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("trigger_condition", sbt.JsonDoc(), nullable=False),
        sa.Column("reply_content", sa.Text(), nullable=False),
        sa.Column("variables", sbt.JsonDoc(), nullable=False),
        sa.Column("enabled", sbt.Flag(), server_default="1", nullable=False),
        sa.Column("delay_seconds", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint("delay_seconds BETWEEN 0 AND 60", name=op.f("ck_arr_delay_seconds")),
        sa.CheckConstraint(
            "type IN ('welcome', 'offline', 'busy', 'queue', 'keyword', 'timeout')",
            name=op.f("ck_arr_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arr")),
    )
    with op.batch_alter_table("auto_reply_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arr_type_enabled"), ["type", "enabled"], unique=False)

    op.create_table(
        "quick_replies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("variables", sbt.JsonDoc(), nullable=False),
        sa.Column("shortcut", sa.String(length=16), nullable=True),
        sa.Column("is_shared", sbt.Flag(), server_default="1", nullable=False),
        sa.Column("is_system", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('pre_sales', 'after_sales', 'logistics', 'technical', 'policy')",
            name=op.f("ck_qrp_category"),
        ),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_qrp_usage_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qrp")),
    )
    with op.batch_alter_table("quick_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qrp_category_usage_count"), ["category", "usage_count"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qrp_created_by_shortcut"), ["created_by", "shortcut"], unique=False
        )

    tags = op.create_table(
        "tags",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("icon", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("is_system", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('status', 'priority', 'custom')", name=op.f("ck_tag_category")
        ),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_tag_usage_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
    )
    op.create_table(
        "session_tags",
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("tag_id", sa.String(length=40), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sbt.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_stg_tag_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_name", "tag_id", name=op.f("pk_stg")),
    )
    with op.batch_alter_table("session_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stg_tag_id_added_at"), ["tag_id", "added_at"], unique=False
        )

    if tags is not None:
        op.bulk_insert(
            tags,
            [
                {"id": tag_id, "name": name, "color": color, "icon": icon, "category": category,
                 "is_system": True, "usage_count": 0, "created_by": None,
                 "created_at": SEEDED_AT}
                for tag_id, name, color, icon, category in SYSTEM_TAGS
            ],
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("session_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stg_tag_id_added_at"))

    op.drop_table("session_tags")
    op.drop_table("tags")
    with op.batch_alter_table("quick_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qrp_created_by_shortcut"))
        batch_op.drop_index(batch_op.f("ix_qrp_category_usage_count"))

    op.drop_table("quick_replies")
    with op.batch_alter_table("auto_reply_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arr_type_enabled"))

    op.drop_table("auto_reply_rules")
