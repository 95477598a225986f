"""A tenant's own chat model (seed 002: per-tenant provider settings).

The tenant row names a provider, model, endpoint, deployment, temperature and the NAME of the
environment variable holding the key (`TenantModel`). `build_chat_model(..., tenant=...)` builds
that model for the tenant's chats:

* provider `offline` (every tenant's default): no model of its own; the deployment's
  (`LLM_PROVIDER`, offline unless configured) answers, as before tenants.
* `openai` / `azure_openai`: `ChatOpenAI` / `AzureChatOpenAI` with the process's timeout and
  retries, wrapped in the usual `FallbackChatModel` (first-chunk deadline, breaker per tenant
  endpoint, offline fallback). The client is cached per tenant and settings (a settings change
  builds a new one; the key's value is part of the cache key, never logged).
* key variable unset (or empty) in this process: the offline model answers, marked degraded
  like a failing endpoint (`llm_fallback reason=key_missing` on every call, one
  `llm_tenant_key_missing` warning per settings), so the tenant's AI failures show.
* `anthropic`: `langchain-anthropic` is not installed, so it cannot be chosen (the tenants API
  answers 422 `MODEL_PROVIDER_UNSUPPORTED`); a row that says so anyway (written before) is
  treated like a missing key (`reason=provider_unsupported`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any, Final

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from core.logging import get_logger
from core.settings import Settings

log = get_logger(__name__)

OWN_MODEL_PROVIDERS: Final = frozenset({"openai", "azure_openai"})  # buildable here
UNSUPPORTED_PROVIDERS: Final = frozenset({"anthropic"})  # named by seed 002, not installed
CACHE_LIMIT: Final = 256


@dataclass(frozen=True)
class TenantModel:
    """A tenant's model settings (the `tenants` row's model columns)."""

    tenant_id: str
    provider: str = "offline"
    model: str | None = None
    endpoint: str | None = None
    deployment: str | None = None
    temperature: float | None = None
    api_key_env: str | None = None

    @property
    def own(self) -> bool:
        """Whether the tenant chose a model of its own (else the deployment's answers)."""
        return self.provider != "offline"

    @property
    def name(self) -> str:
        """The model name usage records and prices use."""
        return self.model or self.deployment or self.provider

    @property
    def endpoint_key(self) -> str:
        """The breaker's name: one per tenant endpoint."""
        return f"tenant:{self.tenant_id}:{self.provider}:{self.endpoint}:{self.deployment}"

    @classmethod
    def of(cls, row: Any) -> TenantModel:
        """From a `tenants` row."""
        return cls(
            tenant_id=row.id, provider=row.model_provider, model=row.model_name,
            endpoint=row.model_endpoint, deployment=row.model_deployment,
            temperature=row.model_temperature, api_key_env=row.model_api_key_env,
        )  # fmt: skip


@dataclass(frozen=True)
class Built:
    """The tenant's primary model, or why there is none (`unavailable`: key_missing,
    provider_unsupported)."""

    primary: BaseChatModel | None
    unavailable: str | None = None


_CACHE: dict[tuple[Any, ...], Built] = {}


def _key_value(tenant: TenantModel) -> str | None:
    if not tenant.api_key_env:
        return None
    return os.environ.get(tenant.api_key_env) or None


def tenant_primary(settings: Settings, tenant: TenantModel) -> Built:
    """The tenant's own model, built once per tenant and settings (cached)."""
    key = _key_value(tenant)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16] if key else None
    cache_key = (tenant, digest, settings.llm_timeout_seconds, settings.llm_max_retries,
                 settings.azure_openai_api_version)  # fmt: skip
    built = _CACHE.get(cache_key)
    if built is None:
        if len(_CACHE) >= CACHE_LIMIT:
            _CACHE.clear()
        built = _CACHE[cache_key] = _build(settings, tenant, key)
    return built


def _build(settings: Settings, tenant: TenantModel, key: str | None) -> Built:
    if tenant.provider not in OWN_MODEL_PROVIDERS:
        log.warning("llm_tenant_provider_unsupported", tenant=tenant.tenant_id,
                    provider=tenant.provider)  # fmt: skip
        return Built(None, "provider_unsupported")
    if key is None:
        log.warning("llm_tenant_key_missing", tenant=tenant.tenant_id,
                    api_key_env=tenant.api_key_env, provider=tenant.provider)  # fmt: skip
        return Built(None, "key_missing")
    common: dict[str, Any] = {
        "timeout": settings.llm_timeout_seconds,
        "max_retries": settings.llm_max_retries,
        "stream_usage": True,
        "api_key": SecretStr(key),
    }
    if tenant.temperature is not None:
        common["temperature"] = tenant.temperature
    from langchain_openai import AzureChatOpenAI, ChatOpenAI  # slow to import

    primary: BaseChatModel
    if tenant.provider == "azure_openai":
        primary = AzureChatOpenAI(
            azure_endpoint=tenant.endpoint, azure_deployment=tenant.deployment,
            api_version=settings.azure_openai_api_version,
            model=tenant.model or tenant.deployment or "", **common,
        )  # fmt: skip
    else:
        primary = ChatOpenAI(model=tenant.model or "", base_url=tenant.endpoint, **common)
    log.info("llm_tenant_model_built", tenant=tenant.tenant_id, provider=tenant.provider,
             model=tenant.name)  # fmt: skip
    return Built(primary)


def reset_tenant_models() -> None:
    """Forget built tenant models (tests that change a key variable)."""
    _CACHE.clear()
