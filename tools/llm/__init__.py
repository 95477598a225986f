"""Chat models for the graphs: one factory, an offline model, degraded mode and usage records.

Graphs import from here only:

    from tools.llm import build_chat_model, dump_context, ListUsageSink, SqlUsageSink

See `factory.py` for the provider choice, `offline.py` for the deterministic model,
`fallback.py` for degraded mode and `usage.py` for usage records.
"""

from tools.llm.context import (
    CONTEXT_TAG,
    WorkflowContext,
    context_block,
    dump_context,
    read_context,
)
from tools.llm.factory import LlmNotConfigured, build_chat_model, build_primary_model
from tools.llm.fallback import FALLBACKS, CircuitBreaker, FallbackChatModel, reset_breakers
from tools.llm.offline import OFFLINE_MODEL, OfflineChatModel
from tools.llm.tenant import TenantModel, reset_tenant_models
from tools.llm.usage import (
    USAGE_TYPES,
    ListUsageSink,
    LogUsageSink,
    SqlUsageSink,
    UsageCallbackHandler,
    UsageRecord,
    UsageSink,
    cost_usd,
)

__all__ = [
    "CONTEXT_TAG",
    "FALLBACKS",
    "OFFLINE_MODEL",
    "USAGE_TYPES",
    "CircuitBreaker",
    "FallbackChatModel",
    "ListUsageSink",
    "LlmNotConfigured",
    "LogUsageSink",
    "OfflineChatModel",
    "SqlUsageSink",
    "TenantModel",
    "UsageCallbackHandler",
    "UsageRecord",
    "UsageSink",
    "WorkflowContext",
    "build_chat_model",
    "build_primary_model",
    "context_block",
    "cost_usd",
    "dump_context",
    "read_context",
    "reset_breakers",
    "reset_tenant_models",
]
