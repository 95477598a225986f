"""`/api/quick-replies` (seed 003 v3.0 routes 1-4). HTTP only; rules live in rules.py.

Permissions as the seed's table: any agent (or admin) lists and uses; only admins create and
delete. Store staff get 403.
"""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import admin_only, customer_service
from api.auth.services import Principal
from api.errors import error_responses
from api.quick_replies.dependencies import QUICK_REPLY_DEPENDENCIES
from api.quick_replies.schemas import (
    Category,
    Done,
    QuickReplyCreate,
    QuickReplyCreatedResponse,
    QuickReplyList,
    QuickReplyListResponse,
    QuickReplyUse,
    QuickReplyUsedResponse,
    created,
)
from api.quick_replies.services import QuickReplyService

REPLY_ID = Parameter(pattern=r"^[A-Za-z0-9_-]{1,40}$", max_length=40)


class QuickRepliesController(Controller):
    path = "/api/quick-replies"
    tags = ("quick replies",)  # type: ignore[assignment]
    dependencies = QUICK_REPLY_DEPENDENCIES  # type: ignore[assignment]

    @get(
        "/",
        guards=[customer_service],
        security=BEARER,
        summary="Quick replies: shared ones and your own, most used first",
        description="Filters: `category`, `keyword` (title, content, shortcut), `is_shared`. "
        "Cached 5 minutes per instance; any write shows at once on every instance.",
        responses=error_responses(400, 401, 403),
    )
    async def list_replies(
        self,
        quick_replies: QuickReplyService,
        principal: Principal,
        category: Category | None = None,
        keyword: str | None = Parameter(default=None, max_length=100),
        is_shared: bool | None = None,
    ) -> QuickReplyListResponse:
        items = await quick_replies.listing(
            principal.tenant,
            principal.username,
            category=category,
            keyword=keyword,
            is_shared=is_shared,
        )
        return QuickReplyListResponse(data=QuickReplyList(items=items, total=len(items)))

    @post(
        "/",
        status_code=200,
        guards=[admin_only],
        security=BEARER,
        summary="Create a quick reply (admin)",
        description="400 INVALID_LENGTH (title 1-100, content 1-2000), INVALID_SHORTCUT "
        "(Ctrl+1 … Ctrl+9), INVALID_VARIABLE (`{name}`), SHORTCUT_CONFLICT.",
        responses=error_responses(400, 401, 403, 422),
    )
    async def create_reply(
        self, data: QuickReplyCreate, quick_replies: QuickReplyService, principal: Principal
    ) -> QuickReplyCreatedResponse:
        reply = await quick_replies.create(principal, data)
        return QuickReplyCreatedResponse.model_validate({"data": created(reply)})

    @post(
        "/{reply_id:str}/use",
        status_code=200,
        guards=[customer_service],
        security=BEARER,
        summary="Use a quick reply: count it and get its text with variables filled",
        description="Optional body: `session_name` fills customer_name, agent_name (you), "
        "session_name from that chat; `variables` adds or overrides values. Variables nothing "
        "filled stay as written and are listed in `missing_variables`.",
        responses=error_responses(400, 401, 403, 404, 422),
    )
    async def use_reply(
        self,
        quick_replies: QuickReplyService,
        principal: Principal,
        reply_id: str = REPLY_ID,
        data: QuickReplyUse | None = None,
    ) -> QuickReplyUsedResponse:
        used = await quick_replies.use(principal, reply_id, data)
        return QuickReplyUsedResponse.model_validate({"data": used})

    @delete(
        "/{reply_id:str}",
        status_code=200,
        guards=[admin_only],
        security=BEARER,
        summary="Delete a quick reply (admin); system replies are refused (400 SYSTEM_REPLY)",
        responses=error_responses(400, 401, 403, 404),
    )
    async def delete_reply(
        self, quick_replies: QuickReplyService, principal: Principal, reply_id: str = REPLY_ID
    ) -> Done:
        await quick_replies.delete(principal.tenant, reply_id)
        return Done(message="快捷回覆已刪除")
