"""An answered step reads its session's checkpoint from Redis once: the run reuses the read
that checked the answer (`graphs/renewal/reads.py`), and a read in another request is never
taken for it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphs.renewal.flow import RenewalFlow
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
