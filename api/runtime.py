"""What the API opens once per process and closes in reverse order.

The lifespan builds a `Runtime` (database engine, Redis, and the graph runtime: MCP sessions,
checkpointer and compiled graphs) and stores it on `app.state.runtime`; handlers get it by
dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import create_engine
from core.logging import get_logger
from core.settings import Settings
from graphs.renewal.flow import RenewalFlow
from graphs.runtime import GraphRuntime, open_graph_runtime

log = get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    graphs: GraphRuntime
    renewal: RenewalFlow


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every long-lived resource once; the exit stack closes them in reverse order."""
    async with AsyncExitStack() as stack:
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        redis = Redis.from_url(settings.redis_url, decode_responses=False)
        stack.push_async_callback(redis.aclose)
        graphs = await stack.enter_async_context(open_graph_runtime(settings, engine=engine))
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=graphs.sessions,
            redis=redis,
            graphs=graphs,
            renewal=RenewalFlow(graphs.renewal, graphs.sessions),
        )
        log.info("runtime_opened", env=settings.app_env)
        yield runtime
        log.info("runtime_closing")


def lifespan(settings: Settings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Litestar lifespan hook bound to one settings object."""

    @asynccontextmanager
    async def _lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            yield

    return _lifespan
