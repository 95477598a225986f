"""Everything a graph needs at run time, opened once: MCP toolbox, Redis checkpointer, service
database, chat models, and the compiled graphs. The API lifespan and the tests open it (the
renewal CLI calls the API; Studio's factories in graphs/studio.py open the same parts per event
loop for langgraph dev, which compiles the graphs with its own checkpointer)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph.state import CompiledStateGraph
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import create_engine, session_factory
from core.settings import Settings
from graphs.checkpoint import AsyncRedisSaver, redis_checkpointer
from graphs.renewal.deps import RenewalDeps
from graphs.renewal.graph import build_renewal_graph
from graphs.renewal.reads import ReadOnceSaver
from graphs.renewal.records import SqlRenewalRecords
from graphs.side_chat.graph import SideChatDeps, build_side_chat_graph
from graphs.supervision.events import Publisher
from graphs.supervision.graph import AI_TOOLS
from graphs.supervision.knowledge import ToolboxKnowledge
from graphs.supervision.service import SupervisionService
from graphs.supervision.wiring import open_supervision_service
from prompts import preload
from tools.llm import SqlUsageSink, build_chat_model
from tools.mcp import McpToolbox


def workflow_context(state: dict[str, Any]) -> dict[str, Any]:
    """What the chat models are told about the renewal so far (offline model reads it too)."""
    line = state.get("line") or {}
    contract = line.get("contract_info") or {}
    usage = line.get("usage_info") or {}
    plans = state.get("qualified_plans") or state.get("candidate_plans") or []
    return {
        "store_id": state.get("store_id"),
        "customer_id": (state.get("customer") or {}).get("customer_id"),  # never the national ID
        "phone_number": state.get("selected_phone"),
        "current_plan_id": contract.get("plan_id"),
        "remaining_contract_months": max(0, int(contract.get("days_until_expiry") or 0) // 30),
        "candidate_plans": [
            {
                "plan_id": p.get("plan_id") or p.get("promotion_id"),
                "name": p.get("name") or p.get("title"),
            }
            for p in plans
        ],
        "selected_plan_id": (state.get("selected_plan") or {}).get("plan_id"),
        "selected_device_model": (state.get("selected_device") or {}).get("model"),
        "customer_usage": {
            "data_gb_per_month": usage.get("data_used_gb"),
            "voice_minutes_per_month": usage.get("voice_used_minutes"),
        },
        "renewal_type": state.get("renewal_type"),
    }


@dataclass
class GraphRuntime:
    settings: Settings
    toolbox: McpToolbox
    checkpointer: AsyncRedisSaver
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    renewal: CompiledStateGraph
    side_chat: CompiledStateGraph
    supervision: SupervisionService

    def chat_model(self, usage_type: str, state: dict[str, Any]) -> BaseChatModel:
        staff = str(state.get("staff_id") or "")
        return build_chat_model(
            self.settings,
            usage_type=usage_type,
            sink=SqlUsageSink(self.sessions),
            staff_id=int(staff) if staff.isdigit() else None,
            session_id=state.get("session_id"),
            context=workflow_context(state),
        )


@asynccontextmanager
async def open_graph_runtime(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    publisher: Publisher | None = None,
    supervision: Mapping[str, Any] | None = None,
) -> AsyncIterator[GraphRuntime]:
    """`publisher` receives every chat-session event (the API passes its event hub);
    `supervision` overrides the supervision deps (e.g. `shift`, the API's shift-hours store)."""
    async with AsyncExitStack() as stack:
        await asyncio.to_thread(preload)  # prompt files read once, off the event loop
        if engine is None:
            engine = create_engine(settings)
            stack.push_async_callback(engine.dispose)
        sessions = session_factory(engine)
        checkpointer = await stack.enter_async_context(redis_checkpointer(settings))
        toolbox = await stack.enter_async_context(McpToolbox(settings))
        runtime = GraphRuntime(settings, toolbox, checkpointer, engine, sessions, None, None, None)  # type: ignore[arg-type]
        deps = RenewalDeps(
            tools=toolbox, records=SqlRenewalRecords(sessions), chat_model=runtime.chat_model
        )
        # a step's run reuses the checkpoint read its request checked (graphs/renewal/reads.py)
        renewal_saver = ReadOnceSaver(checkpointer)
        runtime.renewal = build_renewal_graph(deps).compile(checkpointer=renewal_saver)
        side = SideChatDeps(tools=toolbox.langchain_tools(), chat_model=runtime.chat_model)
        runtime.side_chat = build_side_chat_graph(side).compile(checkpointer=checkpointer)
        runtime.supervision = await stack.enter_async_context(
            open_supervision_service(
                settings, checkpointer=checkpointer, sessions=sessions,
                tools=toolbox.langchain_tools(AI_TOOLS), publisher=publisher,
                knowledge=ToolboxKnowledge(toolbox),
                **dict(supervision or {}),
            )
        )  # fmt: skip
        yield runtime
