"""Tags: the list (cached), custom tags, tags on sessions, sessions by tag, and what the agents'
queue needs (`tags_of_sessions`, `sessions_tagged`).

Adding a tag to a session takes a per-session Redis lock around "count, then insert": two agents
tagging one session on two instances at once cannot both add the 10th and so reach 11.
Which sessions exist, and their status and last message, come from the supervision queue index
(Redis), so tagging never opens a checkpoint.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.tags.rules import check_color, check_deletable, check_icon, check_name, check_room
from api.tags.schemas import SessionTagOut, TagCreate, TagOut
from api.tenants.keys import PerTenant, tenant_prefix
from core.db.models import Tag, TagCategory
from core.db.repositories.agent_tools import TagRepository
from core.db.types import utc_now
from core.errors import InvalidInput, NotFound
from graphs.supervision.service import SupervisionService, visible
from graphs.supervision.takeover import SessionLocks
from graphs.supervision.tool_cache import TAGS, VersionedCache


def _tag_exists(name: str) -> InvalidInput:
    return InvalidInput(f"標籤名稱已存在 / a tag named {name} exists", code="TAG_EXISTS",
                        field="name")  # fmt: skip


def _no_tag(tag_id: str) -> NotFound:
    return NotFound(f"tag {tag_id} not found", code="TAG_NOT_FOUND")


class TagService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        prefix: str,
        supervision: SupervisionService,
    ) -> None:
        self.sessions = sessions
        self.supervision = supervision
        self.locks = PerTenant(
            lambda t: SessionLocks(redis, f"{tenant_prefix(prefix, t)}:tags", wait_seconds=10)
        )
        self.cache: PerTenant[VersionedCache[Sequence[TagOut]]] = PerTenant(
            lambda t: VersionedCache(redis, tenant_prefix(prefix, t), TAGS, self._loader(t))
        )

    def _loader(self, tenant: str) -> Callable[[], Awaitable[Sequence[TagOut]]]:
        async def load() -> Sequence[TagOut]:
            async with self.sessions() as db:
                return tuple(TagOut.of(t) for t in await TagRepository(db, tenant).list_all())

        return load

    async def listing(self, tenant: str) -> dict[str, Any]:
        tags = await self.cache(tenant).get()
        system = [t for t in tags if t.is_system]
        custom = [t for t in tags if not t.is_system]
        return {"system_tags": system, "custom_tags": custom, "total": len(tags)}

    async def create(self, principal: Principal, body: TagCreate) -> Tag:
        name, color, icon = check_name(body.name), check_color(body.color), check_icon(body.icon)
        try:
            async with self.sessions.begin() as db:
                tags = TagRepository(db, principal.tenant)
                if await tags.name_taken(name):
                    raise _tag_exists(name)
                tag = await tags.add(Tag(
                    id=f"tag_custom_{secrets.token_hex(5)}", name=name, color=color, icon=icon,
                    category=TagCategory.CUSTOM.value, is_system=False, usage_count=0,
                    created_by=principal.username, created_at=utc_now(),
                ))  # fmt: skip
        except IntegrityError:  # the same name created on another instance meanwhile
            raise _tag_exists(name) from None
        await self.cache(principal.tenant).invalidate()
        return tag

    async def delete(self, tenant: str, tag_id: str) -> None:
        """A custom tag, and with it its places on sessions; system tags are refused."""
        async with self.sessions.begin() as db:
            tags = TagRepository(db, tenant)
            tag = await tags.get(tag_id)
            if tag is None:
                raise _no_tag(tag_id)
            check_deletable(tag.is_system)
            await db.delete(tag)
        await self.cache(tenant).invalidate()

    async def _require_session(self, session_name: str) -> dict[str, Any]:
        found = await self.supervision.index.summaries([session_name])
        if session_name not in found or not visible(found[session_name]):
            raise NotFound(f"chat session {session_name} not found", code="SESSION_NOT_FOUND")
        return found[session_name]

    async def session_tags(self, tenant: str, session_name: str) -> list[SessionTagOut]:
        async with self.sessions() as db:
            pairs = await TagRepository(db, tenant).of_session(session_name)
        return [
            SessionTagOut(id=tag.id, name=tag.name, color=tag.color, icon=tag.icon,
                          added_at=link.added_at.timestamp(), added_by=link.added_by)
            for link, tag in pairs
        ]  # fmt: skip

    async def add(self, principal: Principal, session_name: str, tag_id: str) -> dict[str, Any]:
        await self._require_session(session_name)
        tenant = principal.tenant
        async with self.locks(tenant).hold(session_name), self.sessions.begin() as db:
            tags = TagRepository(db, tenant)
            if await tags.get(tag_id) is None:
                raise _no_tag(tag_id)
            current = await tags.of_session(session_name)
            if any(tag.id == tag_id for _, tag in current):
                raise InvalidInput("該標籤已添加到此會話 / the session already has this tag",
                                   code="TAG_ALREADY_ADDED")  # fmt: skip
            check_room(len(current))
            await tags.attach(session_name, tag_id, principal.username, utc_now())
        await self.cache(tenant).invalidate()  # usage_count moved
        tags_now = await self.session_tags(tenant, session_name)
        return {"session_name": session_name, "tags": tags_now}

    async def remove(self, tenant: str, session_name: str, tag_id: str) -> None:
        async with self.locks(tenant).hold(session_name), self.sessions.begin() as db:
            if not await TagRepository(db, tenant).detach(session_name, tag_id):
                raise NotFound(f"session {session_name} has no tag {tag_id}",
                               code="TAG_NOT_ON_SESSION")  # fmt: skip
        await self.cache(tenant).invalidate()

    async def sessions_by_tag(
        self, tenant: str, tag_id: str, page: int, page_size: int
    ) -> dict[str, Any]:
        async with self.sessions() as db:
            tags = TagRepository(db, tenant)
            tag = await tags.get(tag_id)
            if tag is None:
                raise _no_tag(tag_id)
            offset = (page - 1) * page_size
            names, total = await tags.sessions_with(tag_id, limit=page_size, offset=offset)
            names_of = await tags.of_sessions(names)
        summaries = await self.supervision.index.summaries(names)
        sessions = []
        for name in names:
            summary = summaries.get(name) or {}
            sessions.append({
                "session_name": name, "status": summary.get("status"),
                "tags": [t.name for t in names_of.get(name, [])],
                "last_message_preview": summary.get("last_message_preview") or "",
            })  # fmt: skip
        pages = math.ceil(total / page_size) if total else 0
        return {"tag": {"id": tag.id, "name": tag.name}, "sessions": sessions, "total": total,
                "page": page, "total_pages": pages}  # fmt: skip


async def tags_of_sessions(
    sessions: async_sessionmaker[AsyncSession], tenant: str, names: Iterable[str]
) -> dict[str, list[dict[str, str]]]:
    """For the agents' queue: `{session_name: [{id, name, color}]}` in one query."""
    async with sessions() as db:
        found = await TagRepository(db, tenant).of_sessions(names)
    return {n: [{"id": t.id, "name": t.name, "color": t.color} for t in ts]
            for n, ts in found.items()}  # fmt: skip


async def sessions_tagged(
    sessions: async_sessionmaker[AsyncSession], tenant: str, tag_ids: Sequence[str]
) -> set[str]:
    """For the agents' queue filter: the sessions carrying every one of `tag_ids`."""
    async with sessions() as db:
        return await TagRepository(db, tenant).sessions_with_all(tag_ids)
