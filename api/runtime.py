"""What the API opens once per process and closes in reverse order.

The lifespan builds a `Runtime` (database engine, Redis, the event hub, the rate limiter, the
shift store, and the graph runtime: MCP sessions, checkpointer and compiled graphs) and stores it
on `app.state.runtime`; handlers get it by dependency.

Realtime: one `EventHub` per process on the runtime's Redis (key prefix `REDIS_KEY_PREFIX`); the
supervision service publishes every chat-session event through `SessionEvents(hub)`, so a
customer's stream on one instance sees what an agent did on another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.mail.run import running_mail_worker
from api.realtime.hub import EventHub, SessionEvents
from api.realtime.limits import RateLimiter
from core.db.engine import create_engine
from core.heap import freeze_startup_heap
from core.logging import get_logger
from core.redis_clients import async_client, connected, hub_client
from core.settings import Settings
from graphs.renewal.flow import RenewalFlow
from graphs.runtime import GraphRuntime, open_graph_runtime
from graphs.supervision.shift_store import ShiftStore

log = get_logger(__name__)
HUB_POOL_SIZE = 100
HUB_POOL_WAIT_SECONDS = 10.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    graphs: GraphRuntime
    renewal: RenewalFlow
    hub: EventHub
    limiter: RateLimiter
    shift: ShiftStore


def hub_redis_client(settings: Settings) -> Redis:
    """The event hub's own client (`core.redis_clients.hub_client`), built for thousands of
    streams:

    * no `socket_timeout`: redis-py 8 then wraps every send in `asyncio.wait_for`, which on
      Python 3.11 swallows a cancellation that races the send (fixed in 3.12); a client hanging
      up at that moment left its stream listener (and the response's background task) waiting
      forever;
    * on one node, a pool that makes a command wait for a free connection: redis-py 8 caps a
      pool at 100 and fails the 101st concurrent command at once (thousands of streams
      connecting together); a cluster client has no cap per node;
    * the service's retry-once policy (`core.redis_clients`).
    """
    return hub_client(settings, pool_size=HUB_POOL_SIZE, pool_wait=HUB_POOL_WAIT_SECONDS)


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every long-lived resource once; the exit stack closes them in reverse order."""
    async with AsyncExitStack() as stack:
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        redis = async_client(settings, decode_responses=False)
        stack.push_async_callback(redis.aclose)
        await connected(redis)
        prefix = settings.redis_key_prefix
        hub_redis = hub_redis_client(settings)
        stack.push_async_callback(hub_redis.aclose)
        hub = EventHub(hub_redis, prefix, history=settings.event_history)
        await hub.start()
        stack.push_async_callback(hub.stop)
        events, shift = SessionEvents(hub), ShiftStore(redis, prefix)
        # shift hours are read from Redis at run time (PUT /api/shift/config)
        graphs = await stack.enter_async_context(
            open_graph_runtime(
                settings, engine=engine, publisher=events, supervision={"shift": shift.current}
            )
        )
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=graphs.sessions,
            redis=redis,
            graphs=graphs,
            renewal=RenewalFlow(graphs.renewal, graphs.sessions),
            hub=hub,
            limiter=RateLimiter(redis, prefix),
            shift=shift,
        )
        log.info("runtime_opened", env=settings.app_env, frozen_objects=freeze_startup_heap())
        yield runtime
        log.info("runtime_closing")


def lifespan(settings: Settings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Litestar lifespan hook bound to one settings object."""

    @asynccontextmanager
    async def _lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            # handoff mail: drained here unless SMTP is unset or a separate worker runs it
            async with running_mail_worker(settings, runtime.redis) as mail_worker:
                app.state.mail_worker = mail_worker
                yield

    return _lifespan
