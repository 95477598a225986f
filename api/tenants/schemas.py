"""Wire shapes of `/api/tenants` (seed 002 `/v1/tenants`: name, description, plan) and
`/api/tenants/current`. The model's API key is never on the wire: a tenant names the
environment variable that holds it (`api_key_env`), and reads see only whether it is set."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.db.models import TENANT_ID_PATTERN, Tenant
from core.settings import Settings

ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]{0,63}$"
Provider = Literal["offline", "openai", "azure_openai", "anthropic"]
Status = Literal["active", "suspended"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSettingsIn(_Body):
    """The tenant's chat model for its supervision AI; omitted fields are left as they are."""

    provider: Provider | None = Field(None, examples=["azure_openai"])
    model: str | None = Field(None, min_length=1, max_length=100, examples=["gpt-4o"])
    endpoint: str | None = Field(
        None,
        min_length=8,
        max_length=300,
        pattern=r"^https?://",
        examples=["https://x.openai.azure.com"],
    )
    deployment: str | None = Field(None, min_length=1, max_length=100, examples=["gpt-4o"])
    temperature: float | None = Field(None, ge=0, le=2, examples=[0.2])
    api_key_env: str | None = Field(
        None,
        pattern=ENV_NAME_PATTERN,
        description="name of the API process's environment variable holding the key (the key "
        "itself is never sent to nor stored by Switchboard)",
        examples=["TENANT_HARBOR_OPENAI_KEY"],
    )


class ModelSettingsOut(BaseModel):
    provider: str
    model: str | None
    endpoint: str | None
    deployment: str | None
    temperature: float | None
    api_key_env: str | None
    api_key_set: bool = Field(description="the named variable has a value in this process")


# wire name -> the limiter's scope (api/chat/services.py): customer requests per minute
RATE_SCOPES: dict[str, str] = {"chat_per_session": "chat-session", "chat_per_ip": "chat-ip",
                               "conversation_per_ip": "conversation-ip"}  # fmt: skip


def default_rate_limits(settings: Settings) -> dict[str, int]:
    """The deployment's limits by wire name: what a tenant without overrides gets."""
    return {"chat_per_session": settings.chat_rate_per_session,
            "chat_per_ip": settings.chat_rate_per_ip,
            "conversation_per_ip": settings.conversation_rate_per_ip}  # fmt: skip


class RateLimitsIn(_Body):
    """A tenant's customer rate limits, per minute; null puts one back to the deployment's
    default (CHAT_RATE_PER_SESSION, CHAT_RATE_PER_IP, CONVERSATION_RATE_PER_IP)."""

    chat_per_session: int | None = Field(None, ge=1, le=100_000, examples=[20])
    chat_per_ip: int | None = Field(None, ge=1, le=100_000, examples=[120])
    conversation_per_ip: int | None = Field(None, ge=1, le=100_000, examples=[30])

    def scopes(self) -> dict[str, int | None]:
        """The given fields by limiter scope."""
        return {RATE_SCOPES[k]: v for k, v in self.model_dump(exclude_unset=True).items()}


class RateLimitsOut(BaseModel):
    chat_per_session: int
    chat_per_ip: int
    conversation_per_ip: int
    custom: list[str] = Field(description="the limits set for this tenant (others: defaults)")

    @classmethod
    def of(cls, defaults: Mapping[str, int], overrides: Mapping[str, int]) -> RateLimitsOut:
        """`defaults` by wire name, `overrides` by scope (as the limiter keeps them)."""
        given = {name: overrides[s] for name, s in RATE_SCOPES.items() if s in overrides}
        return cls.model_validate({**defaults, **given, "custom": sorted(given)})


class TenantAdmin(_Body):
    """The tenant's first admin account, created with the tenant."""

    username: str = Field(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=64)


class TenantCreate(_Body):
    id: str = Field(pattern=TENANT_ID_PATTERN, max_length=63, examples=["harbor-telecom"])
    name: str = Field(min_length=1, max_length=100, examples=["海港電信"])
    description: str | None = Field(None, max_length=500)
    plan: str | None = Field(None, max_length=32, examples=["專業版"])
    model: ModelSettingsIn | None = None
    rate_limits: RateLimitsIn | None = None
    admin: TenantAdmin | None = None


class TenantUpdate(_Body):
    """Platform admin: any field; `status` suspends or reactivates."""

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    plan: str | None = Field(None, max_length=32)
    status: Status | None = None
    model: ModelSettingsIn | None = None
    rate_limits: RateLimitsIn | None = None


class CurrentTenantUpdate(_Body):
    """Tenant admin: the name and the model settings of their own tenant."""

    name: str | None = Field(None, min_length=1, max_length=100)
    model: ModelSettingsIn | None = None


class TenantOut(BaseModel):
    id: str
    name: str
    description: str | None
    plan: str | None
    status: str
    site_key: str = Field(description="public: goes into the widget's embed snippet")
    model: ModelSettingsOut
    rate_limits: RateLimitsOut
    created_at: float
    updated_at: float

    @classmethod
    def of(cls, tenant: Tenant, rate_limits: RateLimitsOut) -> TenantOut:
        env = tenant.model_api_key_env
        model = ModelSettingsOut(
            provider=tenant.model_provider, model=tenant.model_name,
            endpoint=tenant.model_endpoint, deployment=tenant.model_deployment,
            temperature=tenant.model_temperature, api_key_env=env,
            api_key_set=bool(env and os.environ.get(env)),
        )  # fmt: skip
        return cls(id=tenant.id, name=tenant.name, description=tenant.description,
                   plan=tenant.plan, status=tenant.status, site_key=tenant.site_key, model=model,
                   rate_limits=rate_limits,
                   created_at=tenant.created_at.timestamp(),
                   updated_at=tenant.updated_at.timestamp())  # fmt: skip


class TenantResponse(BaseModel):
    success: Literal[True] = True
    data: TenantOut


class TenantPage(BaseModel):
    tenants: list[TenantOut]
    total: int
    page: int
    page_size: int


class TenantListResponse(BaseModel):
    success: Literal[True] = True
    data: TenantPage


def model_columns(model: ModelSettingsIn | None) -> dict[str, Any]:
    """The tenants columns a model-settings body changes (only the fields it gives)."""
    if model is None:
        return {}
    names = {"provider": "model_provider", "model": "model_name", "endpoint": "model_endpoint",
             "deployment": "model_deployment", "temperature": "model_temperature",
             "api_key_env": "model_api_key_env"}  # fmt: skip
    return {names[k]: v for k, v in model.model_dump(exclude_unset=True).items()}
