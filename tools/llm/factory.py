"""The one place chat models are built: provider from settings, fallback and usage wired in.

    model = build_chat_model(settings, usage_type="free_chat", sink=sink,
                             staff_id=user.id, session_id=session_id)
    agent = create_react_agent(model, toolbox.langchain_tools([...]))

* `LLM_PROVIDER=offline` (default): `OfflineChatModel`, deterministic, no network.
* `azure` / `openai`: `AzureChatOpenAI` / `ChatOpenAI` (timeout, retries with the SDK's
  exponential backoff, `stream_usage=True` so streamed answers report tokens), wrapped in
  `FallbackChatModel` so a slow or failing endpoint degrades to the offline answer.

Every model carries a `UsageCallbackHandler`: each call becomes one `UsageRecord` in `sink`
(the log when no sink is given).

With `tenant` (a `TenantModel`, the supervision chats), a tenant that chose a model of its own
gets that model instead (tenant.py: cached per tenant and settings; offline, marked degraded,
when its key variable is unset).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from core.errors import SwitchboardError
from core.settings import Settings, get_settings
from tools.llm.fallback import FallbackChatModel, breaker_for
from tools.llm.offline import OFFLINE_MODEL, OfflineChatModel
from tools.llm.tenant import TenantModel, tenant_primary
from tools.llm.usage import LogUsageSink, UsageCallbackHandler, UsageSink


class LlmNotConfigured(SwitchboardError):
    """LLM_PROVIDER names a provider whose endpoint or key settings are missing."""

    code = "LLM_NOT_CONFIGURED"
    status = 500


def _require(settings: Settings, *names: str) -> None:
    missing = [name.upper() for name in names if not getattr(settings, name)]
    if missing:
        raise LlmNotConfigured(
            f"LLM_PROVIDER={settings.llm_provider} needs {', '.join(missing)}", missing=missing
        )


def build_primary_model(settings: Settings) -> BaseChatModel:
    """The real model alone (no fallback, no usage handler): for evals and contract tests."""
    common: dict[str, Any] = {
        "model": settings.llm_model,
        "timeout": settings.llm_timeout_seconds,
        "max_retries": settings.llm_max_retries,
        "stream_usage": True,
    }
    # imported here: the OpenAI SDK costs every process 0.8 s of start-up, offline too
    from langchain_openai import AzureChatOpenAI, ChatOpenAI

    if settings.llm_provider == "azure":
        _require(settings, "azure_openai_endpoint", "azure_openai_api_key",
                 "azure_openai_deployment")  # fmt: skip
        return AzureChatOpenAI(
            azure_endpoint=settings.azure_openai_endpoint,
            azure_deployment=settings.azure_openai_deployment,
            api_version=settings.azure_openai_api_version,
            api_key=SecretStr(settings.azure_openai_api_key or ""),
            **common,
        )
    if settings.llm_provider == "openai":
        if not settings.openai_base_url:
            _require(settings, "openai_api_key")
        # Local OpenAI-compatible servers (vLLM, Ollama) accept any key; the SDK needs one.
        key = settings.openai_api_key or "not-needed"
        return ChatOpenAI(base_url=settings.openai_base_url, api_key=SecretStr(key), **common)
    raise LlmNotConfigured(f"LLM_PROVIDER={settings.llm_provider} has no real model")


def _endpoint(settings: Settings) -> str:
    if settings.llm_provider == "azure":
        return f"azure:{settings.azure_openai_endpoint}:{settings.azure_openai_deployment}"
    return f"openai:{settings.openai_base_url or 'api.openai.com'}:{settings.llm_model}"


def build_chat_model(
    settings: Settings | None = None,
    *,
    usage_type: str = "free_chat",
    sink: UsageSink | None = None,
    staff_id: int | None = None,
    session_id: str | None = None,
    context: Mapping[str, Any] | None = None,
    degraded_mode: bool = True,
    tenant: TenantModel | None = None,
) -> BaseChatModel:
    """The chat model for one use (`usage_type`: free_chat, comparison, report,
    escalation_summary, customer_chat) with usage recording and, for real providers, the
    offline fallback. `context` is a default workflow context for the offline model; the
    prompt's `<workflow_context>` block wins over it. `tenant`: the chat's tenant's model
    settings (used when the tenant chose a model of its own)."""
    settings = settings or get_settings()
    if tenant is not None and tenant.own:
        return _tenant_model(settings, tenant, usage_type, sink, staff_id, session_id, context)
    offline_name = OFFLINE_MODEL
    usage = UsageCallbackHandler(
        sink or LogUsageSink(),
        prices=settings.llm_prices,
        model=offline_name if settings.llm_provider == "offline" else settings.llm_model,
        usage_type=usage_type,
        staff_id=staff_id,
        session_id=session_id,
    )
    offline_context = dict(context or {})
    if settings.llm_provider == "offline":
        return OfflineChatModel(usage_type=usage_type, context=offline_context, callbacks=[usage])
    primary = build_primary_model(settings)
    if not degraded_mode:
        return primary.model_copy(update={"callbacks": [usage]})
    return FallbackChatModel(
        primary=primary,
        fallback=OfflineChatModel(usage_type=usage_type, context=offline_context, notice=True),
        fallback_after_seconds=settings.llm_fallback_after_seconds,
        primary_model=settings.llm_model,
        fallback_model=offline_name,
        breaker=breaker_for(_endpoint(settings)),
        callbacks=[usage],
    )


def _tenant_model(
    settings: Settings,
    tenant: TenantModel,
    usage_type: str,
    sink: UsageSink | None,
    staff_id: int | None,
    session_id: str | None,
    context: Mapping[str, Any] | None,
) -> BaseChatModel:
    """The tenant's own model behind the offline fallback; with no usable model (key unset,
    provider not installed) every call goes to the fallback, logged and marked degraded."""
    built = tenant_primary(settings, tenant)
    usage = UsageCallbackHandler(sink or LogUsageSink(), prices=settings.llm_prices,
                                 model=tenant.name, usage_type=usage_type, staff_id=staff_id,
                                 session_id=session_id)  # fmt: skip
    fallback = OfflineChatModel(usage_type=usage_type, context=dict(context or {}), notice=True)
    return FallbackChatModel(
        primary=built.primary or fallback,
        fallback=fallback,
        unavailable=built.unavailable,
        fallback_after_seconds=settings.llm_fallback_after_seconds,
        primary_model=tenant.name,
        fallback_model=OFFLINE_MODEL,
        breaker=breaker_for(tenant.endpoint_key),
        callbacks=[usage],
    )
