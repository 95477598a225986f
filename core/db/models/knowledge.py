"""Knowledge base (issue 21, seeds 001 §4 and 002): FAQs with history, documents, chunks.

Every row carries `tenant_id` from day one, so tenant isolation is a WHERE clause everywhere
and never a later migration. A chunk belongs to an FAQ or to one *version* of a document; the
document's `version` names the version search may return, so a re-upload writes its chunks
beside the old ones and flips `version` in one transaction (no half-old, half-new moment).
Embeddings are stored as float32 bytes so the in-memory index can be rebuilt without
re-embedding.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, TimestampMixin, Vocabulary, enum_check
from core.db.types import BigId, Flag, JsonDoc, UtcDateTime, utc_now


class DocumentStatus(Vocabulary):
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Faq(TimestampMixin, Base):
    """An agent-curated question and answer; `version` grows on every edit."""

    __tablename__ = "faqs"
    __table_args__ = (sa.Index(None, "tenant_id", "category"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    question: Mapped[str] = mapped_column(sa.String(500))
    answer: Mapped[str] = mapped_column(sa.Text())
    category: Mapped[str] = mapped_column(sa.String(40))
    tags: Mapped[list[str]] = mapped_column(JsonDoc())
    language: Mapped[str] = mapped_column(sa.String(16))
    published: Mapped[bool] = mapped_column(Flag(), default=True, server_default="1")
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))


class FaqVersion(Base):
    """One past or present state of an FAQ, written with every create and update."""

    __tablename__ = "faq_versions"
    __table_args__ = (sa.UniqueConstraint("faq_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    faq_id: Mapped[str] = mapped_column(sa.ForeignKey("faqs.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(sa.Integer)
    question: Mapped[str] = mapped_column(sa.String(500))
    answer: Mapped[str] = mapped_column(sa.Text())
    category: Mapped[str] = mapped_column(sa.String(40))
    tags: Mapped[list[str]] = mapped_column(JsonDoc())
    language: Mapped[str] = mapped_column(sa.String(16))
    published: Mapped[bool] = mapped_column(Flag())
    edited_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class KnowledgeDocument(TimestampMixin, Base):
    """An uploaded file and its ingestion job. `version` is the one search serves (0: none yet);
    a job for `version + 1` runs while the old chunks keep answering."""

    __tablename__ = "documents"
    __table_args__ = (
        enum_check("status", DocumentStatus.values()),
        sa.UniqueConstraint("tenant_id", "sha256"),
        sa.Index(None, "status"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size_bytes: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary(), deferred=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0, server_default=sa.text("0"))
    pages: Mapped[int | None] = mapped_column(sa.Integer)
    chunk_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))
    version: Mapped[int] = mapped_column(sa.Integer, default=0, server_default=sa.text("0"))


class KnowledgeChunk(Base):
    """A retrievable passage of an FAQ or of one document version, with its embedding."""

    __tablename__ = "chunks"
    __table_args__ = (
        sa.CheckConstraint(
            "(document_id IS NULL AND faq_id IS NOT NULL)"
            " OR (document_id IS NOT NULL AND faq_id IS NULL)",
            name="one_source",
        ),
        sa.Index("ix_chunks_doc_version", "document_id", "document_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    document_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    faq_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("faqs.id", ondelete="CASCADE"), index=True
    )
    document_version: Mapped[int] = mapped_column(sa.Integer)
    ordinal: Mapped[int] = mapped_column(sa.Integer)
    heading_path: Mapped[list[str]] = mapped_column(JsonDoc())
    text: Mapped[str] = mapped_column(sa.Text())
    citation: Mapped[str] = mapped_column(sa.String(1000))
    language: Mapped[str] = mapped_column(sa.String(16))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    embedding: Mapped[bytes] = mapped_column(sa.LargeBinary())
