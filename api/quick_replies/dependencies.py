"""How the quick-reply handlers get their service: one per process, built on first use (its
cache must be shared by every request of the process)."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.quick_replies.services import QuickReplyService
from api.runtime import Runtime


def provide_quick_replies(state: State) -> QuickReplyService:
    service: QuickReplyService | None = state.get("quick_reply_service")
    if service is None:
        runtime: Runtime = state.runtime
        service = QuickReplyService(runtime.sessions, runtime.redis,
                                    runtime.settings.redis_key_prefix,
                                    runtime.graphs.supervision)  # fmt: skip
        state.quick_reply_service = service
    return service


QUICK_REPLY_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "quick_replies": Provide(provide_quick_replies, sync_to_thread=False),
}
