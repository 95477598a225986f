"""The real runtime for the graph suites, in-process and isolated from the developer's data.

Real MCP stdio servers over a back-office SQLite file generated for today, the Redis
checkpointer under its own key prefix (`sbevals`, with a TTL so nothing piles up; nothing is
ever flushed), and a migrated, seeded SQLite service database in a temporary folder. Graphs are
compiled per case from the shared parts, with the model under evaluation and, for the renewal,
a recording proxy in front of the toolbox.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph.state import CompiledStateGraph

from core.bootstrap import build_search_index
from core.db.migrate import seed
from core.settings import Settings
from evals.runner.suite import RunContext
from graphs.renewal.deps import RenewalDeps, ToolCaller
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.graph import build_renewal_graph
from graphs.renewal.records import SqlRenewalRecords
from graphs.renewal.steps import Step
from graphs.runtime import GraphRuntime, open_graph_runtime
from graphs.side_chat.graph import SideChatDeps, build_side_chat_graph
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.store import load

KEY_PREFIX = "sbevals"
CHECKPOINT_TTL_SECONDS = 3600
STAFF_ID = 2  # a seeded sales account of store S001
STORE_ID = GOLDEN.store_id

ChatModelFactory = Callable[[str, dict[str, Any]], BaseChatModel]


class RecordingTools:
    """The toolbox's `call(tool, **args)` protocol, remembering every call in start order."""

    def __init__(self, inner: ToolCaller) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, tool: str, **arguments: Any) -> Any:
        self.calls.append((tool, arguments))
        return await self.inner.call(tool, **arguments)


@dataclass
class GraphEnvironment:
    settings: Settings
    runtime: GraphRuntime
    today: date = field(default_factory=date.today)

    def reload_backoffice(self) -> None:
        """Fresh stock, no reservations: journeys do not see each other's reservations."""
        load(
            generate(self.settings.demo_seed, self.today),
            self.settings.backoffice_db_path,
            replace=True,
        )

    def renewal_flow(self, tools: ToolCaller, chat_model: ChatModelFactory) -> RenewalFlow:
        deps = RenewalDeps(
            tools=tools, records=SqlRenewalRecords(self.runtime.sessions), chat_model=chat_model
        )
        graph = build_renewal_graph(deps).compile(checkpointer=self.runtime.checkpointer)
        return RenewalFlow(graph, self.runtime.sessions)

    def side_chat_graph(self, chat_model: ChatModelFactory) -> CompiledStateGraph:
        deps = SideChatDeps(tools=self.runtime.toolbox.langchain_tools(), chat_model=chat_model)
        return build_side_chat_graph(deps).compile(checkpointer=self.runtime.checkpointer)


async def open_environment(stack: AsyncExitStack, base: Settings) -> GraphEnvironment:
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="switchboard-evals-")))
    settings = base.model_copy(
        update={
            "backoffice_db_path": workdir / "backoffice.db",
            "database_url": f"sqlite+aiosqlite:///{workdir / 'service.db'}",
            "redis_key_prefix": KEY_PREFIX,
            "checkpoint_ttl_seconds": CHECKPOINT_TTL_SECONDS,
        }
    )
    today = date.today()
    load(generate(settings.demo_seed, today), settings.backoffice_db_path)
    await seed(settings.database_url, settings)
    await build_search_index(settings)
    runtime = await stack.enter_async_context(open_graph_runtime(settings))
    return GraphEnvironment(settings, runtime, today)


async def environment(ctx: RunContext) -> GraphEnvironment:
    """The run's shared environment, opened on first use (infrastructure only: the model and
    prompt versions come from `ctx` when each case compiles its graphs)."""

    async def factory(stack: AsyncExitStack) -> GraphEnvironment:
        return await open_environment(stack, ctx.resources.settings)

    return await ctx.resources.get("graphs", factory)


async def session_at_select_plan(flow: RenewalFlow) -> tuple[str, dict[str, Any]]:
    """The golden eligible customer, plain renewal, plans listed: waiting at step 8."""
    view = await flow.start(STAFF_ID, STORE_ID)
    session_id = view["session_id"]
    await flow.answer(session_id, Step.QUERY_CUSTOMER, {"id_number": GOLDEN.eligible.national_id})
    await flow.answer(session_id, Step.SELECT_PHONE, {"phone_number": GOLDEN.eligible.phone})
    await flow.answer(session_id, Step.SELECT_DEVICE_TYPE, {"device_type": "none"})
    view = await flow.answer(session_id, Step.LIST_PLANS, {})
    if view["current_step"] != Step.SELECT_PLAN.value:
        raise RuntimeError(f"setup journey stopped at {view['current_step']}, not select_plan")
    return session_id, view


# --- `$name`, `$name[0]`, `$name[:2]` references in dataset values ---------------------------

_REF = re.compile(r"^\$([A-Za-z_]\w*)(?:\[(\d+)\]|\[:(\d+)\])?$")


def resolve_refs(value: Any, refs: dict[str, Any]) -> Any:
    """Replace reference strings with values from `refs` (what is on screen / in context)."""
    if isinstance(value, dict):
        return {k: resolve_refs(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, refs) for v in value]
    if not isinstance(value, str) or not (match := _REF.match(value)):
        return value
    name, index, head = match.groups()
    if name not in refs:
        raise KeyError(f"unknown reference {value!r} (known: {', '.join(sorted(refs))})")
    found = refs[name]
    if index is not None:
        return found[int(index)]
    if head is not None:
        return list(found[: int(head)])
    return found


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Every expected key present with an equal value (strings compared case-insensitively)."""
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, str) and isinstance(got, str):
            if want.casefold() != got.casefold():
                return False
        elif want != got:
            return False
    return True
