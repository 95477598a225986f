"""How the user-admin handlers get their service: one class, one instance per account family."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.accounts.services import (
    AGENT_ACCOUNTS,
    STAFF_ACCOUNTS,
    AccountAdminService,
    AccountFamily,
)
from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.services import AuthService
from api.runtime import Runtime


def _provider(family: AccountFamily) -> Provide:
    def provide(state: State) -> AccountAdminService:
        runtime: Runtime = state.runtime
        auth: AuthService = state.auth
        return AccountAdminService(runtime.sessions, family, auth.stamps)

    return Provide(provide, sync_to_thread=False)


def account_dependencies(family: AccountFamily) -> dict[str, Provide]:
    return {"principal": AUTH_DEPENDENCIES["principal"], "accounts": _provider(family)}


AGENT_ACCOUNT_DEPENDENCIES = account_dependencies(AGENT_ACCOUNTS)
STAFF_ACCOUNT_DEPENDENCIES = account_dependencies(STAFF_ACCOUNTS)
