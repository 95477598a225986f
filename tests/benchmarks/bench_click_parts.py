"""CPU of a click's parts measured alone, variants interleaved (issue 24, seventh pass).

Run: .venv/bin/python -m tests.benchmarks.bench_click_parts [--calls 300] [--reps 5]

One process on uvloop, a seeded PostgreSQL database and a private Redis, as the API has them.
Each part runs `--calls` times per rep; reps alternate between the variants of a part, and the
event loop thread's CPU (`time.thread_time`) per call is printed as best / median rep, in µs.
Parts: the Redis round trips a click makes (redis-py's command and pipeline, the checkpoint
saver's `RoundTrips`) and the service-database writes the seventh pass changed (start's store
check and record insert, the comparison's usage row), each as it was before and as it is now.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from decimal import Decimal
from pathlib import Path

import uvloop

from core.db.engine import create_engine, session_factory
from core.db.repositories.accounts import StoreRepository
from core.db.repositories.renewal import AiUsageRepository, RenewalRecordRepository
from core.redis_clients import async_client_for
from graphs.checkpoint.transport import RoundTrips
from graphs.renewal.records import SqlRenewalRecords
from tests.benchmarks.bench_servers import bench_settings, private_redis, service_database
from tools.llm.usage import SqlUsageSink, UsageRecord

Variant = Callable[[], Awaitable[object]]


async def measure(parts: dict[str, dict[str, Variant]], calls: int, reps: int) -> None:
    for part, variants in parts.items():
        spent: dict[str, list[float]] = {name: [] for name in variants}
        for run in variants.values():  # warm: imports, statement caches, connections
            for _ in range(20):
                await run()
        for _ in range(reps):
            for name, run in variants.items():
                started = time.thread_time()
                for _ in range(calls):
                    await run()
                spent[name].append((time.thread_time() - started) / calls * 1e6)
        print(f"\n{part} (µs of CPU a call, best / median of {reps} reps × {calls})")
        for name, values in spent.items():
            print(f"  {name}: {min(values):.0f} / {statistics.median(values):.0f}")
    print(f"\nload average: {os.getloadavg()}")


def usage_record() -> UsageRecord:
    return UsageRecord(
        usage_type="comparison",
        model="offline",
        prompt_tokens=120,
        completion_tokens=88,
        cost=Decimal("0"),
        latency_ms=3,
        staff_id=1,
        session_id=f"bench-{uuid.uuid4().hex[:12]}",
    )


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-click-parts-"))
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(service_database("postgres", work))
        redis_url, _ = await stack.enter_async_context(private_redis(work))
        settings = await bench_settings(url, work, redis_url)
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        sessions = session_factory(engine)
        records = SqlRenewalRecords(sessions)
        async with sessions() as db:
            store = (await StoreRepository(db).list_active())[0].store_id
        redis = async_client_for(redis_url)
        stack.push_async_callback(redis.aclose)
        trips = RoundTrips(redis, 5.0, lambda exc: RuntimeError(str(exc)))
        stack.push_async_callback(trips.aclose)
        await redis.set("bench:stamp", "x" * 80)

        async def redis_get() -> object:
            return await redis.get("bench:stamp")

        async def redis_pipeline() -> object:  # the auth check's shape
            async with redis.pipeline(transaction=False) as pipe:
                pipe.exists("bench:deny:a")
                pipe.exists("bench:deny:b")
                pipe.get("bench:stamp")
                pipe.get("bench:tenant")
                return await pipe.execute()

        async def trips_four() -> object:
            commands = [("EXISTS", "bench:deny:a"), ("EXISTS", "bench:deny:b"),
                        ("GET", "bench:stamp"), ("GET", "bench:tenant")]  # fmt: skip
            return await trips.send(commands, False)

        async def start_orm() -> object:  # RenewalService.start + RenewalFlow.start before
            async with sessions() as db:
                found = await StoreRepository(db).get(store)
            assert found is not None and found.is_active
            async with sessions.begin() as db:
                return await RenewalRecordRepository(db).create(
                    f"bench-{uuid.uuid4().hex[:12]}", staff_id=1, store_id=store,
                    current_step="query_customer",
                )  # fmt: skip

        async def start_core() -> object:
            return await records.opened(
                f"bench-{uuid.uuid4().hex[:12]}", staff_id=1, store_id=store,
                current_step="query_customer", active_store=True,
            )  # fmt: skip

        sink = SqlUsageSink(sessions)

        async def usage_orm() -> object:  # SqlUsageSink.record before
            record = usage_record()
            async with sessions() as db, db.begin():
                return await AiUsageRepository(db).add(
                    record.usage_type, record.model, staff_id=record.staff_id,
                    session_id=record.session_id, prompt_tokens=record.prompt_tokens,
                    completion_tokens=record.completion_tokens, cost=record.cost,
                    latency_ms=record.latency_ms, is_fallback=record.is_fallback,
                    now=record.created_at,
                )  # fmt: skip

        async def usage_core() -> object:
            await sink.record(usage_record())
            return None

        parts: dict[str, dict[str, Variant]] = {
            "redis, one round trip": {
                "redis-py GET": redis_get,
                "redis-py pipeline of 4 (auth)": redis_pipeline,
                "RoundTrips of the same 4": trips_four,
            },
        }
        parts["start's store check and record insert"] = {
            "ORM: two sessions (before)": start_orm,
            "Core in autocommit, one greenlet hop (SqlRenewalRecords.opened)": start_core,
        }
        parts["the comparison's usage row"] = {
            "ORM session (before)": usage_orm,
            "Core INSERT in autocommit, one greenlet hop (SqlUsageSink)": usage_core,
        }
        await measure(parts, args.calls, args.reps)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="calls per rep")
    parser.add_argument("--reps", type=int, default=5, help="reps per variant, alternating")
    uvloop.run(main(parser.parse_args()))
