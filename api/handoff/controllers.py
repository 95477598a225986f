"""Seed 003 P0/P1 routes: `/api/manual/*`, `/api/sessions/*` (the agents' side of the chat).

Shared routes (a customer's own session, or any session for an agent/admin) resolve the caller
from the bearer token themselves; agent-only routes use the staff middleware and the
`customer_service` guard. Rules and statuses come from the supervision service.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import customer_service
from api.auth.services import Principal
from api.chat.access import Caller
from api.chat.schemas import SESSION_NAME_PATTERN
from api.errors import error_responses
from api.handoff.dependencies import HANDOFF_DEPENDENCIES
from api.handoff.schemas import (
    CancelRequest,
    EmailRequest,
    EscalateRequest,
    MailResponse,
    ManualMessageRequest,
    MessageAckResponse,
    QueueResponse,
    ReleaseRequest,
    SessionDetailResponse,
    SessionStateResponse,
    StatsResponse,
    Status,
    TakeoverRequest,
    TakeoverResponse,
    TransferRequest,
)
from api.handoff.services import HandoffService
from api.handoff.stats import SessionStats
from api.handoff.streams import resume_point, session_events
from api.runtime import Runtime
from api.sse import EventStreamResponse, SseOperation, sse_response

SHARED = {"exclude_from_auth": True}
NAME = Parameter(pattern=SESSION_NAME_PATTERN, max_length=64)
SHARED_NOTE = " Customer token of this session, or an agent/admin token."
STREAM_DESCRIPTION = (
    "Long-lived `text/event-stream` of one chat session. Customer token: every event "
    "(`message` AI tokens, `done` after each turn, `manual_message`, `status_change`); agent "
    "token: `manual_message` and `status_change`. Each event's `id:` is its event-hub id, the "
    "same on every instance: reconnect with the `Last-Event-ID` header (or `?last_event_id=`) "
    "to get exactly what was missed. `resync` means events were trimmed: reload the session. "
    "Ends after `status_change` to `closed`; `: ping` comments keep it open."
)


def _agent(path: str, summary: str, *statuses: int, **kwargs: Any) -> Any:
    return post(
        path,
        status_code=200,
        guards=[customer_service],
        security=BEARER,
        summary=summary,
        responses=error_responses(*statuses),
        **kwargs,
    )


class ManualController(Controller):
    path = "/api/manual"
    tags = ("chat handoff",)  # type: ignore[assignment]
    dependencies = HANDOFF_DEPENDENCIES  # type: ignore[assignment]

    @post(
        "/escalate",
        status_code=200,
        opt=SHARED,
        security=BEARER,
        summary="Ask for a human (P0): pending_manual, or the off-hours auto-reply",
        description="409 MANUAL_IN_PROGRESS when an agent is already pending or live."
        + SHARED_NOTE,
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )
    async def escalate(
        self, data: EscalateRequest, handoff: HandoffService, caller: Caller
    ) -> SessionStateResponse:
        session = await handoff.escalate(caller, data.session_name, data.reason, data.details)
        return SessionStateResponse.model_validate({"data": session})

    @post(
        "/cancel",
        status_code=200,
        opt=SHARED,
        security=BEARER,
        summary="Stop waiting for a human: pending_manual back to the AI",
        description="pending_manual → bot_active with `status_change` (reason "
        "`escalation_cancelled`) on the session and workbench streams, an audit row, the "
        "queue entry gone and any takeover claim dropped (no agent can take the chat over "
        "any more). 409 INVALID_TRANSITION unless pending_manual (a live chat is released by "
        "its agent or closed), SESSION_CLOSED once closed." + SHARED_NOTE,
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )
    async def cancel(
        self, data: CancelRequest, handoff: HandoffService, caller: Caller
    ) -> SessionStateResponse:
        session = await handoff.cancel(caller, data.session_name)
        return SessionStateResponse.model_validate({"data": session})

    @post(
        "/messages",
        status_code=200,
        opt=SHARED,
        security=BEARER,
        summary="A message in the human phase (P0): role agent or user",
        description="role=agent: agent token, the agent assigned to the chat (403 "
        "NOT_ASSIGNED_AGENT), manual_live. role=user: the session's customer token, only while "
        "manual_live (409 MANUAL_NOT_LIVE; while pending, use /api/chat), rate limited like "
        "/api/chat. Written to history and pushed as `manual_message` on the session and "
        "workbench streams.",
        responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def messages(
        self, data: ManualMessageRequest, handoff: HandoffService, caller: Caller, ip: str
    ) -> MessageAckResponse:
        if data.role == "user":
            ack = await handoff.user_message(caller, data.session_name, data.content, ip)
        else:
            principal = caller.require_agent()
            ack = await handoff.agent_message(
                principal, data.session_name, data.content, data.agent_id
            )
        return MessageAckResponse.model_validate({"data": ack})


class SessionsController(Controller):
    path = "/api/sessions"
    tags = ("chat handoff",)  # type: ignore[assignment]
    dependencies = HANDOFF_DEPENDENCIES  # type: ignore[assignment]

    @get(
        "/",
        guards=[customer_service],
        security=BEARER,
        summary="The agents' queue (P1): SessionSummary items, longest waiting first",
        responses=error_responses(400, 401, 403),
    )
    async def queue(
        self,
        handoff: HandoffService,
        principal: Principal,
        status: Status | None = None,
        keyword: str | None = Parameter(default=None, max_length=100),
        page: int = Parameter(default=1, ge=1, le=100_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
        tag: list[str] | None = Parameter(
            default=None, max_items=10, description="only chats carrying every one of these tag ids"
        ),
    ) -> QueueResponse:
        listed = await handoff.queue(principal.tenant, status, keyword, page, page_size, tag or ())
        return QueueResponse.model_validate({"data": listed})

    @get(
        "/stats",
        guards=[customer_service],
        security=BEARER,
        summary="Session statistics with ai_quality and agent_efficiency (seed v2.5)",
        description="The caller's tenant's chats only. Window: the last `hours` hours. Cached "
        "up to a minute per tenant and window; `refresh=true` recomputes.",
        responses=error_responses(400, 401, 403),
    )
    async def stats(
        self,
        stats: SessionStats,
        principal: Principal,
        hours: int = Parameter(default=24, ge=1, le=720),
        refresh: bool = False,
    ) -> StatsResponse:
        return StatsResponse(data=await stats.get(principal.tenant, hours, refresh=refresh))

    @get(
        "/{session_name:str}",
        opt=SHARED,
        security=BEARER,
        summary="A session: state (last 50 messages) and audit trail (P0)",
        description="`inbox` (the Agent Inbox request) for staff only." + SHARED_NOTE,
        responses=error_responses(401, 403, 404),
    )
    async def session(
        self, handoff: HandoffService, caller: Caller, session_name: str = NAME
    ) -> SessionDetailResponse:
        return SessionDetailResponse.model_validate(
            {"data": await handoff.session(caller, session_name)}
        )

    @get(
        "/{session_name:str}/stream",
        opt=SHARED,
        security=BEARER,
        summary="The session's live events (SSE, resumable with Last-Event-ID)",
        description=STREAM_DESCRIPTION + SHARED_NOTE,
        media_type="text/event-stream",
        responses=error_responses(400, 401, 403, 404),
        operation_class=SseOperation,
        response_description="Server-Sent Events stream",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        runtime: Runtime,
        handoff: HandoffService,
        session_name: str = NAME,
        last_event_id: str | None = Parameter(default=None, query="last_event_id", max_length=45),
    ) -> EventStreamResponse:
        caller.require_session(session_name)
        after = resume_point(request.headers.get("last-event-id"), last_event_id)
        if not caller.is_customer:  # a customer token proves the session; agents may mistype
            await handoff.chat.state(session_name)
        customer, tenant = caller.is_customer, caller.tenant
        return sse_response(
            request,
            lambda: session_events(
                runtime.hub, session_name, after, customer=customer, tenant=tenant
            ),
            done_event=False,
        )

    @_agent(
        "/{session_name:str}/takeover",
        "Take over a chat (P1): exactly one agent wins",
        400,
        401,
        403,
        404,
        409,
        422,
        description="Compare-and-set in Redis before the graph is resumed: of concurrent "
        "takeovers one answers 200, the others 409 MANUAL_IN_PROGRESS; the same agent again "
        "gets 200 with `changed: false`. 409 AGENT_AT_CAPACITY at max_sessions.",
    )
    async def takeover(
        self,
        handoff: HandoffService,
        principal: Principal,
        session_name: str = NAME,
        data: TakeoverRequest | None = None,
    ) -> TakeoverResponse:
        agent_id = data.agent_id if data else None
        result = await handoff.takeover(principal, session_name, agent_id)
        return TakeoverResponse.model_validate({"data": result})

    @_agent(
        "/{session_name:str}/transfer",
        "Hand a live chat to another agent (P1)",
        400,
        401,
        403,
        404,
        409,
        422,
    )
    async def transfer(
        self,
        data: TransferRequest,
        handoff: HandoffService,
        principal: Principal,
        session_name: str = NAME,
    ) -> SessionStateResponse:
        session = await handoff.transfer(
            principal, session_name, data.to_agent_id, data.from_agent_id
        )
        return SessionStateResponse.model_validate({"data": session})

    @_agent(
        "/{session_name:str}/release",
        "End the human phase, back to the AI (P0)",
        400,
        401,
        403,
        404,
        409,
        422,
        description="manual_live → bot_active with the notice 人工服務已結束，AI 已接管. "
        "Only the assigned agent (403 NOT_ASSIGNED_AGENT); an admin may name `agent_id`.",
    )
    async def release(
        self,
        handoff: HandoffService,
        principal: Principal,
        session_name: str = NAME,
        data: ReleaseRequest | None = None,
    ) -> SessionStateResponse:
        data = data or ReleaseRequest(reason="resolved")
        session = await handoff.release(principal, session_name, data.agent_id, data.reason)
        return SessionStateResponse.model_validate({"data": session})

    @post(
        "/{session_name:str}/close",
        status_code=200,
        opt=SHARED,
        security=BEARER,
        summary="Close a chat (any status → closed, terminal)",
        description="The customer closes their own chat; an agent closes a waiting or AI "
        "chat, or a live chat they hold (403 NOT_ASSIGNED_AGENT otherwise); an admin any. "
        "`status_change` (reason `closed`) on the session and workbench streams (the session "
        "stream ends), an audit row, the agent's claim and capacity slot freed. "
        "409 SESSION_CLOSED when already closed." + SHARED_NOTE,
        responses=error_responses(400, 401, 403, 404, 409),
    )
    async def close(
        self, handoff: HandoffService, caller: Caller, session_name: str = NAME
    ) -> SessionStateResponse:
        return SessionStateResponse.model_validate(
            {"data": await handoff.close(caller, session_name)}
        )

    @post(
        "/{session_name:str}/email",
        status_code=200,
        opt=SHARED,
        security=BEARER,
        summary="Off-hours handoff by e-mail (P1): `{mail_id}`",
        description="409 ON_DUTY while agents work (an agent may `force`), "
        "MAIL_ALREADY_SENT once per off-duty period, MAIL_NOT_CONFIGURED without shift "
        "`email_to`, SESSION_CLOSED." + SHARED_NOTE,
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )
    async def email(
        self,
        handoff: HandoffService,
        caller: Caller,
        session_name: str = NAME,
        data: EmailRequest | None = None,
    ) -> MailResponse:
        force = data.force if data else False
        return MailResponse.model_validate(
            {"data": await handoff.email(caller, session_name, force)}
        )
