"""A renewal state of realistic size, taken from a real journey, and a one-click graph over it.

The checkpoint benchmark needs what the service really saves and loads, not a counter: `capture`
runs the real renewal graph (the MCP servers over a generated back office, the Redis checkpointer,
the offline chat model) for the golden eligible customer with an iPhone, through list-plans and a
two-plan comparison, and returns the state the graph holds then (step 9 waiting: customer,
lines, device cards, candidate plans, their checks, the qualified plans, the comparison). The
renewal state has no chat messages: the side chat keeps those on its own thread.

`click_builder` has the same state schema. One click does to the checkpoint what resuming a
waiting step does: the waiting node takes the answer, a work node rewrites the plan channels
(new versions, same size, as list-plans does), the waiting node interrupts again. Without a
checkpointer there is no interrupt, so the same nodes run once from the full state instead.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from redis.asyncio import Redis

from graphs.renewal.flow import RenewalFlow
from graphs.renewal.state import RenewalState
from graphs.renewal.steps import Step
from graphs.runtime import open_graph_runtime
from mcp_servers.backoffice.golden import GOLDEN
from tests.benchmarks.bench_servers import bench_settings

STAFF_ID = 2  # a seeded sales account of store S001
PLAN_CHANNELS = ("candidate_plans", "plan_checks", "qualified_plans", "comparison")


async def capture(work: Path) -> dict[str, Any]:
    """The renewal state after list-plans and a comparison, from the real graph."""
    settings = await bench_settings(f"sqlite+aiosqlite:///{work / 'switchboard.db'}", work)
    prefix = f"sbbench-state-{uuid.uuid4().hex[:6]}"
    settings = settings.model_copy(update={"redis_key_prefix": prefix})
    device = GOLDEN.device
    answers: list[tuple[Step, dict[str, Any]]] = [
        (Step.QUERY_CUSTOMER, {"id_number": GOLDEN.eligible.national_id}),
        (Step.SELECT_PHONE, {"phone_number": GOLDEN.eligible.phone}),
        (Step.SELECT_DEVICE_TYPE, {"device_type": "smartphone"}),
        (Step.SELECT_DEVICE_OS, {"os_type": "ios"}),
        (Step.SELECT_DEVICE, {"device_id": device.device_id, "color": device.color}),
    ]
    try:
        async with open_graph_runtime(settings) as runtime:
            flow = RenewalFlow(runtime.renewal, runtime.sessions)
            session = (await flow.start(STAFF_ID, "S001"))["session_id"]
            for step, value in answers:
                await flow.answer(session, step, value)
            view = await flow.answer(session, Step.LIST_PLANS, {})
            plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
            await flow.answer(session, Step.SELECT_PLAN, {"compare": plans[:2]})
            snapshot = await runtime.renewal.aget_state(flow.config(session))
            state = dict(snapshot.values)
    finally:
        admin = Redis.from_url(settings.redis_url)
        async for key in admin.scan_iter(match=f"{prefix}:*", count=1000):
            await admin.unlink(key)
        await admin.aclose()
    missing = [k for k in PLAN_CHANNELS if not state.get(k)]
    assert not missing, f"the journey did not reach the comparison: {missing} empty"
    return state


def serialized_sizes(state: dict[str, Any], serde: SerializerProtocol) -> dict[str, int]:
    """Bytes per channel as the saver stores them (its serde), largest first."""
    sizes = {key: len(serde.dumps_typed(value)[1]) for key, value in state.items()}
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))


def click_builder(captured: dict[str, Any], *, checkpointed: bool) -> StateGraph:
    """wait -> work -> wait (interrupts) with a checkpointer; wait -> work -> stop without."""
    plans = {key: captured[key] for key in PLAN_CHANNELS}

    def wait(state: RenewalState) -> dict[str, Any]:
        if checkpointed:
            interrupt({"step": Step.SELECT_PLAN.value})
        visited = [*state.get("visited", [])[-9:], Step.SELECT_PLAN.value]  # constant size
        return {"visited": visited, "refusal": None}

    def work(state: RenewalState) -> dict[str, Any]:
        return dict(plans)

    def stop(state: RenewalState) -> dict[str, Any]:
        return {}

    builder = StateGraph(RenewalState)
    builder.add_node("wait", wait)
    builder.add_node("work", work)
    builder.add_edge(START, "wait")
    builder.add_edge("wait", "work")
    if checkpointed:
        builder.add_edge("work", "wait")
    else:
        builder.add_node("stop", stop)
        builder.add_edge("work", "stop")
        builder.add_edge("stop", END)
    return builder
