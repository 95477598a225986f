"""Dependencies of the renewal routes and the startup hook that builds the service once."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.renewal.locks import SessionLocks
from api.renewal.services import RenewalService
from api.runtime import Runtime


def install_renewal(app: Litestar) -> None:
    """on_startup: one RenewalService per process on `app.state.renewal_service`."""
    runtime: Runtime = app.state.runtime
    locks = SessionLocks(runtime.redis, runtime.settings.redis_key_prefix)
    app.state.renewal_service = RenewalService(runtime.renewal, locks, runtime.sessions)


def provide_renewal_service(state: State) -> RenewalService:
    service: RenewalService = state.renewal_service
    return service


RENEWAL_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "renewal": Provide(provide_renewal_service, sync_to_thread=False),
}
