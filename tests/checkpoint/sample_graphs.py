"""Small graphs the checkpoint tests run, plus a CLI for the cross-process test.

`graph` is compiled without a checkpointer on purpose: `langgraph dev` supplies the one named in
langgraph.json (graphs.checkpoint:redis_checkpointer).

    python -m tests.checkpoint.sample_graphs start <thread_id>
    python -m tests.checkpoint.sample_graphs resume <thread_id> <answer>

Both read REDIS_URL / REDIS_KEY_PREFIX through core.settings and print one JSON line.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import operator
import sys
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send, interrupt


class ApprovalState(TypedDict, total=False):
    name: str
    answer: str
    steps: Annotated[list[str], operator.add]


def _prepare(state: ApprovalState) -> dict[str, Any]:
    return {"steps": ["prepare"]}


def _ask(state: ApprovalState) -> dict[str, Any]:
    answer = interrupt({"question": f"approve {state.get('name', '?')}?"})
    return {"answer": answer, "steps": ["ask"]}


def _finish(state: ApprovalState) -> dict[str, Any]:
    return {"steps": ["finish"]}


def approval_builder() -> StateGraph:
    """prepare -> ask (interrupts for an answer) -> finish."""
    builder = StateGraph(ApprovalState)
    builder.add_node("prepare", _prepare)
    builder.add_node("ask", _ask)
    builder.add_node("finish", _finish)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "ask")
    builder.add_edge("ask", "finish")
    builder.add_edge("finish", END)
    return builder


graph = approval_builder().compile()


class LinearState(TypedDict, total=False):
    count: int
    trail: Annotated[list[str], operator.add]


def linear_builder(nodes: int = 10) -> StateGraph:
    """n nodes in a row, each bumping a counter and appending its name."""
    builder = StateGraph(LinearState)
    names = [f"n{i}" for i in range(nodes)]
    for name in names:
        builder.add_node(name, lambda s, _n=name: {"count": s.get("count", 0) + 1, "trail": [_n]})
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder


class FanState(TypedDict, total=False):
    items: Annotated[list[str], operator.add]
    gate: str


def fanout_builder(width: int = 8, *, gated: bool = True) -> StateGraph:
    """START fans out to `width` workers (via Send) plus a gate that may interrupt."""
    builder = StateGraph(FanState)

    def worker(arg: dict[str, Any]) -> dict[str, Any]:
        return {"items": [f"w{arg['i']}-a", f"w{arg['i']}-b"]}

    def gate(state: FanState) -> dict[str, Any]:
        return {"gate": interrupt("open?") if gated else "open"}

    def fan(state: FanState) -> list[Send]:
        return [Send("worker", {"i": i}) for i in range(width)] + [Send("gate", {})]

    builder.add_node("worker", worker)
    builder.add_node("gate", gate)
    builder.add_conditional_edges(START, fan, ["worker", "gate"])
    builder.add_edge("worker", END)
    builder.add_edge("gate", END)
    return builder


async def _cli(argv: list[str]) -> dict[str, Any]:
    from graphs.checkpoint import redis_checkpointer

    phase, thread_id = argv[0], argv[1]
    config = {"configurable": {"thread_id": thread_id}}
    async with redis_checkpointer() as saver:
        app = approval_builder().compile(checkpointer=saver)
        if phase == "start":
            result = await app.ainvoke({"name": "renewal"}, config)
            return {"interrupts": [i.value for i in result.get("__interrupt__", [])]}
        result = await app.ainvoke(Command(resume=argv[2]), config)
        state = await app.aget_state(config)
        return {"result": result, "next": list(state.next)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_cli(sys.argv[1:]))))
