"""Quick replies: list (cached, filtered in memory), create, use, delete.

The whole table (the seed expects 100-500 rows) is cached per process for 5 minutes behind the
Redis version key (graphs/supervision/tool_cache.py); every write, `use` included, bumps the
version after its commit, so every instance's next list shows it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.quick_replies.rules import check_reply, filled, shortcut_conflicts, visible_to
from api.quick_replies.schemas import QuickReplyCreate, QuickReplyOut, QuickReplyUse
from api.tenants.keys import PerTenant, tenant_prefix
from core.db.models import QuickReply
from core.db.repositories.accounts import UserRepository
from core.db.repositories.agent_tools import QuickReplyRepository
from core.errors import InvalidInput, NotFound
from graphs.supervision.auto_reply import chat_variables
from graphs.supervision.service import SupervisionService
from graphs.supervision.tool_cache import QUICK_REPLIES, VersionedCache


def _missing(reply_id: str) -> NotFound:
    return NotFound(f"quick reply {reply_id} not found", code="QUICK_REPLY_NOT_FOUND")


class QuickReplyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        prefix: str,
        supervision: SupervisionService,
    ) -> None:
        self.sessions = sessions
        self.supervision = supervision
        self.cache: PerTenant[VersionedCache[Sequence[QuickReplyOut]]] = PerTenant(
            lambda t: VersionedCache(
                redis, tenant_prefix(prefix, t), QUICK_REPLIES, self._loader(t)
            )
        )

    def _loader(self, tenant: str) -> Callable[[], Awaitable[Sequence[QuickReplyOut]]]:
        async def load() -> Sequence[QuickReplyOut]:
            async with self.sessions() as db:
                rows = await QuickReplyRepository(db, tenant).list_all()
            return tuple(QuickReplyOut.of(r) for r in rows)

        return load

    async def listing(
        self,
        tenant: str,
        viewer: str,
        *,
        category: str | None = None,
        keyword: str | None = None,
        is_shared: bool | None = None,
    ) -> list[QuickReplyOut]:
        """What `viewer` may see (shared + their own), most used first, filtered."""
        needle = (keyword or "").strip().casefold()
        found = []
        for reply in await self.cache(tenant).get():
            if not visible_to(viewer, reply.created_by, reply.is_shared):
                continue
            if category is not None and reply.category != category:
                continue
            if is_shared is not None and reply.is_shared != is_shared:
                continue
            text = f"{reply.title}\n{reply.content}\n{reply.shortcut or ''}".casefold()
            if needle and needle not in text:
                continue
            found.append(reply)
        return found

    async def create(self, principal: Principal, body: QuickReplyCreate) -> QuickReply:
        checked = check_reply(body.title, body.content, body.shortcut, body.variables)
        async with self.sessions.begin() as db:
            replies = QuickReplyRepository(db, principal.tenant)
            if checked.shortcut is not None:
                owners = await replies.shortcut_owners(checked.shortcut)
                if shortcut_conflicts(principal.username, body.is_shared, owners):
                    raise InvalidInput(f"快捷鍵 {checked.shortcut} 已被占用 / shortcut taken",
                                       code="SHORTCUT_CONFLICT", field="shortcut")  # fmt: skip
            reply = await replies.add(QuickReply(
                id=f"reply_{secrets.token_hex(6)}", category=body.category, title=checked.title,
                content=checked.content, variables=checked.variables, shortcut=checked.shortcut,
                is_shared=body.is_shared, is_system=False, created_by=principal.username,
                usage_count=0,
            ))  # fmt: skip
        await self.cache(principal.tenant).invalidate()
        return reply

    async def use(
        self, principal: Principal, reply_id: str, body: QuickReplyUse | None
    ) -> dict[str, Any]:
        """+1 usage, and the text filled from the session, the caller and `variables`. An
        unknown session is refused before anything is counted."""
        values: dict[str, Any] = {}
        if body is not None and body.session_name:
            found = await self.supervision.get_session(body.session_name)
            values.update(chat_variables(found["session"]))
        async with self.sessions.begin() as db:
            replies = QuickReplyRepository(db, principal.tenant)
            reply = await replies.get(reply_id)
            if reply is None or not visible_to(principal.username, reply.created_by,
                                               reply.is_shared):  # fmt: skip
                raise _missing(reply_id)
            count = await replies.count_use(reply_id)
            caller = await UserRepository(db).get(principal.user_id)
        await self.cache(principal.tenant).invalidate()
        if caller is not None:
            values["agent_name"] = caller.display_name
        values.update(body.variables if body is not None else {})
        text, missing = filled(reply.content, values)
        return {"id": reply.id, "usage_count": count or reply.usage_count + 1, "content": text,
                "missing_variables": missing}  # fmt: skip

    async def delete(self, tenant: str, reply_id: str) -> None:
        async with self.sessions.begin() as db:
            replies = QuickReplyRepository(db, tenant)
            reply = await replies.get(reply_id)
            if reply is None:
                raise _missing(reply_id)
            if reply.is_system:
                raise InvalidInput("系統預設回覆不可刪除 / a system reply cannot be deleted",
                                   code="SYSTEM_REPLY")  # fmt: skip
            await replies.delete(reply_id)
        await self.cache(tenant).invalidate()
