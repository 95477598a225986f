"""A renewal click takes its session lock in the round trip of its session read (issue 24).

The lock's `SET NX GET` goes first in the read's round trip on the saver's connection, so the
lock is still taken before the session is read on the server, and a click costs no round trip
for taking it. Seen at the wire: every saver round trip's commands are recorded (the real
`exchange` still runs) and the lock client's own sends are counted.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

import graphs.checkpoint.transport as transport
from api.auth.services import Principal
from api.auth.tokens import Claims
from api.renewal.locks import SessionLocks
from api.renewal.services import RenewalService
from core.errors import NotFound, RunInProgress
from core.settings import Settings
from graphs.checkpoint import AsyncRedisSaver
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.reads import ReadOnceSaver
from graphs.renewal.steps import Step
from mcp_servers.backoffice.golden import GOLDEN
from tests.checkpoint.test_round_trips import CountingConnection
from tests.renewal.conftest import STAFF_ID, STORE

SALES = Principal(
    STAFF_ID, "sales", "sales", STORE, Claims(STAFF_ID, "sales", STORE, "default", 0, "access",
                                              "j", "s", 0, 0), "default",
)  # fmt: skip


@pytest.fixture
async def lock_redis(app_settings: Settings) -> AsyncIterator[Redis]:
    """The lock's own client, counting its sends."""
    redis = Redis.from_url(app_settings.redis_url, connection_class=CountingConnection)
    yield redis
    await redis.aclose()


@pytest.fixture
def service(flow: RenewalFlow, lock_redis: Redis) -> RenewalService:
    """As `install_renewal` builds it: the release on the saver's transport."""
    saver = flow.graph.checkpointer
    assert isinstance(saver, ReadOnceSaver) and isinstance(saver.inner, AsyncRedisSaver)
    prefix = f"sbtest-ride-{uuid.uuid4().hex[:8]}"
    locks = SessionLocks(lock_redis, prefix, trips=saver.inner.redis)
    return RenewalService(flow, locks, flow.sessions)


def record_trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every round trip the saver makes from now on: its commands' names, and the key of a
    SET or of a script's first key."""
    trips: list[list[str]] = []
    real = transport.exchange

    def named(command: tuple[Any, ...]) -> str:
        key = command[1] if command[0] == "SET" else command[3] if command[0] == "EVALSHA" else ""
        return f"{command[0]} {key}".strip()

    async def recorded(conn: Any, commands: Sequence[tuple[Any, ...]], transaction: bool) -> Any:
        trips.append([named(c) for c in commands])
        return await real(conn, commands, transaction)

    monkeypatch.setattr(transport, "exchange", recorded)
    return trips


async def test_a_click_takes_its_lock_in_the_reads_round_trip(
    service: RenewalService, lock_redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert service.flow.reads_carry
    session_id = (await service.flow.start(STAFF_ID, STORE))["session_id"]
    await (await service.locks.acquire("warm-up")).release()  # connected, scripts loaded
    trips = record_trips(monkeypatch)
    CountingConnection.sends = 0
    answer = {"id_number": GOLDEN.eligible.national_id}
    view = await service.answer(SALES, session_id, Step.QUERY_CUSTOMER, answer)
    assert view["current_step"] == Step.SELECT_PHONE.value
    lock = service.locks.key(session_id)
    assert trips[0][0] == f"SET {lock}"  # the lock first, then the read, in one round trip
    assert trips[0][1].startswith("EVALSHA") and len(trips[0]) == 2
    assert trips[-1] == [f"EVALSHA {lock}"]  # the release, on the saver's transport too
    assert sum(f"SET {lock}" in trip for trip in trips) == 1
    assert CountingConnection.sends == 0  # the lock's own client sent nothing
    assert await lock_redis.exists(lock) == 0


async def test_a_held_session_refuses_the_click_before_it_runs(
    service: RenewalService, lock_redis: Redis
) -> None:
    session_id = (await service.flow.start(STAFF_ID, STORE))["session_id"]
    key = service.locks.key(session_id)
    await lock_redis.set(key, "another-request", px=5000)
    answer = {"id_number": GOLDEN.eligible.national_id}
    with pytest.raises(RunInProgress):
        await service.answer(SALES, session_id, Step.QUERY_CUSTOMER, answer)
    assert await lock_redis.get(key) == b"another-request"  # the holder's lock is untouched
    view, _ = await service.flow.read(session_id)
    assert view["current_step"] == Step.QUERY_CUSTOMER.value  # nothing ran
    await lock_redis.delete(key)


async def test_run_in_progress_comes_before_not_found_and_a_refused_read_frees_the_lock(
    service: RenewalService, lock_redis: Redis
) -> None:
    unknown = f"renewal_{STAFF_ID}_{uuid.uuid4().hex[:12]}"
    key = service.locks.key(unknown)
    await lock_redis.set(key, "another-request", px=5000)
    with pytest.raises(RunInProgress):
        await service.answer(SALES, unknown, Step.QUERY_CUSTOMER, {"id_number": "x"})
    await lock_redis.delete(key)
    with pytest.raises(NotFound):
        await service.answer(SALES, unknown, Step.QUERY_CUSTOMER, {"id_number": "x"})
    assert await lock_redis.exists(key) == 0  # taken with the read, released with the 404


async def test_a_resent_take_recognises_its_own_token(
    service: RenewalService, lock_redis: Redis
) -> None:
    """The saver's transport resends a round trip whose connection was lost: when the first
    send had taken the lock, the second finds its own token and holds it."""
    session_id = (await service.flow.start(STAFF_ID, STORE))["session_id"]
    take = service.locks.take(session_id)
    assert await lock_redis.execute_command(*take.commands[0]) is None  # the lost first send
    await service.flow.read(session_id, ahead=take)  # the resend
    held = service.locks.settle(take)
    assert await lock_redis.get(held.key) == take.token.encode()
    await held.release()
    assert await lock_redis.exists(held.key) == 0
