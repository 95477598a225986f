"""Side-chat wiring: agent ⇄ tools until the model answers without a tool call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition

from prompts import load_prompt
from tools.llm import dump_context

# What the side chat may call: reads only (no reservations, no national-ID lookups).
READ_ONLY_TOOLS: tuple[str, ...] = (
    "list_customer_phones", "get_phone_details", "check_promotion_eligibility",
    "query_device_stock", "get_device_info", "get_device_pricing", "get_recommended_devices",
    "search_promotions", "get_plan_details", "compare_plans", "calculate_upgrade_cost",
)  # fmt: skip


class SideChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    context: dict[str, Any]  # the renewal's selections, refreshed every turn
    session_id: str
    staff_id: str


@dataclass(frozen=True)
class SideChatDeps:
    tools: Sequence[BaseTool]
    chat_model: Callable[[str, dict[str, Any]], BaseChatModel]  # (usage_type, state)


def build_side_chat_graph(deps: SideChatDeps) -> StateGraph:
    tools = [t for t in deps.tools if t.name in READ_ONLY_TOOLS]

    async def agent(state: SideChatState) -> dict[str, Any]:
        context = state.get("context") or {}
        model = deps.chat_model("free_chat", {**context, **state}).bind_tools(tools)
        prompt = load_prompt("free_chat_system").format_messages(
            context_json=dump_context(context),
            today=date.today().isoformat(),
            history=state.get("messages", []),
        )
        return {"messages": [await model.ainvoke(prompt)]}

    graph = StateGraph(SideChatState)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "agent")
    return graph
