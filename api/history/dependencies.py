"""The startup hook that turns the archive on, and the route dependencies."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.history.archive import ArchiveOnEvents, ConversationArchive
from api.history.services import HistoryService
from api.runtime import Runtime


def install_history(app: Litestar) -> None:
    """on_startup (after install_chat and install_handoff): one archive writer, handed to the
    chat and handoff services, which call it after each step of a conversation."""
    runtime: Runtime = app.state.runtime
    archive = ConversationArchive(runtime.graphs.supervision, runtime.sessions)
    app.state.conversation_archive = archive
    app.state.chat_service.archive = archive
    app.state.handoff_service.archive = archive
    supervision = runtime.graphs.supervision  # runs no route follows (the sweeper's) too
    supervision.bus = ArchiveOnEvents(supervision.bus, archive)
    app.state.history_service = HistoryService(runtime.sessions, runtime.shift)


def provide_history(state: State) -> HistoryService:
    service: HistoryService = state.history_service
    return service


HISTORY_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "history": Provide(provide_history, sync_to_thread=False),
}
