"""Dependencies of the renewal routes and the startup hook that builds the service once."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.services import Principal
from api.renewal.forms import ApplicationForms
from api.renewal.history import RenewalHistory
from api.renewal.locks import SessionLocks
from api.renewal.services import RenewalService
from api.runtime import Runtime


def install_renewal(app: Litestar) -> None:
    """on_startup: one RenewalService per process on `app.state.renewal_service`."""
    runtime: Runtime = app.state.runtime
    settings = runtime.settings
    locks = SessionLocks(
        runtime.redis,
        settings.redis_key_prefix,
        lease_seconds=settings.renewal_lock_lease_seconds,
        trips=runtime.graphs.checkpointer.redis,  # the release's transport (api.renewal.locks)
    )
    app.state.renewal_service = RenewalService(
        runtime.renewal,
        locks,
        runtime.sessions,
        idle_seconds=settings.renewal_session_idle_seconds,
    )


# Each provider below names `principal` although it does not use it: every route of the
# controller takes both, and Litestar resolves dependencies with nothing between them in one
# anyio task group (two tasks per request, ~70 us of CPU on every click; issue 24, third pass).
# Depending on `principal` puts each in a batch of its own, awaited in turn.


def provide_renewal_service(state: State, principal: Principal) -> RenewalService:
    service: RenewalService = state.renewal_service
    return service


def provide_history(state: State, principal: Principal) -> RenewalHistory:
    runtime: Runtime = state.runtime
    return RenewalHistory(runtime.sessions)


def provide_forms(state: State, principal: Principal) -> ApplicationForms:
    runtime: Runtime = state.runtime
    return ApplicationForms(runtime.sessions)


RENEWAL_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "renewal": Provide(provide_renewal_service, sync_to_thread=False),
    "history": Provide(provide_history, sync_to_thread=False),
    "forms": Provide(provide_forms, sync_to_thread=False),
}
