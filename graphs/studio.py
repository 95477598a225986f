"""Graph factories for `langgraph dev` / LangGraph Studio (named in langgraph.json).

langgraph-api calls a factory for every run and compiles what it returns with its checkpointer
(ours, from `graphs.checkpoint.redis_checkpointer`), so the factories return uncompiled graphs.
The MCP sessions and the database engine behind them are opened once per event loop and shared:
opening three MCP servers per run would cost seconds. Whatever touches the file system while
opening them runs in a thread: `langgraph dev` raises on blocking calls in the event loop.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph import StateGraph
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.engine import create_engine, session_factory
from core.redis_clients import async_client, connected
from core.settings import Settings, get_settings
from graphs.renewal.deps import RenewalDeps
from graphs.renewal.graph import build_renewal_graph
from graphs.renewal.records import SqlRenewalRecords
from graphs.side_chat.graph import SideChatDeps, build_side_chat_graph
from graphs.supervision.graph import AI_TOOLS, build_supervision_graph
from graphs.supervision.outbox import RedisOutbox
from graphs.supervision.shift_store import ShiftStore
from graphs.supervision.wiring import supervision_deps
from prompts import preload
from tools.llm import SqlUsageSink, build_chat_model
from tools.mcp import McpToolbox


@dataclass
class _Shared:
    settings: Settings
    toolbox: McpToolbox
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    stack: AsyncExitStack

    def chat_model(self, usage_type: str, state: dict[str, Any]) -> BaseChatModel:
        from graphs.runtime import workflow_context

        return build_chat_model(self.settings, usage_type=usage_type,
                                sink=SqlUsageSink(self.sessions),
                                session_id=state.get("session_id"),
                                context=workflow_context(state))  # fmt: skip


_shared: dict[int, _Shared] = {}
_lock = asyncio.Lock()


async def _resources() -> _Shared:
    loop = id(asyncio.get_running_loop())
    async with _lock:
        if loop not in _shared:
            settings = await asyncio.to_thread(get_settings)
            await asyncio.to_thread(preload)
            stack = AsyncExitStack()
            toolbox = await stack.enter_async_context(McpToolbox(settings))
            # off the loop: a relative SQLite path (.env.example's) is resolved with os.getcwd,
            # which langgraph dev's blocking-call detector refuses
            engine = await asyncio.to_thread(create_engine, settings)
            stack.push_async_callback(engine.dispose)
            redis = async_client(settings, decode_responses=True)
            stack.push_async_callback(redis.aclose)
            await connected(redis)
            _shared[loop] = _Shared(settings, toolbox, session_factory(engine), redis, stack)
    return _shared[loop]


async def renewal() -> StateGraph:
    """The 10-step renewal; start it with {"session_id", "staff_id", "store_id"}."""
    shared = await _resources()
    deps = RenewalDeps(tools=shared.toolbox, records=SqlRenewalRecords(shared.sessions),
                       chat_model=shared.chat_model)  # fmt: skip
    return build_renewal_graph(deps)


async def side_chat() -> StateGraph:
    """The staff's side chat; input {"messages": [...], "context": {...}}."""
    shared = await _resources()
    deps = SideChatDeps(tools=shared.toolbox.langchain_tools(), chat_model=shared.chat_model)
    return build_side_chat_graph(deps)


async def supervision() -> StateGraph:
    """The customer chat under supervision; input {"incoming": {"type": "user_message",
    "content": "..."}}; an escalation waits as an Agent Inbox interrupt (resume with
    {"type": "takeover", "agent": {...}} etc.). Studio runs skip the API's takeover claims;
    the shift hours are the API's (`PUT /api/shift/config`, stored in Redis)."""
    shared = await _resources()
    prefix = shared.settings.redis_key_prefix
    deps = supervision_deps(
        shared.settings,
        sessions=shared.sessions,
        outbox=RedisOutbox(shared.redis, prefix),
        tools=shared.toolbox.langchain_tools(AI_TOOLS),
        shift=ShiftStore(shared.redis, prefix).current,
    )
    return build_supervision_graph(deps)
