"""knowledge base: FAQs with history, documents, chunks; tenant_id on every row (issue 21)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db import types as sbt

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("progress", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'processing', 'ready', 'failed')",
            name=op.f("ck_documents_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("tenant_id", "sha256", name=op.f("uq_documents_tenant_id_sha256")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "faqs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("tags", sbt.JsonDoc(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("published", sbt.Flag(), server_default="1", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.Column("updated_at", sbt.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faqs")),
    )
    with op.batch_alter_table("faqs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faqs_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_faqs_tenant_id_category"), ["tenant_id", "category"], unique=False
        )

    op.create_table(
        "chunks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=True),
        sa.Column("faq_id", sa.String(length=40), nullable=True),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading_path", sbt.JsonDoc(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("citation", sa.String(length=1000), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "(document_id IS NULL AND faq_id IS NOT NULL)"
            " OR (document_id IS NOT NULL AND faq_id IS NULL)",
            name=op.f("ck_chunks_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_chunks_document_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["faq_id"], ["faqs.id"], name=op.f("fk_chunks_faq_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chunks")),
    )
    with op.batch_alter_table("chunks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chunks_doc_version", ["document_id", "document_version"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chunks_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chunks_faq_id"), ["faq_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chunks_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "faq_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("faq_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("tags", sbt.JsonDoc(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("published", sbt.Flag(), nullable=False),
        sa.Column("edited_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sbt.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["faq_id"], ["faqs.id"], name=op.f("fk_faq_versions_faq_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_versions")),
        sa.UniqueConstraint("faq_id", "version", name=op.f("uq_faq_versions_faq_id_version")),
    )
    with op.batch_alter_table("faq_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_versions_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("faq_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_versions_tenant_id"))
    op.drop_table("faq_versions")
    with op.batch_alter_table("chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chunks_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_chunks_faq_id"))
        batch_op.drop_index(batch_op.f("ix_chunks_document_id"))
        batch_op.drop_index("ix_chunks_doc_version")
    op.drop_table("chunks")
    with op.batch_alter_table("faqs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faqs_tenant_id_category"))
        batch_op.drop_index(batch_op.f("ix_faqs_tenant_id"))
    op.drop_table("faqs")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_documents_status"))
    op.drop_table("documents")
