"""The langgraph-checkpoint-conformance suite, every capability, against the real Redis.

`validate()` enters the registered lifespan once per run and calls the factory once per
capability, so the factory flushes its own prefix each time; the test fails if any capability
is missing, skipped or has a failing case.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES
from langgraph.checkpoint.conformance.report import CapabilityReport

from graphs.checkpoint import AsyncRedisSaver, RedisSaver
from tests.checkpoint.conftest import ON_BOTH, Store, delete_prefix, new_prefix

ASYNC_PREFIX = new_prefix()
SYNC_PREFIX = new_prefix()
# The registered factories take no arguments: the test names the store they use here.
CURRENT: dict[str, Store] = {}


async def _lifespan() -> AsyncIterator[None]:
    yield
    with CURRENT["store"].client() as client:
        delete_prefix(client, ASYNC_PREFIX)
        delete_prefix(client, SYNC_PREFIX)


@checkpointer_test(name="AsyncRedisSaver", lifespan=_lifespan)
async def async_redis_checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    store = CURRENT["store"]
    with store.client() as client:
        delete_prefix(client, ASYNC_PREFIX)
    async with AsyncRedisSaver.from_url(
        store.url, key_prefix=ASYNC_PREFIX, cluster=store.cluster
    ) as saver:
        yield saver


@checkpointer_test(name="RedisSaver", lifespan=_lifespan)
async def sync_redis_checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    store = CURRENT["store"]
    with store.client() as client:
        delete_prefix(client, SYNC_PREFIX)
    with RedisSaver.from_url(store.url, key_prefix=SYNC_PREFIX, cluster=store.cluster) as saver:
        yield saver


def _assert_full(report: CapabilityReport) -> None:
    report.print_report()
    expected = {c.value for c in ALL_CAPABILITIES}
    assert set(report.results) == expected
    problems = {
        name: (r.detected, r.passed, r.tests_skipped, r.failures)
        for name, r in report.results.items()
        if not (r.detected and r.passed is True and r.tests_skipped == 0 and r.tests_passed > 0)
    }
    assert not problems, problems
    assert report.passed_all_base() and report.passed_all()
    assert report.conformance_level() == "FULL"


@ON_BOTH
@pytest.mark.parametrize(
    "registered", [async_redis_checkpointer, sync_redis_checkpointer], ids=["async", "sync"]
)
async def test_conformance_all_capabilities(registered, store: Store) -> None:  # type: ignore[no-untyped-def]
    CURRENT["store"] = store
    report = await validate(registered)
    _assert_full(report)
    total = sum(r.tests_passed for r in report.results.values())
    print(f"{registered.name}: {total} conformance cases passed")
