"""Customer routes (no account): open a chat, then talk to it with the session token.

`/api/chat` answers JSON when the turn is over; `/api/chat/stream` streams the same turn as SSE
(seed 003: `message` tokens and the final `done` keep their exact format; `status_change` and
`manual_message` are additions old clients ignore). While an agent is involved the message is
stored and pushed to the agent (`manual_message` role `user`), no AI answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.chat.access import Caller
from api.chat.dependencies import CHAT_DEPENDENCIES
from api.chat.schemas import (
    ChatRequest,
    ChatResponse,
    ChatTurn,
    ConversationResponse,
    NewConversation,
)
from api.chat.services import ChatService, answer_of
from api.errors import error_responses
from api.sse import EventStreamResponse, SseOperation, sse_response
from api.tenants.gate import SITE_KEY_HEADER, TenantGate
from graphs.supervision.service import CALLER_TENANT

PUBLIC = {"exclude_from_auth": True}
TURN_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)
TURN_NOTES = (
    " Needs the customer token of `session_name`. 409 `RUN_IN_PROGRESS` (with `Retry-After`) "
    "while the previous message of the session is still being answered (double texting is "
    "rejected, nothing is stored), 409 `SESSION_CLOSED`; 429 `RATE_LIMITED` over "
    "`CHAT_RATE_PER_SESSION` (20/min) or `CHAT_RATE_PER_IP`, with `Retry-After`."
)
STREAM_DESCRIPTION = (
    "`text/event-stream` of this turn. bot_active: `message` `{type, content}` per AI token "
    "(or `status_change` + `manual_message` role `system` when the policy escalates), then "
    '`done` `{type: "done", content: ""}`. pending_manual / manual_live: `manual_message` '
    "role `user` (stored, pushed to the agent), then `done`. Ids 1, 2, ... per stream; the "
    "session stream (`GET /api/sessions/{session_name}/stream`) carries the same events with "
    "resumable ids." + TURN_NOTES
)


class ChatController(Controller):
    tags = ("customer chat",)  # type: ignore[assignment]
    dependencies = CHAT_DEPENDENCIES  # type: ignore[assignment]

    @post(
        "/api/conversation/new",
        status_code=201,
        opt=PUBLIC,
        summary="Open a chat session (no account): session_name + customer token",
        description="The widget's public site key (`X-Site-Key`) picks the tenant the chat "
        "belongs to; the token carries it from then on. 401 `SITE_KEY_REQUIRED` without the "
        "header, 401 `SITE_KEY_INVALID` for an unknown key, 403 `TENANT_SUSPENDED`. Rate "
        "limited per client IP (`CONVERSATION_RATE_PER_IP`, 429).",
        responses=error_responses(400, 401, 403, 422, 429),
    )
    async def new_conversation(
        self,
        request: Request[Any, Any, Any],
        chat: ChatService,
        ip: str,
        site_key: Annotated[
            str | None,
            Parameter(
                header=SITE_KEY_HEADER,
                max_length=64,
                required=False,
                description="the widget's public site key: the tenant of the chat",
            ),
        ] = None,
        data: NewConversation | None = None,
    ) -> ConversationResponse:
        gate: TenantGate = request.app.state.tenants
        tenant = await gate.tenant_of_site_key(site_key)
        CALLER_TENANT.set(tenant)  # the site's tenant, whatever token came along
        profile = data.user_profile.given() if data and data.user_profile else None
        opened = await chat.open(profile, ip, tenant)
        return ConversationResponse.model_validate({"data": opened})

    @post(
        "/api/chat",
        status_code=200,
        opt=PUBLIC,
        security=BEARER,
        summary="Send a customer message; JSON answer when the turn is over",
        description="The turn's events (AI tokens merged) and the joined answer." + TURN_NOTES,
        responses=TURN_ERRORS,
    )
    async def chat(
        self, data: ChatRequest, chat: ChatService, caller: Caller, ip: str
    ) -> ChatResponse:
        turn = await chat.begin(caller, data.session_name, data.message, ip)
        events = await chat.run(turn)
        status = (await chat.state(data.session_name))["status"]
        answer = answer_of(events)
        body = ChatTurn(session_name=data.session_name, status=status, answer=answer, events=events)
        return ChatResponse(data=body)

    @post(
        "/api/chat/stream",
        status_code=200,
        opt=PUBLIC,
        security=BEARER,
        summary="Send a customer message; the turn as Server-Sent Events",
        description=STREAM_DESCRIPTION,
        media_type="text/event-stream",
        responses=TURN_ERRORS,
        response_description="Server-Sent Events stream",
        operation_class=SseOperation,
    )
    async def chat_stream(
        self,
        request: Request[Any, Any, Any],
        data: ChatRequest,
        chat: ChatService,
        caller: Caller,
        ip: str,
    ) -> EventStreamResponse:
        turn = await chat.begin(caller, data.session_name, data.message, ip)
        return sse_response(request, turn.sse, cleanup=turn.finish)
