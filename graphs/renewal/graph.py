"""The renewal graph's wiring, and nothing else. Compiled by the API (Redis checkpointer) and by
Studio (langgraph.json); no checkpointer is compiled in here."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from graphs.renewal.deps import RenewalDeps
from graphs.renewal.nodes import RenewalNodes
from graphs.renewal.state import RenewalState
from graphs.renewal.steps import BACK_TARGETS, Step


def build_renewal_graph(deps: RenewalDeps) -> StateGraph:
    nodes = RenewalNodes(deps)
    graph = StateGraph(RenewalState)

    def add(step: Step | str, handler: Any, *forward: str) -> None:
        # destinations only draw the diagram; routing is done by the nodes' Command(goto=...).
        # A waiting step also goes to itself: a refused answer re-enters it with the refusal.
        name = step.value if isinstance(step, Step) else step
        backs = tuple(b.value for b in BACK_TARGETS if b.value != name)
        graph.add_node(name, handler, destinations=(name, *forward, *backs, END))

    add(Step.QUERY_CUSTOMER, nodes.query_customer, Step.SELECT_PHONE)
    add(Step.SELECT_PHONE, nodes.select_phone, Step.SELECT_DEVICE_TYPE)
    add(Step.SELECT_DEVICE_TYPE, nodes.select_device_type, Step.SELECT_DEVICE_OS, Step.LIST_PLANS)
    add(Step.SELECT_DEVICE_OS, nodes.select_device_os, Step.SELECT_DEVICE)
    add(Step.SELECT_DEVICE, nodes.select_device, Step.LIST_PLANS)
    add(Step.LIST_PLANS, nodes.list_plans, Step.SELECT_PLAN)
    add(Step.SELECT_PLAN, nodes.select_plan, "compare_plans", Step.CONFIRM)
    graph.add_node("compare_plans", nodes.compare_plans)
    add(Step.CONFIRM, nodes.confirm, Step.SUBMIT)
    add(Step.SUBMIT, nodes.submit)
    graph.add_edge(START, Step.QUERY_CUSTOMER.value)
    graph.add_edge("compare_plans", Step.SELECT_PLAN.value)
    return graph
