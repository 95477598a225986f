"""tenants (issue 21, seed 002): the tenants table, tenant `default`, and `tenant_id` on every
tenant-owned table, backfilled with `default`; a `platform_admin` role that belongs to no tenant

Tags made by the system (VIP, 退款 ...) keep `tenant_id` NULL: every tenant sees them. Custom tag
names are unique per tenant. The knowledge tables (0005) already carry `tenant_id`. The renewal
side (stores, renewal records) stays single-operator; its staff belong to `default`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "role IN ('sales', 'manager', 'agent', 'admin')"
NEW_ROLES = "role IN ('sales', 'manager', 'agent', 'admin', 'platform_admin')"
OLD_STAFF_CHECK = "role IN ('agent', 'admin') OR store_id IS NOT NULL"
NEW_STAFF_CHECK = "role IN ('agent', 'admin', 'platform_admin') OR store_id IS NOT NULL"
TENANT_OF_ROLE = (
    "(role = 'platform_admin' AND tenant_id IS NULL)"
    " OR (role <> 'platform_admin' AND tenant_id IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("plan", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("site_key", sa.String(length=64), nullable=False),
        sa.Column("model_provider", sa.String(length=16), server_default="offline", nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=True),
        sa.Column("model_endpoint", sa.String(length=300), nullable=True),
        sa.Column("model_deployment", sa.String(length=100), nullable=True),
        sa.Column("model_temperature", sa.Float(), nullable=True),
        sa.Column("model_api_key_env", sa.String(length=64), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "model_provider IN ('offline', 'openai', 'azure_openai', 'anthropic')",
            name=op.f("ck_tnt_model_provider"),
        ),
        sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f("ck_tnt_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tnt")),
        sa.UniqueConstraint("site_key", name=op.f("uq_tnt_site_key")),
    )
    now = sbt.utc_now()
    tenants = sa.table(
        "tenants",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("status", sa.String()),
        sa.column("site_key", sa.String()),
        sa.column("model_provider", sa.String()),
        sa.column("created_at", sbt.UtcDateTime()),
        sa.column("updated_at", sbt.UtcDateTime()),
    )
    op.bulk_insert(
        tenants,
        [{"id": "default", "name": "Default", "status": "active",
          "site_key": "sk_" + secrets.token_urlsafe(24), "model_provider": "offline",
          "created_at": now, "updated_at": now}],
    )  # fmt: skip
    with op.batch_alter_table("auto_reply_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_arr_tenant_id_type"), ["tenant_id", "type"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_arr_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_cvm_tenant_id_created_at"), ["tenant_id", "created_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cvm_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_cnv_tenant_id_started_at"), ["tenant_id", "started_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cnv_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("quick_replies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_qrp_tenant_id_category"), ["tenant_id", "category"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_qrp_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("session_tags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_stg_tenant_id_tag_id"), ["tenant_id", "tag_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_stg_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant_id", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_tag_name"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_tag_tenant_id_name"), ["tenant_id", "name"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tag_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tenant_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_tkt_tenant_status"),
            ["tenant_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tkt_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant_id", sa.String(length=64), nullable=True))
    op.execute("UPDATE users SET tenant_id = 'default'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usr_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_usr_tenant_id"), "tenants", ["tenant_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_usr_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_usr_role"), NEW_ROLES)
        batch_op.drop_constraint(batch_op.f("ck_usr_store_staff_store"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_usr_store_staff_store"), NEW_STAFF_CHECK)
        batch_op.create_check_constraint(batch_op.f("ck_usr_tenant_of_role"), TENANT_OF_ROLE)


def downgrade() -> None:
    """Back to one operator: platform admins and other tenants' rows cannot be expressed
    before 0006, so they are removed (a downgrade is for development databases)."""
    for table in ("conversation_messages", "session_tags", "quick_replies", "auto_reply_rules"):
        op.execute(f"DELETE FROM {table} WHERE tenant_id <> 'default'")
    op.execute(
        "DELETE FROM ticket_activities WHERE ticket_ref IN"
        " (SELECT id FROM tickets WHERE tenant_id <> 'default')"
    )
    op.execute(
        "DELETE FROM ticket_comments WHERE ticket_ref IN"
        " (SELECT id FROM tickets WHERE tenant_id <> 'default')"
    )
    op.execute("DELETE FROM tickets WHERE tenant_id <> 'default'")
    op.execute("DELETE FROM conversations WHERE tenant_id <> 'default'")
    op.execute("DELETE FROM tags WHERE tenant_id IS NOT NULL AND tenant_id <> 'default'")
    op.execute(
        "DELETE FROM login_logs WHERE user_id IN"
        " (SELECT id FROM users WHERE tenant_id IS NULL OR tenant_id <> 'default')"
    )
    op.execute("DELETE FROM users WHERE tenant_id IS NULL OR tenant_id <> 'default'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_usr_tenant_of_role"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_usr_store_staff_store"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_usr_store_staff_store"), OLD_STAFF_CHECK)
        batch_op.drop_constraint(batch_op.f("ck_usr_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_usr_role"), OLD_ROLES)
        batch_op.drop_constraint(batch_op.f("fk_usr_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_usr_tenant_id"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tkt_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tkt_tenant_status"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tag_tenant_id"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_tag_tenant_id_name"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tag_name"), ["name"])
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("session_tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stg_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stg_tenant_id_tag_id"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("quick_replies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_qrp_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_qrp_tenant_id_category"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cnv_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cnv_tenant_id_started_at"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cvm_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cvm_tenant_id_created_at"))
        batch_op.drop_column("tenant_id")

    with op.batch_alter_table("auto_reply_rules", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_arr_tenant_id"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_arr_tenant_id_type"))
        batch_op.drop_column("tenant_id")

    op.drop_table("tenants")
