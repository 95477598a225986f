"""The agents' workbench: working hours (`/api/shift/config`, the caller's tenant's) and the
agent's live stream."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, put
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import admin_only, customer_service
from api.auth.services import Principal
from api.errors import error_responses
from api.handoff.dependencies import HANDOFF_DEPENDENCIES
from api.handoff.schemas import ShiftConfigIn, ShiftConfigOut, ShiftResponse
from api.handoff.streams import agent_events, resume_point
from api.runtime import Runtime
from api.sse import EventStreamResponse, SseOperation, sse_response
from core.db.models import UserRole

AGENT_STREAM = (
    "Long-lived `text/event-stream` for the calling agent: `status_change` of every chat "
    "(the queue moved: escalations, takeovers, transfers, releases, closes; each carries "
    "`session_name`) and `manual_message` of the chats the agent holds (every chat for an "
    "admin). Ids are event-hub ids: reconnect to any instance with `Last-Event-ID` (or "
    "`?last_event_id=`) for exactly the missed events. `resync`: events were trimmed, reload "
    "the queue."
)


class ShiftController(Controller):
    path = "/api/shift/config"
    tags = ("chat handoff",)  # type: ignore[assignment]
    dependencies = HANDOFF_DEPENDENCIES  # type: ignore[assignment]

    @get(
        "/",
        guards=[customer_service],
        security=BEARER,
        summary="Agents' working hours (P1): {start, end, timezone, weekends_disabled, holidays}",
        responses=error_responses(401, 403),
    )
    async def read(self, runtime: Runtime, principal: Principal) -> ShiftResponse:
        return ShiftResponse(data=ShiftConfigOut.of(await runtime.shift.current(principal.tenant)))

    @put(
        "/",
        guards=[admin_only],
        security=BEARER,
        summary="Replace the working hours (admin); every instance uses them at once",
        description="The caller's tenant's hours: its chats' escalations follow them from "
        "their next turn; other tenants' chats keep their own.",
        responses=error_responses(400, 401, 403, 422),
    )
    async def replace(
        self, data: ShiftConfigIn, runtime: Runtime, principal: Principal
    ) -> ShiftResponse:
        saved = await runtime.shift.save(data.config(), principal.tenant)
        return ShiftResponse(data=ShiftConfigOut.of(saved))


class AgentStreamController(Controller):
    path = "/api/agent/stream"
    tags = ("chat handoff",)  # type: ignore[assignment]
    dependencies = HANDOFF_DEPENDENCIES  # type: ignore[assignment]

    @get(
        "/",
        guards=[customer_service],
        security=BEARER,
        summary="The agent's workbench events (SSE, resumable with Last-Event-ID)",
        description=AGENT_STREAM,
        media_type="text/event-stream",
        responses=error_responses(400, 401, 403),
        operation_class=SseOperation,
        response_description="Server-Sent Events stream",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        runtime: Runtime,
        last_event_id: str | None = Parameter(default=None, query="last_event_id", max_length=45),
    ) -> EventStreamResponse:
        after = resume_point(request.headers.get("last-event-id"), last_event_id)
        admin = principal.role == UserRole.ADMIN.value
        supervision = runtime.graphs.supervision
        return sse_response(
            request,
            lambda: agent_events(
                runtime.hub,
                supervision,
                principal.username,
                tenant=principal.tenant,
                admin=admin,
                after=after,
            ),
            done_event=False,
        )
