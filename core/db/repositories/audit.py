"""The append-only audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AuditEntry
from core.db.types import utc_now


class AuditRepository:
    """Status changes of any entity; rows are only ever inserted."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(
        self,
        entity_type: str,
        entity_id: str,
        *,
        operator: str,
        status_from: str | None = None,
        status_to: str | None = None,
        reason: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            entity_type=entity_type,
            entity_id=entity_id,
            status_from=status_from,
            status_to=status_to,
            operator=operator,
            reason=reason,
            detail=dict(detail) if detail is not None else None,
            created_at=now or utc_now(),
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def list_for(self, entity_type: str, entity_id: str) -> list[AuditEntry]:
        """Oldest first, the order the seed's `audit_trail` array uses."""
        stmt = (
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
        return list((await self.session.scalars(stmt)).all())
