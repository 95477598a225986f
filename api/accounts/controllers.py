"""`/api/agents` (seed 003 v2.6) and `/api/users` (seed 000 §1.3 用戶管理): admins only.

HTTP only: both controllers call the same `AccountAdminService` and differ in their schemas
(agents have `max_sessions`, store staff a `store_id`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, post, put
from litestar.params import Parameter

from api.accounts.dependencies import AGENT_ACCOUNT_DEPENDENCIES, STAFF_ACCOUNT_DEPENDENCIES
from api.accounts.schemas import (
    AccountListResponse,
    AccountOut,
    AccountPageOut,
    AccountResponse,
    AgentCreate,
    AgentRole,
    AgentUpdate,
    PasswordReset,
    Presence,
    StaffCreate,
    StaffRole,
    StaffUpdate,
)
from api.accounts.services import AccountAdminService, AccountPage, NewAccount
from api.auth.controllers import BEARER
from api.auth.guards import admin_only
from api.auth.services import Principal
from api.errors import error_responses
from core.db.models import User

TAGS = ("user admin",)
USERNAME = Parameter(max_length=64, description="the account's login name")
QUERY = Parameter(default=None, max_length=64, description="part of the login or display name")
PAGE = Parameter(default=1, ge=1, le=100_000)
PAGE_SIZE = Parameter(default=20, ge=1, le=100)
STORE = Parameter(default=None, pattern=r"^S[0-9]{3}$", description="one store's staff")
REMOVAL = (
    "409 SELF_CHANGE_REFUSED (deactivating or demoting yourself), 409 LAST_ADMIN (the last "
    "active admin)."
)
SOFT_DELETE = (
    "Soft delete: the account is deactivated and its tokens are revoked at once; its login logs "
    "and records stay, and the login name stays taken. "
)


def _listing(page: AccountPage) -> AccountListResponse:
    items = [AccountOut.of(user) for user in page.users]
    data = AccountPageOut(
        items=items,
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        total_pages=page.total_pages,
    )
    return AccountListResponse(data=data)


def _one(user: User) -> AccountResponse:
    return AccountResponse(data=AccountOut.of(user))


def _list_route(what: str) -> Any:
    return get(
        "/",
        security=BEARER,
        summary=f"List {what} (paged, filtered)",
        responses=error_responses(400, 401, 403),
    )


def _create_route(what: str) -> Any:
    return post(
        "/",
        status_code=201,
        security=BEARER,
        summary=f"Create {what}",
        description="409 USERNAME_TAKEN; 400 INVALID_PASSWORD (≥ 8 chars, letters and "
        "digits), UNKNOWN_STORE.",
        responses=error_responses(400, 401, 403, 409, 422),
    )


def _update_route(what: str) -> Any:
    return put(
        "/{username:str}",
        security=BEARER,
        summary=f"Edit {what}",
        description="Only the listed fields; omitted ones stay, `null` is refused except for "
        "`email`. Deactivating revokes the account's tokens. " + REMOVAL,
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )


def _delete_route(what: str) -> Any:
    return delete(
        "/{username:str}",
        status_code=200,
        security=BEARER,
        summary=f"Delete {what} (soft)",
        description=SOFT_DELETE + REMOVAL,
        responses=error_responses(401, 403, 404, 409),
    )


def _reset_route(what: str) -> Any:
    return post(
        "/{username:str}/reset-password",
        status_code=200,
        security=BEARER,
        summary=f"Set a new password for {what}",
        description="Clears the lockout and revokes every older token of the account.",
        responses=error_responses(400, 401, 403, 404, 422),
    )


class AgentAccountsController(Controller):
    path = "/api/agents"
    tags = TAGS  # type: ignore[assignment]
    guards = [admin_only]  # noqa: RUF012
    dependencies = AGENT_ACCOUNT_DEPENDENCIES  # type: ignore[assignment]

    @_list_route("agent accounts")
    async def list_agents(
        self,
        accounts: AccountAdminService,
        principal: Principal,
        role: AgentRole | None = None,
        status: Presence | None = None,
        is_active: bool | None = None,
        q: str | None = QUERY,
        page: int = PAGE,
        page_size: int = PAGE_SIZE,
    ) -> AccountListResponse:
        found = await accounts.search(
            principal, page=page, page_size=page_size, role=role, status=status,
            is_active=is_active, text=q,
        )  # fmt: skip
        return _listing(found)

    @_create_route("an agent account")
    async def create_agent(
        self, data: AgentCreate, accounts: AccountAdminService, principal: Principal
    ) -> AccountResponse:
        return _one(await accounts.create(principal, NewAccount(**data.model_dump())))

    @_update_route("an agent account")
    async def update_agent(
        self,
        data: AgentUpdate,
        accounts: AccountAdminService,
        principal: Principal,
        username: str = USERNAME,
    ) -> AccountResponse:
        changes = data.model_dump(exclude_unset=True)
        return _one(await accounts.update(principal, username, changes))

    @_delete_route("an agent account")
    async def delete_agent(
        self, accounts: AccountAdminService, principal: Principal, username: str = USERNAME
    ) -> AccountResponse:
        return _one(await accounts.delete(principal, username))

    @_reset_route("an agent account")
    async def reset_agent_password(
        self,
        data: PasswordReset,
        accounts: AccountAdminService,
        principal: Principal,
        username: str = USERNAME,
    ) -> AccountResponse:
        return _one(await accounts.reset_password(principal, username, data.new_password))


class StaffAccountsController(Controller):
    path = "/api/users"
    tags = TAGS  # type: ignore[assignment]
    guards = [admin_only]  # noqa: RUF012
    dependencies = STAFF_ACCOUNT_DEPENDENCIES  # type: ignore[assignment]

    @_list_route("store staff accounts")
    async def list_staff(
        self,
        accounts: AccountAdminService,
        principal: Principal,
        store_id: str | None = STORE,
        role: StaffRole | None = None,
        status: Presence | None = None,
        is_active: bool | None = None,
        q: str | None = QUERY,
        page: int = PAGE,
        page_size: int = PAGE_SIZE,
    ) -> AccountListResponse:
        found = await accounts.search(
            principal,
            page=page,
            page_size=page_size,
            role=role,
            status=status,
            store_id=store_id,
            is_active=is_active,
            text=q,
        )
        return _listing(found)

    @_create_route("a store staff account")
    async def create_staff(
        self, data: StaffCreate, accounts: AccountAdminService, principal: Principal
    ) -> AccountResponse:
        return _one(await accounts.create(principal, NewAccount(**data.model_dump())))

    @_update_route("a store staff account")
    async def update_staff(
        self,
        data: StaffUpdate,
        accounts: AccountAdminService,
        principal: Principal,
        username: str = USERNAME,
    ) -> AccountResponse:
        changes = data.model_dump(exclude_unset=True)
        return _one(await accounts.update(principal, username, changes))

    @_delete_route("a store staff account")
    async def delete_staff(
        self, accounts: AccountAdminService, principal: Principal, username: str = USERNAME
    ) -> AccountResponse:
        return _one(await accounts.delete(principal, username))

    @_reset_route("a store staff account")
    async def reset_staff_password(
        self,
        data: PasswordReset,
        accounts: AccountAdminService,
        principal: Principal,
        username: str = USERNAME,
    ) -> AccountResponse:
        return _one(await accounts.reset_password(principal, username, data.new_password))
