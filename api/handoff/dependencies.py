"""The startup hook that builds the agent-side services once, and the route dependencies."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.chat.dependencies import CHAT_DEPENDENCIES
from api.handoff.services import HandoffService
from api.handoff.stats import SessionStats
from api.runtime import Runtime


def install_handoff(app: Litestar) -> None:
    """on_startup (after install_chat): HandoffService and SessionStats on `app.state`."""
    runtime: Runtime = app.state.runtime
    prefix = runtime.settings.redis_key_prefix
    supervision = runtime.graphs.supervision
    app.state.handoff_service = HandoffService(
        supervision,
        app.state.chat_service,
        runtime.hub,
        runtime.shift,
        runtime.redis,
        runtime.sessions,
        prefix,
    )
    app.state.session_stats = SessionStats(
        supervision,
        runtime.sessions,
        runtime.redis,
        prefix,
        runtime.shift,
        cache_seconds=runtime.settings.session_stats_cache_seconds,
    )


def provide_handoff(state: State) -> HandoffService:
    service: HandoffService = state.handoff_service
    return service


def provide_stats(state: State) -> SessionStats:
    stats: SessionStats = state.session_stats
    return stats


def provide_runtime(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


HANDOFF_DEPENDENCIES: dict[str, Provide] = {
    **CHAT_DEPENDENCIES,
    "principal": AUTH_DEPENDENCIES["principal"],
    "handoff": Provide(provide_handoff, sync_to_thread=False),
    "stats": Provide(provide_stats, sync_to_thread=False),
    "runtime": Provide(provide_runtime, sync_to_thread=False),
}
