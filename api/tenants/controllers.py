"""`/api/tenants` (platform admin: seed 002 `/v1/tenants` under our conventions) and
`/api/tenants/current` (a tenant admin's own tenant). HTTP only; rules in services.py."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.guards import admin_only, platform_admin_only
from api.auth.services import Principal
from api.errors import error_responses
from api.runtime import Runtime
from api.tenants.schemas import (
    CurrentTenantUpdate,
    TenantCreate,
    TenantListResponse,
    TenantPage,
    TenantResponse,
    TenantUpdate,
    default_rate_limits,
)
from api.tenants.services import TenantService
from core.db.models import TENANT_ID_PATTERN
from graphs.supervision.tenant_models import TenantModels

TENANT_ID = Parameter(pattern=TENANT_ID_PATTERN, max_length=63)


def provide_tenants(state: State) -> TenantService:
    service: TenantService | None = state.get("tenant_service")
    if service is None:
        runtime: Runtime = state.runtime
        models = TenantModels(runtime.sessions, runtime.redis, runtime.settings.redis_key_prefix)
        service = TenantService(
            runtime.sessions, state.tenants, models, limits=runtime.limiter.tenants,
            default_limits=default_rate_limits(runtime.settings),
        )  # fmt: skip
        state.tenant_service = service
    return service


DEPENDENCIES = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "tenants": Provide(provide_tenants, sync_to_thread=False),
}


class CurrentTenantController(Controller):
    """Declared before `TenantsController` so `current` never reads as a tenant id."""

    path = "/api/tenants/current"
    tags = ("tenants",)  # type: ignore[assignment]
    dependencies = DEPENDENCIES  # type: ignore[assignment]
    guards = [admin_only]  # noqa: RUF012

    @get("/", security=BEARER, summary="The caller's own tenant (tenant admin)",
         responses=error_responses(401, 403))  # fmt: skip
    async def get_current(self, tenants: TenantService, principal: Principal) -> TenantResponse:
        return TenantResponse(data=await tenants.view(await tenants.get(principal.tenant)))

    @patch(
        "/",
        security=BEARER,
        summary="Rename the own tenant or change its model settings (tenant admin)",
        description="400 MODEL_SETTINGS_INCOMPLETE when the provider lacks what it needs "
        "(openai: model + api_key_env; azure_openai: endpoint + deployment + api_key_env; "
        "anthropic: model + api_key_env), NO_FIELDS_TO_UPDATE.",
        responses=error_responses(400, 401, 403, 422),
    )
    async def update_current(
        self, data: CurrentTenantUpdate, tenants: TenantService, principal: Principal
    ) -> TenantResponse:
        tenant = await tenants.update_current(principal, data)
        return TenantResponse(data=await tenants.view(tenant))

    @post(
        "/site-key",
        status_code=200,
        security=BEARER,
        summary="Rotate the widget's site key (tenant admin); the old key stops at once",
        responses=error_responses(401, 403),
    )
    async def rotate_site_key(self, tenants: TenantService, principal: Principal) -> TenantResponse:
        return TenantResponse(data=await tenants.view(await tenants.rotate_site_key(principal)))


class TenantsController(Controller):
    path = "/api/tenants"
    tags = ("tenants",)  # type: ignore[assignment]
    dependencies = DEPENDENCIES  # type: ignore[assignment]
    guards = [platform_admin_only]  # noqa: RUF012

    @get("/", security=BEARER, summary="All tenants, oldest first (platform admin)",
         responses=error_responses(400, 401, 403))  # fmt: skip
    async def list_tenants(
        self,
        tenants: TenantService,
        page: int = Parameter(default=1, ge=1, le=100_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
    ) -> TenantListResponse:
        rows, total = await tenants.page(page, page_size)
        data = TenantPage(tenants=[await tenants.view(t) for t in rows], total=total, page=page,
                          page_size=page_size)  # fmt: skip
        return TenantListResponse(data=data)

    @post(
        "/",
        status_code=201,
        security=BEARER,
        summary="Create a tenant, optionally with its first admin (platform admin)",
        description="409 TENANT_EXISTS, USERNAME_TAKEN (the admin's login name); 400 "
        "MODEL_SETTINGS_INCOMPLETE, PASSWORD_TOO_WEAK. The site key is generated.",
        responses=error_responses(400, 401, 403, 409, 422),
    )
    async def create_tenant(
        self, data: TenantCreate, tenants: TenantService, principal: Principal
    ) -> TenantResponse:
        return TenantResponse(data=await tenants.view(await tenants.create(principal, data)))

    @get("/{tenant_id:str}", security=BEARER, summary="One tenant (platform admin)",
         responses=error_responses(400, 401, 403, 404))  # fmt: skip
    async def get_tenant(
        self, tenants: TenantService, tenant_id: str = TENANT_ID
    ) -> TenantResponse:
        return TenantResponse(data=await tenants.view(await tenants.get(tenant_id)))

    @patch(
        "/{tenant_id:str}",
        security=BEARER,
        summary="Edit a tenant; `status` suspends or reactivates it (platform admin)",
        description="`rate_limits` sets the tenant's customer limits per minute "
        "(chat_per_session, chat_per_ip, conversation_per_ip; null: back to the default); "
        "422 VALIDATION_ERROR for a limit below 1.",
        responses=error_responses(400, 401, 403, 404, 422),
    )
    async def update_tenant(
        self,
        data: TenantUpdate,
        tenants: TenantService,
        principal: Principal,
        tenant_id: str = TENANT_ID,
    ) -> TenantResponse:
        tenant = await tenants.update(principal, tenant_id, data)
        return TenantResponse(data=await tenants.view(tenant))

    @post(
        "/{tenant_id:str}/suspend",
        status_code=200,
        security=BEARER,
        summary="Suspend a tenant: its tokens and site key answer 403 TENANT_SUSPENDED",
        responses=error_responses(400, 401, 403, 404),
    )
    async def suspend_tenant(
        self, tenants: TenantService, principal: Principal, tenant_id: str = TENANT_ID
    ) -> TenantResponse:
        return TenantResponse(data=await tenants.view(await tenants.suspend(principal, tenant_id)))
