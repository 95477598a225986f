"""`/api/auto-reply-rules` (seed 003 v3.0 routes 10-13): admins only, as the seed's table says.
HTTP only; validation in rules.py, where each type fires in graphs/supervision/auto_reply.py."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import admin_only
from api.auth.services import Principal
from api.auto_replies.dependencies import AUTO_REPLY_DEPENDENCIES
from api.auto_replies.schemas import (
    Done,
    RuleCreate,
    RuleList,
    RuleListResponse,
    RuleOut,
    RuleResponse,
    RuleUpdate,
)
from api.auto_replies.services import AutoReplyRuleService
from api.errors import error_responses

RULE_ID = Parameter(pattern=r"^[A-Za-z0-9_-]{1,40}$", max_length=40)
CHECKS = (
    "400 INVALID_RULE (reply_content 1-1000 characters, delay_seconds 0-60), "
    "INVALID_CONDITION (keywords: 1-50 of 1-50 characters; welcome event first_message or "
    "conversation_start; queue min_position; timeout wait_seconds 5-3600; no other keys); "
    "409 TOO_MANY_RULES (20 of one type)."
)


class AutoReplyRulesController(Controller):
    path = "/api/auto-reply-rules"
    tags = ("auto replies",)  # type: ignore[assignment]
    dependencies = AUTO_REPLY_DEPENDENCIES  # type: ignore[assignment]
    guards = [admin_only]  # noqa: RUF012

    @get(
        "/",
        security=BEARER,
        summary="All auto-reply rules (admin)",
        responses=error_responses(401, 403),
    )
    async def list_rules(
        self, rules: AutoReplyRuleService, principal: Principal
    ) -> RuleListResponse:
        items = await rules.listing(principal.tenant)
        return RuleListResponse(data=RuleList(items=items, total=len(items)))

    @post(
        "/",
        status_code=200,
        security=BEARER,
        summary="Create an auto-reply rule (admin)",
        description="Types: welcome, offline, busy, queue, keyword, timeout. " + CHECKS,
        responses=error_responses(400, 401, 403, 409, 422),
    )
    async def create_rule(
        self, data: RuleCreate, rules: AutoReplyRuleService, principal: Principal
    ) -> RuleResponse:
        return RuleResponse(data=RuleOut.of(await rules.create(principal, data)))

    @put(
        "/{rule_id:str}",
        security=BEARER,
        summary="Change an auto-reply rule (admin): only the fields given",
        description=CHECKS,
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )
    async def update_rule(
        self,
        data: RuleUpdate,
        rules: AutoReplyRuleService,
        principal: Principal,
        rule_id: str = RULE_ID,
    ) -> RuleResponse:
        return RuleResponse(data=RuleOut.of(await rules.update(principal.tenant, rule_id, data)))

    @delete(
        "/{rule_id:str}",
        status_code=200,
        security=BEARER,
        summary="Delete an auto-reply rule (admin)",
        responses=error_responses(401, 403, 404),
    )
    async def delete_rule(
        self, rules: AutoReplyRuleService, principal: Principal, rule_id: str = RULE_ID
    ) -> Done:
        await rules.delete(principal.tenant, rule_id)
        return Done(message="自動回覆規則已刪除")
