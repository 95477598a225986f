"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 20:05:34.749893
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_trail",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("status_from", sa.String(length=32), nullable=True),
        sa.Column("status_to", sa.String(length=32), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("detail", sbt.JsonDoc(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aud")),
    )
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.create_index(
            "ix_aud_entity", ["entity_type", "entity_id", "created_at"], unique=False
        )

    op.create_table(
        "stores",
        sa.Column("store_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("is_active", sbt.Flag(), server_default="1", nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_sto")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sbt.UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="offline", nullable=False),
        sa.Column("max_sessions", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("store_id", sa.String(length=16), nullable=True),
        sa.Column("avatar_url", sa.String(length=500), nullable=True),
        sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sbt.Flag(), server_default="1", nullable=False),
        sa.Column("last_login_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('agent', 'admin') OR store_id IS NOT NULL",
            name=op.f("ck_usr_store_staff_store"),
        ),
        sa.CheckConstraint(
            "role IN ('sales', 'manager', 'agent', 'admin')", name=op.f("ck_usr_role")
        ),
        sa.CheckConstraint("status IN ('online', 'offline', 'busy')", name=op.f("ck_usr_status")),
        sa.CheckConstraint("failed_login_count >= 0", name=op.f("ck_usr_failed_login_count")),
        sa.CheckConstraint("max_sessions >= 0", name=op.f("ck_usr_max_sessions")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.store_id"], name=op.f("fk_usr_store_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usr")),
        sa.UniqueConstraint("username", name=op.f("uq_usr_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usr_store_id"), ["store_id"], unique=False)

    op.create_table(
        "ai_usage_logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("usage_type", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "cost", sa.Numeric(precision=12, scale=6), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("is_fallback", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "prompt_tokens >= 0 AND completion_tokens >= 0", name=op.f("ck_aiu_tokens")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_aiu_staff_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aiu")),
    )
    with op.batch_alter_table("ai_usage_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aiu_session_id"), ["session_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aiu_staff_id_created_at"), ["staff_id", "created_at"], unique=False
        )

    op.create_table(
        "customer_service_logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("store_id", sa.String(length=16), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("customer_ref", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sbt.JsonDoc(), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_csl_staff_id")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.store_id"], name=op.f("fk_csl_store_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csl")),
    )
    with op.batch_alter_table("customer_service_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csl_session_id"), ["session_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_csl_staff_id_created_at"), ["staff_id", "created_at"], unique=False
        )

    op.create_table(
        "login_logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("success", sbt.Flag(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint("event IN ('login', 'logout', 'failed')", name=op.f("ck_lgl_event")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_lgl_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lgl")),
    )
    with op.batch_alter_table("login_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lgl_user_id_created_at"), ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "renewal_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=16), nullable=False),
        sa.Column("customer_ref", sa.String(length=32), nullable=True),
        sa.Column("customer_id_masked", sa.String(length=16), nullable=True),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="in_progress", nullable=False),
        sa.Column("is_sale_confirmed", sbt.Flag(), server_default="0", nullable=False),
        sa.Column("current_step", sa.String(length=32), nullable=True),
        sa.Column("selections", sbt.JsonDoc(), nullable=False),
        sa.Column("started_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("completed_at", sbt.UtcDateTime(), nullable=True),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed', 'abandoned')", name=op.f("ck_rnr_status")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_rnr_staff_id")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.store_id"], name=op.f("fk_rnr_store_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rnr")),
        sa.UniqueConstraint("session_id", name=op.f("uq_rnr_session_id")),
    )
    with op.batch_alter_table("renewal_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rnr_staff_id_started_at"), ["staff_id", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rnr_store_id_started_at"), ["store_id", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("renewal_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rnr_store_id_started_at"))
        batch_op.drop_index(batch_op.f("ix_rnr_staff_id_started_at"))

    op.drop_table("renewal_records")
    with op.batch_alter_table("login_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lgl_user_id_created_at"))

    op.drop_table("login_logs")
    with op.batch_alter_table("customer_service_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csl_staff_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_csl_session_id"))

    op.drop_table("customer_service_logs")
    with op.batch_alter_table("ai_usage_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aiu_staff_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_aiu_session_id"))

    op.drop_table("ai_usage_logs")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usr_store_id"))

    op.drop_table("users")
    op.drop_table("stores")
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.drop_index("ix_aud_entity")

    op.drop_table("audit_trail")
