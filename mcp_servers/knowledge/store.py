"""The knowledge store: FAQs with history, documents and their jobs, chunks (service database).

Every query names the tenant; a row of another tenant is "not found", never "forbidden", so an
id leaks nothing. A document's chunks for version v+1 are written while v keeps serving, then
`flip` makes v+1 current and drops the rest in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.knowledge import (
    DocumentStatus,
    Faq,
    KnowledgeChunk,
    KnowledgeDocument,
)
from core.db.types import utc_now
from core.errors import NotFound

from .faqs import FaqStore, Signature, new_id, newest
from .index import IndexedChunk, detect_language, require_tenant, vector_bytes, vector_from_bytes


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """A chunk to write: text, place, language, hash and its embedding."""

    ordinal: int
    heading_path: tuple[str, ...]
    text: str
    citation: str
    content_hash: str
    embedding: np.ndarray


class KnowledgeStore(FaqStore):
    """FAQs (faqs.py), documents and their ingestion jobs, chunks."""

    # Documents ----------------------------------------------------------------------------

    async def document(self, tenant_id: str, document_id: str) -> KnowledgeDocument:
        async with self.sessions() as session:
            return await self._document(session, tenant_id, document_id)

    async def _document(
        self, session: AsyncSession, tenant_id: str, document_id: str
    ) -> KnowledgeDocument:
        row = await session.scalar(
            sa.select(KnowledgeDocument).where(
                KnowledgeDocument.tenant_id == require_tenant(tenant_id),
                KnowledgeDocument.id == document_id,
            )
        )
        if row is None:
            raise NotFound(f"找不到文件 / no document {document_id}")
        return row

    async def by_hash(self, tenant_id: str, sha256: str) -> KnowledgeDocument | None:
        async with self.sessions() as session:
            return await session.scalar(
                sa.select(KnowledgeDocument).where(
                    KnowledgeDocument.tenant_id == require_tenant(tenant_id),
                    KnowledgeDocument.sha256 == sha256,
                )
            )

    async def list_documents(
        self, tenant_id: str, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[KnowledgeDocument], int]:
        where = [KnowledgeDocument.tenant_id == require_tenant(tenant_id)]
        if status:
            where.append(KnowledgeDocument.status == status)
        async with self.sessions() as session:
            total = await session.scalar(
                sa.select(sa.func.count()).select_from(KnowledgeDocument).where(*where)
            )
            rows = await session.scalars(
                sa.select(KnowledgeDocument).where(*where)
                .order_by(KnowledgeDocument.created_at, KnowledgeDocument.id)
                .limit(limit).offset(offset)
            )  # fmt: skip
            return list(rows), int(total or 0)

    async def queue_upload(
        self,
        tenant_id: str,
        *,
        filename: str,
        media_type: str,
        sha256: str,
        content: bytes,
        document_id: str | None = None,
    ) -> tuple[KnowledgeDocument, bool]:
        """A queued document for these bytes, or (existing, True) when the tenant already has
        them. With `document_id` the new bytes are queued as that document's next version."""
        existing = await self.by_hash(tenant_id, sha256)
        if existing is not None:
            return existing, True
        fields = {
            "filename": filename, "media_type": media_type, "sha256": sha256,
            "size_bytes": len(content), "content": content, "status": DocumentStatus.QUEUED,
            "reason": None, "progress": 0.0,
        }  # fmt: skip
        try:
            async with self.sessions() as session, session.begin():
                if document_id is None:
                    title = filename.rsplit("/", 1)[-1] or "document"
                    doc = KnowledgeDocument(
                        id=new_id("doc"), tenant_id=tenant_id, title=title[:300], version=0,
                        chunk_count=0, **fields,
                    )  # fmt: skip
                    session.add(doc)
                else:
                    doc = await self._document(session, tenant_id, document_id)
                    for key, value in fields.items():
                        setattr(doc, key, value)
                return doc, False
        except IntegrityError:  # the same bytes raced in: answer the winner
            winner = await self.by_hash(tenant_id, sha256)
            if winner is None:
                raise
            return winner, True

    async def delete_document(self, tenant_id: str, document_id: str) -> None:
        async with self.sessions() as session, session.begin():
            doc = await self._document(session, tenant_id, document_id)
            await session.execute(
                sa.delete(KnowledgeChunk).where(KnowledgeChunk.document_id == doc.id)
            )
            await session.delete(doc)

    # Jobs ---------------------------------------------------------------------------------

    async def requeue_interrupted(self) -> list[str]:
        """Documents a dead server left `processing` go back to the queue; all queued ids."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                sa.update(KnowledgeDocument)
                .where(KnowledgeDocument.status == DocumentStatus.PROCESSING)
                .values(status=DocumentStatus.QUEUED, progress=0.0)
            )
            rows = await session.scalars(
                sa.select(KnowledgeDocument.id)
                .where(KnowledgeDocument.status == DocumentStatus.QUEUED)
                .order_by(KnowledgeDocument.created_at)
            )
            return list(rows)

    async def claim(self, document_id: str) -> tuple[KnowledgeDocument, bytes] | None:
        """Mark a queued document processing; its row and bytes (None if gone or not queued).
        Rows an interrupted attempt left at the next version stay until the job has read their
        embeddings (`known_embeddings`) and dropped them: a resumed job re-embeds nothing twice."""
        async with self.sessions() as session, session.begin():
            doc = await session.get(KnowledgeDocument, document_id)
            if doc is None or doc.status != DocumentStatus.QUEUED:
                return None
            doc.status, doc.progress, doc.reason = DocumentStatus.PROCESSING, 0.0, None
            content = await session.scalar(
                sa.select(KnowledgeDocument.content).where(KnowledgeDocument.id == document_id)
            )
            return doc, bytes(content or b"")

    async def report(self, document_id: str, sha256: str, progress: float) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                sa.update(KnowledgeDocument)
                .where(
                    KnowledgeDocument.id == document_id,
                    KnowledgeDocument.sha256 == sha256,
                    KnowledgeDocument.status == DocumentStatus.PROCESSING,
                )
                .values(progress=round(progress, 4))
            )

    async def known_embeddings(self, tenant_id: str, document_id: str) -> dict[str, bytes]:
        """content hash -> embedding of the document's chunks: unchanged passages are reused."""
        async with self.sessions() as session:
            rows = await session.execute(
                sa.select(KnowledgeChunk.content_hash, KnowledgeChunk.embedding).where(
                    KnowledgeChunk.tenant_id == tenant_id,
                    KnowledgeChunk.document_id == document_id,
                )
            )
            return {h: e for h, e in rows}

    async def write_chunks(
        self, tenant_id: str, document_id: str, version: int, rows: Sequence[ChunkRow]
    ) -> None:
        """Chunks of a version not yet current: invisible to search until `flip`."""
        async with self.sessions() as session, session.begin():
            session.add_all(
                KnowledgeChunk(
                    tenant_id=tenant_id, document_id=document_id, document_version=version,
                    ordinal=r.ordinal, heading_path=list(r.heading_path), text=r.text,
                    citation=r.citation, language=detect_language(r.text),
                    content_hash=r.content_hash, embedding=vector_bytes(r.embedding),
                )
                for r in rows
            )  # fmt: skip

    async def flip(
        self,
        document_id: str,
        sha256: str,
        version: int,
        *,
        title: str,
        pages: int | None,
        chunk_count: int,
    ) -> bool:
        """Make `version` current and drop every other version, in one transaction. False when
        the document changed meanwhile (deleted or re-uploaded): the caller drops its chunks."""
        async with self.sessions() as session, session.begin():
            done = await session.execute(
                sa.update(KnowledgeDocument)
                .where(
                    KnowledgeDocument.id == document_id,
                    KnowledgeDocument.sha256 == sha256,
                    KnowledgeDocument.status == DocumentStatus.PROCESSING,
                )
                .values(
                    version=version, status=DocumentStatus.READY, progress=1.0, reason=None,
                    title=title[:300], pages=pages, chunk_count=chunk_count, updated_at=utc_now(),
                )
            )  # fmt: skip
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            await session.execute(
                sa.delete(KnowledgeChunk).where(
                    KnowledgeChunk.document_id == document_id,
                    KnowledgeChunk.document_version != version,
                )
            )
            return True

    async def fail(self, document_id: str, sha256: str, version: int, reason: str) -> None:
        """Failed with the reason; the version's chunks go, the served version stays."""
        async with self.sessions() as session, session.begin():
            await self._drop_version(session, document_id, version)
            await session.execute(
                sa.update(KnowledgeDocument)
                .where(KnowledgeDocument.id == document_id, KnowledgeDocument.sha256 == sha256)
                .values(status=DocumentStatus.FAILED, reason=reason[:1000], progress=0.0)
            )

    async def drop_version(self, document_id: str, version: int) -> None:
        async with self.sessions() as session, session.begin():
            await self._drop_version(session, document_id, version)

    @staticmethod
    async def _drop_version(session: AsyncSession, document_id: str, version: int) -> None:
        await session.execute(
            sa.delete(KnowledgeChunk).where(
                KnowledgeChunk.document_id == document_id,
                KnowledgeChunk.document_version == version,
            )
        )

    # Index source -------------------------------------------------------------------------

    def _current(self, tenant_id: str) -> Any:
        """Chunks search may return: FAQ chunks and the current version of each document."""
        c, d, f = KnowledgeChunk, KnowledgeDocument, Faq
        return (
            sa.select(
                c,
                d.title.label("doc_title"),
                f.question.label("faq_question"),
                f.updated_at.label("faq_changed"),
                d.created_at.label("doc_created"),
            )
            .outerjoin(d, c.document_id == d.id)
            .outerjoin(f, c.faq_id == f.id)
            .where(
                c.tenant_id == require_tenant(tenant_id),
                sa.or_(c.faq_id.is_not(None), c.document_version == d.version),
            )
        )

    async def signature(self, tenant_id: str) -> Signature:
        """What changes whenever the current chunks do: their count and max id, the newest FAQ
        edit and the newest document. Ids alone are not enough: SQLite reuses the highest id
        after a delete (an FAQ edit deletes its chunk and adds one with the same id)."""
        sub = self._current(tenant_id).subquery()
        query = sa.select(sa.func.count(), sa.func.max(sub.c.id), sa.func.max(sub.c.faq_changed),
                          sa.func.max(sub.c.doc_created))  # fmt: skip
        async with self.sessions() as session:
            count, top, faq, doc = (await session.execute(query)).one()
            return int(count or 0), int(top or 0), faq, doc

    async def current_chunks(
        self, tenant_id: str
    ) -> tuple[Signature, list[IndexedChunk], np.ndarray]:
        """One statement, one snapshot: never chunks of two versions of a document."""
        async with self.sessions() as session:
            result = await session.execute(self._current(tenant_id).order_by(KnowledgeChunk.id))
            chunks, vectors = [], []
            faqs, docs = set(), set()
            for chunk, doc_title, faq_question, faq_changed, doc_created in result:
                faqs.add(faq_changed)
                docs.add(doc_created)
                chunks.append(
                    IndexedChunk(
                        chunk_id=chunk.id, faq_id=chunk.faq_id, document_id=chunk.document_id,
                        document_version=chunk.document_version,
                        title=faq_question or doc_title or "", text=chunk.text,
                        heading_path=tuple(chunk.heading_path), citation=chunk.citation,
                        language=chunk.language, ordinal=chunk.ordinal,
                    )
                )  # fmt: skip
                vectors.append(vector_from_bytes(chunk.embedding))
        signature = (len(chunks), max((c.chunk_id for c in chunks), default=0),
                     newest(faqs), newest(docs))  # fmt: skip
        matrix = np.stack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
        return signature, chunks, matrix
