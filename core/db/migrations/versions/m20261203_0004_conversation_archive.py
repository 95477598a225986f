"""conversation archive for history search and reports (issue 18)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("customer", sa.String(length=64), nullable=True),
        sa.Column("vip", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("agent_name", sa.String(length=64), nullable=True),
        sa.Column("escalation_reason", sa.String(length=32), nullable=True),
        sa.Column("escalations", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("episodes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("message_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_message", sa.String(length=200), nullable=True),
        sa.Column("started_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("last_activity_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("escalated_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("taken_over_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("released_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("closed_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("archived_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('bot_active', 'pending_manual', 'manual_live', 'closed')",
            name=op.f("ck_cnv_status"),
        ),
        sa.PrimaryKeyConstraint("session_name", name=op.f("pk_cnv")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cnv_started_at"), ["started_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cnv_status_started_at"), ["status", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cnv_agent_id_started_at"), ["agent_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cnv_customer"), ["customer"], unique=False)

    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("agent_name", sa.String(length=64), nullable=True),
        sa.Column("response_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('user', 'assistant', 'agent', 'system')", name=op.f("ck_cvm_role")
        ),
        sa.ForeignKeyConstraint(
            ["session_name"],
            ["conversations.session_name"],
            name=op.f("fk_cvm_session_name"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cvm")),
        sa.UniqueConstraint("session_name", "seq", name=op.f("uq_cvm_session_name_seq")),
    )
    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cvm_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cvm_agent_id_created_at"), ["agent_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cvm_agent_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_cvm_created_at"))
    op.drop_table("conversation_messages")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cnv_customer"))
        batch_op.drop_index(batch_op.f("ix_cnv_agent_id_started_at"))
        batch_op.drop_index(batch_op.f("ix_cnv_status_started_at"))
        batch_op.drop_index(batch_op.f("ix_cnv_started_at"))
    op.drop_table("conversations")
