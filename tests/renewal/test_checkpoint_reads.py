"""An answered step reads its session's checkpoint from Redis once: the run reuses the read
that checked the answer (`graphs/renewal/reads.py`), and a read in another request is never
taken for it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from core.errors import InvalidInput, NotFound
from graphs.renewal.flow import RenewalFlow, session_view
from graphs.renewal.reads import ReadOnceSaver
from graphs.renewal.steps import Step
from mcp_servers.backoffice.golden import GOLDEN
from tests.renewal.conftest import STAFF_ID, STORE


def count_redis_reads(flow: RenewalFlow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread ids the Redis saver is asked for (the real read still runs)."""
    saver = flow.graph.checkpointer
    assert isinstance(saver, ReadOnceSaver)
    reads: list[str] = []
    real = saver.inner.aget_tuple

    async def counted(config: Any) -> Any:
        reads.append(config["configurable"]["thread_id"])
        return await real(config)

    monkeypatch.setattr(saver.inner, "aget_tuple", counted)
    return reads


async def test_an_answer_reads_the_checkpoint_once(
    flow: RenewalFlow, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = (await flow.start(STAFF_ID, STORE))["session_id"]
    reads = count_redis_reads(flow, monkeypatch)
    current, _ = await flow.read(session_id)
    view = await flow.answer(
        session_id, Step.QUERY_CUSTOMER, {"id_number": GOLDEN.eligible.national_id},
        current=current,
    )  # fmt: skip
    assert view["current_step"] == Step.SELECT_PHONE.value
    assert reads == [session_id]


async def test_a_read_kept_in_one_request_is_not_used_by_another(
    flow: RenewalFlow, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = (await flow.start(STAFF_ID, STORE))["session_id"]
    reads = count_redis_reads(flow, monkeypatch)
    # another request's read (a task has its own context): its kept read is not this run's
    current, _ = await asyncio.create_task(flow.read(session_id))
    answer = {"id_number": GOLDEN.eligible.national_id}
    view = await flow.answer(session_id, Step.QUERY_CUSTOMER, answer, current=current)
    assert view["current_step"] == Step.SELECT_PHONE.value
    assert reads == [session_id] * 2  # that read, and this run's own


async def graph_state_view(flow: RenewalFlow, session_id: str) -> tuple[dict[str, Any], Any]:
    """The view as LangGraph's own `aget_state` builds it (what `flow.read` gave before it
    read the saved checkpoint directly)."""
    snapshot = await flow.graph.aget_state(flow.config(session_id))
    waiting = next((i.value for task in snapshot.tasks for i in task.interrupts), None)
    return session_view(session_id, snapshot.values, waiting), snapshot.created_at


@pytest.mark.usefixtures("fresh_backoffice")
async def test_a_session_reads_as_langgraph_state_shows_it_at_every_step(
    flow: RenewalFlow,
) -> None:
    """Waiting, refused (the answer and the new question both pending), gone back, abandoned
    and completed: the direct read of the checkpoint gives the view `aget_state` gives."""
    seen: list[str | None] = []

    async def same(session_id: str) -> None:
        fast = await flow._read_saved(session_id)
        assert fast is not None  # the direct read, not its fallback
        view, moved = fast
        expected, created_at = await graph_state_view(flow, session_id)
        assert view == expected
        assert moved is not None and moved.isoformat() == created_at
        assert await flow.read(session_id) == fast
        seen.append(view["current_step"])

    async def step(session_id: str, at: Step, **value: Any) -> None:
        with contextlib.suppress(InvalidInput):
            await flow.answer(session_id, at, value)
        await same(session_id)

    sid = (await flow.start(STAFF_ID, STORE))["session_id"]
    await same(sid)
    await step(sid, Step.QUERY_CUSTOMER, id_number="A123456788")  # refused: bad check digit
    await step(sid, Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
    await step(sid, Step.SELECT_PHONE, phone_number=GOLDEN.eligible.phone)
    await step(sid, Step.SELECT_DEVICE_TYPE, device_type="none")
    await step(sid, Step.LIST_PLANS)
    view, _ = await flow.read(sid)
    plan = view["waiting"]["show"]["plans"][0]["plan_id"]
    await step(sid, Step.SELECT_PLAN, plan_id=plan)
    await step(sid, Step.CONFIRM, action="back", to=Step.SELECT_PLAN.value)
    await step(sid, Step.SELECT_PLAN, plan_id=plan)
    await step(sid, Step.CONFIRM, confirmed=True)
    await step(sid, Step.SUBMIT, submit=True)
    assert seen[-1] is None and (await flow.read(sid))[0]["outcome"] == "completed"

    other = (await flow.start(STAFF_ID, STORE))["session_id"]
    await step(other, Step.QUERY_CUSTOMER, id_number=GOLDEN.debt.national_id)
    await step(other, Step.SELECT_PHONE, phone_number=GOLDEN.debt.phone)  # not eligible
    assert (await flow.read(other))[0]["waiting"]["error"]["code"] == "NOT_ELIGIBLE"
    await step(other, Step.SELECT_PHONE, action="abandon")
    assert (await flow.read(other))[0]["outcome"] == "abandoned"
    assert seen.count("select_plan") == 2 and seen.count("query_customer") == 2


async def test_an_unknown_session_is_not_found(flow: RenewalFlow) -> None:
    with pytest.raises(NotFound):
        await flow.read("renewal_2_000000000000")
