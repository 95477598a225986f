"""Auto-reply rules: CRUD for admins. Every write bumps the rules' cache version after its
commit, so the supervision graph on every instance applies the change to that tenant's chats
on their next turn (graphs/supervision/tool_cache.py)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.auto_replies.rules import check_rule, check_type_room
from api.auto_replies.schemas import RuleCreate, RuleOut, RuleUpdate
from api.tenants.keys import PerTenant, tenant_prefix
from core.db.models import AutoReplyRule
from core.db.repositories.agent_tools import AutoReplyRuleRepository
from core.db.types import utc_now
from core.errors import NotFound
from graphs.supervision.tool_cache import AUTO_REPLY_RULES, VersionedCache


def _missing(rule_id: str) -> NotFound:
    return NotFound(f"auto-reply rule {rule_id} not found", code="RULE_NOT_FOUND")


class AutoReplyRuleService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, prefix: str
    ) -> None:
        self.sessions = sessions
        # the same version key as the graph's cache of this tenant's rules (tool_cache.py)
        self.cache: PerTenant[VersionedCache[list[RuleOut]]] = PerTenant(
            lambda t: VersionedCache(
                redis, tenant_prefix(prefix, t), AUTO_REPLY_RULES, self._loader(t)
            )
        )

    def _loader(self, tenant: str) -> Callable[[], Awaitable[list[RuleOut]]]:
        async def load() -> list[RuleOut]:
            async with self.sessions() as db:
                rows = await AutoReplyRuleRepository(db, tenant).list_all()
            return [RuleOut.of(r) for r in rows]

        return load

    async def listing(self, tenant: str) -> list[RuleOut]:
        return list(await self.cache(tenant).get())

    async def create(self, principal: Principal, body: RuleCreate) -> AutoReplyRule:
        checked = check_rule(body.type, body.trigger_condition, body.reply_content,
                             body.delay_seconds)  # fmt: skip
        async with self.sessions.begin() as db:
            rules = AutoReplyRuleRepository(db, principal.tenant)
            check_type_room(await rules.count_of_type(checked.type))
            rule = await rules.add(AutoReplyRule(
                id=f"rule_{secrets.token_hex(6)}", type=checked.type,
                trigger_condition=checked.trigger_condition, reply_content=checked.reply_content,
                variables=checked.variables, enabled=body.enabled,
                delay_seconds=checked.delay_seconds, created_by=principal.username,
            ))  # fmt: skip
        await self.cache(principal.tenant).invalidate()
        return rule

    async def update(self, tenant: str, rule_id: str, body: RuleUpdate) -> AutoReplyRule:
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        async with self.sessions.begin() as db:
            rules = AutoReplyRuleRepository(db, tenant)
            rule = await rules.get(rule_id)
            if rule is None:
                raise _missing(rule_id)
            rule_type = changes.get("type", rule.type)
            condition = changes.get("trigger_condition")
            if condition is None:  # same condition; under a new type it must still fit
                condition = rule.trigger_condition
            checked = check_rule(rule_type, condition,
                                 changes.get("reply_content", rule.reply_content),
                                 changes.get("delay_seconds", rule.delay_seconds))  # fmt: skip
            if rule_type != rule.type:
                check_type_room(await rules.count_of_type(rule_type))
            rule.type, rule.trigger_condition = checked.type, checked.trigger_condition
            rule.reply_content, rule.variables = checked.reply_content, checked.variables
            rule.delay_seconds = checked.delay_seconds
            rule.enabled = changes.get("enabled", rule.enabled)
            rule.updated_at = utc_now()
            await db.flush()
        await self.cache(tenant).invalidate()
        return rule

    async def delete(self, tenant: str, rule_id: str) -> None:
        async with self.sessions.begin() as db:
            if not await AutoReplyRuleRepository(db, tenant).delete(rule_id):
                raise _missing(rule_id)
        await self.cache(tenant).invalidate()
