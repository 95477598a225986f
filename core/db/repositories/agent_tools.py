"""Queries on quick replies, tags, session tags and auto-reply rules (seed 003 v3.0).

Counters (`usage_count`) are bumped with `SET n = n + 1` in SQL, never read-modify-write, so
concurrent uses on several API instances all count.

Every repository is one tenant's: reads filter by `tenant_id`, writes stamp it, so another
tenant's row is "not found". System tags (`tenant_id` NULL) are every tenant's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import DEFAULT_TENANT, AutoReplyRule, QuickReply, SessionTag, Tag
from core.db.types import utc_now


class QuickReplyRepository:
    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.mine = QuickReply.tenant_id == tenant_id

    async def list_all(self) -> list[QuickReply]:
        """Every reply, most used first (a few hundred rows: the service caches and filters)."""
        stmt = (
            sa.select(QuickReply)
            .where(self.mine)
            .order_by(QuickReply.usage_count.desc(), QuickReply.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def get(self, reply_id: str) -> QuickReply | None:
        reply = await self.session.get(QuickReply, reply_id)
        return reply if reply is not None and reply.tenant_id == self.tenant_id else None

    async def add(self, reply: QuickReply) -> QuickReply:
        reply.tenant_id = self.tenant_id
        self.session.add(reply)
        await self.session.flush()
        return reply

    async def shortcut_owners(self, shortcut: str) -> list[tuple[str, bool]]:
        """(created_by, is_shared) of the replies that already use `shortcut`."""
        stmt = sa.select(QuickReply.created_by, QuickReply.is_shared).where(
            QuickReply.shortcut == shortcut, self.mine
        )
        return [(row[0], bool(row[1])) for row in (await self.session.execute(stmt)).all()]

    async def delete(self, reply_id: str) -> None:
        await self.session.execute(
            sa.delete(QuickReply).where(QuickReply.id == reply_id, self.mine)
        )

    async def count_use(self, reply_id: str, *, now: datetime | None = None) -> int | None:
        """+1 usage; the new count, or None when the reply does not exist."""
        stmt = (
            sa.update(QuickReply)
            .where(QuickReply.id == reply_id, self.mine)
            .values(usage_count=QuickReply.usage_count + 1, updated_at=now or utc_now())
        )
        done = await self.session.execute(stmt)
        if not getattr(done, "rowcount", 0):
            return None
        count = await self.session.scalar(
            sa.select(QuickReply.usage_count).where(QuickReply.id == reply_id)
        )
        return int(count or 0)


class TagRepository:
    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.visible = sa.or_(Tag.tenant_id == tenant_id, Tag.tenant_id.is_(None))
        self.mine = SessionTag.tenant_id == tenant_id

    async def list_all(self) -> list[Tag]:
        stmt = (
            sa.select(Tag)
            .where(self.visible)
            .order_by(Tag.is_system.desc(), Tag.created_at, Tag.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def get(self, tag_id: str) -> Tag | None:
        tag = await self.session.get(Tag, tag_id)
        return tag if tag is not None and tag.tenant_id in (None, self.tenant_id) else None

    async def name_taken(self, name: str) -> bool:
        """Any tag of this tenant (or the system's) with this name, ignoring letter case (VIP
        and vip are one tag)."""
        stmt = sa.select(Tag.id).where(sa.func.lower(Tag.name) == name.lower(), self.visible)
        return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def add(self, tag: Tag) -> Tag:
        tag.tenant_id = self.tenant_id
        self.session.add(tag)
        await self.session.flush()
        return tag

    async def of_session(self, session_name: str) -> list[tuple[SessionTag, Tag]]:
        """The session's tags, in the order they were added."""
        stmt = (
            sa.select(SessionTag, Tag)
            .join(Tag, Tag.id == SessionTag.tag_id)
            .where(SessionTag.session_name == session_name, self.mine)
            .order_by(SessionTag.added_at, Tag.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def of_sessions(self, session_names: Iterable[str]) -> dict[str, list[Tag]]:
        """Tags of many sessions at once (the agents' queue page), by session name."""
        names = sorted(set(session_names))
        found: dict[str, list[Tag]] = {name: [] for name in names}
        if not names:
            return found
        stmt = (
            sa.select(SessionTag.session_name, Tag)
            .join(Tag, Tag.id == SessionTag.tag_id)
            .where(SessionTag.session_name.in_(names), self.mine)
            .order_by(SessionTag.added_at, Tag.id)
        )
        for name, tag in (await self.session.execute(stmt)).all():
            found[name].append(tag)
        return found

    async def attach(self, session_name: str, tag_id: str, added_by: str, now: datetime) -> None:
        self.session.add(
            SessionTag(
                session_name=session_name,
                tag_id=tag_id,
                added_by=added_by,
                added_at=now,
                tenant_id=self.tenant_id,
            )
        )
        await self.session.flush()
        await self.session.execute(
            sa.update(Tag).where(Tag.id == tag_id).values(usage_count=Tag.usage_count + 1)
        )

    async def detach(self, session_name: str, tag_id: str) -> bool:
        done = await self.session.execute(
            sa.delete(SessionTag).where(
                SessionTag.session_name == session_name, SessionTag.tag_id == tag_id, self.mine
            )
        )
        if not getattr(done, "rowcount", 0):
            return False
        await self.session.execute(
            sa.update(Tag)
            .where(Tag.id == tag_id, Tag.usage_count > 0)
            .values(usage_count=Tag.usage_count - 1)
        )
        return True

    async def sessions_with(self, tag_id: str, *, limit: int, offset: int) -> tuple[list[str], int]:
        """Session names carrying the tag, most recently tagged first, and how many in all."""
        where = sa.and_(SessionTag.tag_id == tag_id, self.mine)
        total = await self.session.scalar(
            sa.select(sa.func.count(SessionTag.session_name)).where(where)
        )
        stmt = (
            sa.select(SessionTag.session_name)
            .where(where)
            .order_by(SessionTag.added_at.desc(), SessionTag.session_name)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.scalars(stmt)).all()), int(total or 0)

    async def sessions_with_all(self, tag_ids: Sequence[str]) -> set[str]:
        """Sessions carrying every one of `tag_ids` (the queue's tag filter)."""
        if not tag_ids:
            return set()
        stmt = (
            sa.select(SessionTag.session_name)
            .where(SessionTag.tag_id.in_(list(tag_ids)), self.mine)
            .group_by(SessionTag.session_name)
            .having(sa.func.count(SessionTag.tag_id) == len(set(tag_ids)))
        )
        return set((await self.session.scalars(stmt)).all())


class AutoReplyRuleRepository:
    """One tenant's rules (the supervision graph's cache names the session's tenant;
    `default` for callers from before tenants)."""

    def __init__(self, session: AsyncSession, tenant_id: str = DEFAULT_TENANT) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.mine = AutoReplyRule.tenant_id == tenant_id

    async def list_all(self) -> list[AutoReplyRule]:
        stmt = (
            sa.select(AutoReplyRule)
            .where(self.mine)
            .order_by(AutoReplyRule.type, AutoReplyRule.created_at, AutoReplyRule.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def get(self, rule_id: str) -> AutoReplyRule | None:
        rule = await self.session.get(AutoReplyRule, rule_id)
        return rule if rule is not None and rule.tenant_id == self.tenant_id else None

    async def count_of_type(self, rule_type: str) -> int:
        stmt = sa.select(sa.func.count(AutoReplyRule.id)).where(
            AutoReplyRule.type == rule_type, self.mine
        )
        return int(await self.session.scalar(stmt) or 0)

    async def add(self, rule: AutoReplyRule) -> AutoReplyRule:
        rule.tenant_id = self.tenant_id
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def delete(self, rule_id: str) -> bool:
        done = await self.session.execute(
            sa.delete(AutoReplyRule).where(AutoReplyRule.id == rule_id, self.mine)
        )
        return bool(getattr(done, "rowcount", 0))
