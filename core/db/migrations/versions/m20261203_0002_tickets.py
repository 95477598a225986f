"""tickets and their activity log and comments (issue 18)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ticket_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_serial >= 0", name=op.f("ck_tkn_last_serial")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_tkn")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), server_default="normal", nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("bike_model", sa.String(length=64), nullable=True),
        sa.Column("vin", sa.String(length=32), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("open_session_id", sa.String(length=64), nullable=True),
        sa.Column("ai_summary", sa.Text(), nullable=True),
        sa.Column("customer_profile", sbt.JsonDoc(), nullable=True),
        sa.Column("tags", sbt.JsonDoc(), nullable=False),
        sa.Column("assignee_id", sa.String(length=32), nullable=True),
        sa.Column("assignee_name", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_by_name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("sla_response_due", sbt.UtcDateTime(), nullable=False),
        sa.Column("sla_response_warn_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("sla_resolution_due", sbt.UtcDateTime(), nullable=False),
        sa.Column("sla_resolution_warn_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("first_response_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("resolved_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("closed_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('pre_sales', 'order_modify', 'shipping', 'after_sales', "
            "'compliance', 'technical', 'returns', 'warranty')",
            name=op.f("ck_tkt_category"),
        ),
        sa.CheckConstraint(
            "department IN ('sales_eu', 'service_cn', 'warehouse', 'compliance', "
            "'technical', 'logistics')",
            name=op.f("ck_tkt_department"),
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')", name=op.f("ck_tkt_priority")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'waiting_customer', 'waiting_parts', "
            "'resolved', 'closed')",
            name=op.f("ck_tkt_status"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tkt_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tkt")),
        sa.UniqueConstraint("open_session_id", name=op.f("uq_tkt_open_session_id")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_tkt_ticket_id")),
        sa.UniqueConstraint("ticket_number", name=op.f("uq_tkt_ticket_number")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tkt_assignee_id_status"), ["assignee_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tkt_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tkt_session_id"), ["session_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tkt_status_created_at"), ["status", "created_at"], unique=False
        )

    op.create_table(
        "ticket_activities",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("ticket_ref", BIG_ID, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("operator_id", sa.String(length=32), nullable=False),
        sa.Column("operator_name", sa.String(length=64), nullable=False),
        sa.Column("details", sbt.JsonDoc(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_ref"], ["tickets.id"], name=op.f("fk_tka_ticket_ref")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tka")),
    )
    with op.batch_alter_table("ticket_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tka_ticket_ref_created_at"), ["ticket_ref", "created_at"], unique=False
        )

    op.create_table(
        "ticket_comments",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("comment_id", sa.String(length=40), nullable=False),
        sa.Column("ticket_ref", BIG_ID, nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("mentions", sbt.JsonDoc(), nullable=False),
        sa.Column("is_internal", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_ref"], ["tickets.id"], name=op.f("fk_tkc_ticket_ref")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tkc")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_tkc_comment_id")),
    )
    with op.batch_alter_table("ticket_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tkc_ticket_ref_created_at"), ["ticket_ref", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tkc_ticket_ref_created_at"))

    op.drop_table("ticket_comments")
    with op.batch_alter_table("ticket_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tka_ticket_ref_created_at"))

    op.drop_table("ticket_activities")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tkt_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_tkt_session_id"))
        batch_op.drop_index(batch_op.f("ix_tkt_created_at"))
        batch_op.drop_index(batch_op.f("ix_tkt_assignee_id_status"))

    op.drop_table("tickets")
    op.drop_table("ticket_counters")
