"""FAQs with history in the service database (the FAQ half of `KnowledgeStore`).

Every query names the tenant; a row of another tenant is "not found", never "forbidden". Saving
an FAQ writes its new version, its history row and its one index chunk in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import session_factory
from core.db.models.knowledge import Faq, FaqVersion, KnowledgeChunk
from core.errors import NotFound

from .index import require_tenant, vector_bytes


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


Signature = tuple[int, int, datetime | None, datetime | None]


def newest(values: set[datetime | None]) -> datetime | None:
    return max((v for v in values if v is not None), default=None)


def faq_passage(question: str, answer: str) -> str:
    return f"{question}\n{answer}"


class FaqStore:
    """FAQs and their version history; an FAQ is one chunk of its own in the index."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(engine)

    # FAQs ---------------------------------------------------------------------------------

    async def faq(self, tenant_id: str, faq_id: str) -> Faq:
        async with self.sessions() as session:
            return await self._faq(session, tenant_id, faq_id)

    async def _faq(self, session: AsyncSession, tenant_id: str, faq_id: str) -> Faq:
        row = await session.scalar(
            sa.select(Faq).where(Faq.tenant_id == require_tenant(tenant_id), Faq.id == faq_id)
        )
        if row is None:
            raise NotFound(f"找不到 FAQ / no FAQ {faq_id}")
        return row

    async def faq_history(self, tenant_id: str, faq_id: str) -> list[FaqVersion]:
        async with self.sessions() as session:
            rows = await session.scalars(
                sa.select(FaqVersion)
                .where(FaqVersion.tenant_id == tenant_id, FaqVersion.faq_id == faq_id)
                .order_by(FaqVersion.version.desc())
            )
            return list(rows)

    async def list_faqs(
        self,
        tenant_id: str,
        *,
        category: str | None = None,
        published: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Faq], int]:
        where = [Faq.tenant_id == require_tenant(tenant_id)]
        if category:
            where.append(Faq.category == category)
        if published is not None:
            where.append(Faq.published == published)
        async with self.sessions() as session:
            total = await session.scalar(sa.select(sa.func.count()).select_from(Faq).where(*where))
            rows = await session.scalars(
                sa.select(Faq).where(*where).order_by(Faq.created_at, Faq.id)
                .limit(limit).offset(offset)
            )  # fmt: skip
            return list(rows), int(total or 0)

    async def save_faq(
        self,
        tenant_id: str,
        fields: dict[str, Any],
        embedding: np.ndarray | None,
        *,
        faq_id: str | None = None,
        edited_by: str | None = None,
    ) -> Faq:
        """Create (no id) or update an FAQ: new version, history row, chunk replaced (or removed
        when unpublished), all in one transaction."""
        require_tenant(tenant_id)
        async with self.sessions() as session, session.begin():
            if faq_id is None:
                faq = Faq(id=new_id("faq"), tenant_id=tenant_id, version=1, **fields)
                session.add(faq)
            else:
                faq = await self._faq(session, tenant_id, faq_id)
                for key, value in fields.items():
                    setattr(faq, key, value)
                faq.version += 1
            await session.flush()
            session.add(
                FaqVersion(
                    tenant_id=tenant_id, faq_id=faq.id, version=faq.version,
                    question=faq.question, answer=faq.answer, category=faq.category,
                    tags=list(faq.tags), language=faq.language, published=faq.published,
                    edited_by=edited_by,
                )
            )  # fmt: skip
            await session.execute(sa.delete(KnowledgeChunk).where(KnowledgeChunk.faq_id == faq.id))
            if faq.published and embedding is not None:
                session.add(
                    KnowledgeChunk(
                        tenant_id=tenant_id, faq_id=faq.id, document_version=faq.version,
                        ordinal=0, heading_path=[faq.category], citation=f"FAQ {faq.id}",
                        text=faq_passage(faq.question, faq.answer), language=faq.language,
                        content_hash="", embedding=vector_bytes(embedding),
                    )
                )  # fmt: skip
            return faq

    async def delete_faq(self, tenant_id: str, faq_id: str) -> None:
        async with self.sessions() as session, session.begin():
            faq = await self._faq(session, tenant_id, faq_id)
            await session.execute(sa.delete(KnowledgeChunk).where(KnowledgeChunk.faq_id == faq.id))
            await session.execute(sa.delete(FaqVersion).where(FaqVersion.faq_id == faq.id))
            await session.delete(faq)
