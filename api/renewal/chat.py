"""`POST /api/renewal-workflow/chat/stream` (seed 000 §7.2): the staff member's AI side chat.

Same ownership rules as the step routes (404 unknown, 403 not yours: `RenewalService.view`),
open from step 5 on (409 SIDE_CHAT_NOT_OPEN, before the stream starts), one question at a time
per session (409 RUN_IN_PROGRESS: the renewal lock, keyed on the side-chat thread). Events:
`tool` `{name, args}` when the assistant calls a read-only tool, `tool_result` `{name, status}`,
`message` `{content}` per answer token, `answer` `{content, tool_calls}`, then `done`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.di import Provide
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.auth.controllers import BEARER
from api.auth.guards import store_staff
from api.auth.services import Principal
from api.errors import error_responses
from api.renewal.dependencies import RENEWAL_DEPENDENCIES
from api.renewal.schemas import SessionId
from api.renewal.services import RenewalService
from api.runtime import Runtime
from api.sse import EventStreamResponse, SseEvent, SseOperation, sse_response
from graphs.side_chat.service import SideChat, SideChatClosed, thread_of

Question = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
DESCRIPTION = (
    "`text/event-stream`: `tool` `{type, name, args}`, `tool_result` `{type, name, status}`, "
    "`message` `{type, content}` per answer token, `answer` `{type, content, tool_calls}`, then "
    "`done`. Refusals before the stream: 404, 403 (not your session), 409 SIDE_CHAT_NOT_OPEN "
    "(before step 5), 409 RUN_IN_PROGRESS (a question is still being answered)."
)
EVENT_NAMES = {"token": "message"}


class SideChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: SessionId
    message: Question = Field(examples=["這兩個方案哪個比較划算？"])


def provide_side_chat(state: State) -> SideChat:
    runtime: Runtime = state.runtime
    return SideChat(runtime.graphs.side_chat, runtime.renewal)


async def events(side: SideChat, session_id: str, question: str) -> AsyncIterator[SseEvent]:
    async for kind, payload in side.stream(session_id, question):
        data = {"content": payload} if kind == "token" else payload
        yield EVENT_NAMES.get(kind, kind), data


class SideChatController(Controller):
    path = "/api/renewal-workflow"
    tags = ("renewal workflow",)  # type: ignore[assignment]
    guards = [store_staff]  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        **RENEWAL_DEPENDENCIES,
        "side_chat": Provide(provide_side_chat, sync_to_thread=False),
    }

    @post(
        "/chat/stream",
        status_code=200,
        summary="AI side chat for the renewal (SSE; from step 5)",
        description=DESCRIPTION,
        media_type="text/event-stream",
        security=BEARER,
        responses=error_responses(401, 403, 404, 409, 422),
        response_description="Server-Sent Events stream",
        operation_class=SseOperation,
    )
    async def chat_stream(
        self,
        request: Request[Any, Any, Any],
        data: SideChatRequest,
        renewal: RenewalService,
        principal: Principal,
        side_chat: SideChat,
    ) -> EventStreamResponse:
        view = await renewal.view(principal, data.session_id)
        if not (view["selections"].get("eligibility") or {}).get("is_eligible"):
            raise SideChatClosed("AI 助理於選定可續約門號後（第 5 步起）開放 / opens at step 5")
        thread = str(thread_of(data.session_id)["configurable"]["thread_id"])
        held = await renewal.locks.acquire(thread)
        return sse_response(
            request, lambda: events(side_chat, data.session_id, data.message), cleanup=held.release
        )
