"""Tenant administration: platform admins create, edit and suspend tenants; a tenant admin edits
their own tenant's name and model settings and rotates its site key.

Every write is one transaction with its audit row (entity `tenant`), then the tenant's status in
Redis is replaced (`TenantGate.refresh`), so a suspension stops the tenant's tokens and site key
on every instance at once, and the tenant's model settings version is bumped
(graphs/supervision/tenant_models.py), so its chats use the new model from their next turn.
Another tenant's id is 404 for a tenant admin (they only ever reach their own through
`/current`).

Customer rate limits are the platform admin's to set (a tenant admin cannot raise its own):
they are the limiter's (api/realtime/limits.py, Redis), written after the commit of the
audited change like the tenant's status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.realtime.limits import TenantLimits
from api.tenants.gate import TenantGate
from api.tenants.schemas import (
    CurrentTenantUpdate,
    RateLimitsIn,
    RateLimitsOut,
    TenantCreate,
    TenantOut,
    TenantUpdate,
    model_columns,
)
from core.db.models import ModelProvider, Tenant, TenantStatus, User, UserRole, UserStatus
from core.db.models.tenants import new_site_key
from core.db.repositories.accounts import UserRepository
from core.db.repositories.audit import AuditRepository
from core.db.repositories.tenants import TenantRepository
from core.errors import Conflict, InvalidInput, NotFound, SwitchboardError
from core.logging import get_logger
from core.security.passwords import hash_password_async, require_acceptable
from graphs.supervision.tenant_models import TenantModels
from tools.llm.tenant import UNSUPPORTED_PROVIDERS

log = get_logger(__name__)
AUDIT_ENTITY = "tenant"
REQUIRED = frozenset({"name", "status", "model_provider"})  # NOT NULL columns
# what a provider needs before it can answer (checked when the settings are saved)
PROVIDER_NEEDS: dict[str, tuple[str, ...]] = {
    ModelProvider.OFFLINE.value: (),
    ModelProvider.OPENAI.value: ("model_name", "model_api_key_env"),
    ModelProvider.AZURE_OPENAI.value: ("model_endpoint", "model_deployment", "model_api_key_env"),
    ModelProvider.ANTHROPIC.value: ("model_name", "model_api_key_env"),
}


class ProviderUnsupported(SwitchboardError):
    """A provider seed 002 names whose client library this deployment does not have."""

    code = "MODEL_PROVIDER_UNSUPPORTED"
    status = 422


def not_found(tenant_id: str) -> NotFound:
    return NotFound(f"tenant {tenant_id} not found", code="TENANT_NOT_FOUND")


def check_model(tenant: Tenant) -> None:
    """422 MODEL_PROVIDER_UNSUPPORTED for a provider this deployment cannot build (anthropic:
    langchain-anthropic is not installed); 400 MODEL_SETTINGS_INCOMPLETE when the provider
    lacks what it needs to answer."""
    if tenant.model_provider in UNSUPPORTED_PROVIDERS:
        raise ProviderUnsupported(
            f"model provider {tenant.model_provider} is not supported by this deployment "
            f"(supported: offline, openai, azure_openai)",
            provider=tenant.model_provider,
        )
    missing = [c for c in PROVIDER_NEEDS[tenant.model_provider] if not getattr(tenant, c)]
    if missing:
        fields = ", ".join(m.removeprefix("model_") for m in missing)
        raise InvalidInput(
            f"model settings for {tenant.model_provider} need: {fields}",
            code="MODEL_SETTINGS_INCOMPLETE",
            missing=[m.removeprefix("model_") for m in missing],
        )


class TenantService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gate: TenantGate,
        models: TenantModels | None = None,
        *,
        limits: TenantLimits,
        default_limits: Mapping[str, int],
    ) -> None:
        self.sessions = sessions
        self.gate = gate
        self.models = models  # the chats' cache of model settings, told of every write
        self.limits = limits
        self.default_limits = dict(default_limits)  # by wire name (RATE_SCOPES)

    async def view(self, tenant: Tenant) -> TenantOut:
        """The tenant as the API shows it, with its rate limits (defaults filled in)."""
        overrides = await self.limits.of(tenant.id)
        return TenantOut.of(tenant, RateLimitsOut.of(self.default_limits, overrides))

    async def page(self, page: int, page_size: int) -> tuple[list[Tenant], int]:
        async with self.sessions() as db:
            return await TenantRepository(db).page(limit=page_size, offset=(page - 1) * page_size)

    async def get(self, tenant_id: str) -> Tenant:
        async with self.sessions() as db:
            tenant = await TenantRepository(db).get(tenant_id)
        if tenant is None:
            raise not_found(tenant_id)
        return tenant

    async def create(self, actor: Principal, body: TenantCreate) -> Tenant:
        """409 TENANT_EXISTS, 409 USERNAME_TAKEN for the first admin's login name."""
        password_hash = None
        if body.admin is not None:
            require_acceptable(body.admin.password, field="admin.password")
            password_hash = await hash_password_async(body.admin.password)
        try:
            async with self.sessions.begin() as db:
                repo = TenantRepository(db)
                if await repo.get(body.id) is not None:
                    raise Conflict(f"tenant {body.id} already exists", code="TENANT_EXISTS")
                model = {"model_provider": ModelProvider.OFFLINE.value,
                         **model_columns(body.model)}  # fmt: skip
                tenant = Tenant(
                    id=body.id, name=body.name, description=body.description, plan=body.plan,
                    status=TenantStatus.ACTIVE.value, site_key=new_site_key(), **model,
                )  # fmt: skip
                check_model(tenant)
                await repo.add(tenant)
                if body.admin is not None and password_hash is not None:
                    if await UserRepository(db).login_taken(body.admin.username):
                        raise Conflict(f"username: {body.admin.username} already taken",
                                       code="USERNAME_TAKEN")  # fmt: skip
                    await UserRepository(db).add(User(
                        username=body.admin.username, display_name=body.admin.name,
                        role=UserRole.ADMIN.value, password_hash=password_hash,
                        tenant_id=tenant.id, status=UserStatus.OFFLINE.value, is_active=True,
                        max_sessions=10,
                    ))  # fmt: skip
                await self._audit(db, actor, tenant, "tenant_created", None)
        except IntegrityError as exc:  # a concurrent create of the same id won the race
            raise Conflict(f"tenant {body.id} already exists", code="TENANT_EXISTS") from exc
        await self._after_write(tenant, body.rate_limits)
        log.info("tenant_created", tenant=tenant.id, by=actor.username)
        return tenant

    async def update(self, actor: Principal, tenant_id: str, body: TenantUpdate) -> Tenant:
        changes = body.model_dump(exclude_unset=True, exclude={"model", "rate_limits"})
        changes = {**changes, **model_columns(body.model)}
        return await self._change(actor, tenant_id, changes, rate_limits=body.rate_limits)

    async def suspend(self, actor: Principal, tenant_id: str) -> Tenant:
        return await self._change(actor, tenant_id, {"status": TenantStatus.SUSPENDED.value})

    async def update_current(self, actor: Principal, body: CurrentTenantUpdate) -> Tenant:
        changes = body.model_dump(exclude_unset=True, exclude={"model"})
        return await self._change(actor, actor.tenant, {**changes, **model_columns(body.model)})

    async def rotate_site_key(self, actor: Principal) -> Tenant:
        """A new site key; the old one stops opening chats at once (open chats keep going:
        their customer tokens carry the tenant)."""
        return await self._change(actor, actor.tenant, {"site_key": new_site_key()},
                                  reason="site_key_rotated")  # fmt: skip

    async def _change(
        self,
        actor: Principal,
        tenant_id: str,
        changes: Mapping[str, Any],
        *,
        reason: str = "tenant_updated",
        rate_limits: RateLimitsIn | None = None,
    ) -> Tenant:
        # an explicit null for a column that must have a value means "leave it"
        changes = {k: v for k, v in changes.items() if v is not None or k not in REQUIRED}
        limits = rate_limits.scopes() if rate_limits is not None else {}
        if not changes and not limits:
            raise InvalidInput("nothing to change", code="NO_FIELDS_TO_UPDATE")
        fields = sorted(changes) + (["rate_limits"] if limits else [])
        async with self.sessions.begin() as db:
            repo = TenantRepository(db)
            before = await repo.get(tenant_id)
            if before is None:
                raise not_found(tenant_id)
            status_from = before.status
            tenant = await repo.update(tenant_id, changes) if changes else before
            if tenant is None:
                raise not_found(tenant_id)
            check_model(tenant)  # rolls the change back
            if changes.get("status") == TenantStatus.SUSPENDED.value != status_from:
                reason = "tenant_suspended"
            await self._audit(db, actor, tenant, reason, status_from, fields)
        await self._after_write(tenant, rate_limits)
        log.info(reason, tenant=tenant_id, by=actor.username, fields=fields)
        return tenant

    async def _after_write(self, tenant: Tenant, rate_limits: RateLimitsIn | None) -> None:
        """After the commit: every instance sees the status, model and limits at once."""
        await self.gate.refresh(tenant)
        if self.models is not None:
            await self.models.changed(tenant.id)
        if rate_limits is not None and rate_limits.model_fields_set:
            await self.limits.save(tenant.id, rate_limits.scopes())

    async def _audit(
        self,
        db: AsyncSession,
        actor: Principal,
        tenant: Tenant,
        reason: str,
        status_from: str | None,
        fields: list[str] | None = None,
    ) -> None:
        await AuditRepository(db).append(
            AUDIT_ENTITY, tenant.id, operator=actor.username, status_from=status_from,
            status_to=tenant.status, reason=reason, detail={"fields": fields or []},
        )  # fmt: skip
