"""LangGraph checkpoint savers on plain Redis, and the factory the service and `langgraph dev` use.

`redis_checkpointer()` takes no required arguments so langgraph.json can name it directly
(a dotted path: langgraph-api reads `graphs.checkpoint:redis_checkpointer` as an attribute of
`graphs` and fails; see docs/checkpoint.md):

    "checkpointer": {"path": "graphs.checkpoint.redis_checkpointer"}

langgraph-api calls it and enters the async context manager it returns (once per event loop);
the API lifespan enters it the same way. Both read REDIS_URL, REDIS_CLUSTER, REDIS_KEY_PREFIX,
CHECKPOINT_TTL_SECONDS and CHECKPOINT_POOL_SIZE through `core.settings`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.serde.base import SerializerProtocol

from core.settings import Settings, get_settings
from graphs.checkpoint.aio import AsyncRedisSaver
from graphs.checkpoint.base import CheckpointStoreUnavailable, mask_url
from graphs.checkpoint.sync import RedisSaver

__all__ = [
    "AsyncRedisSaver",
    "CheckpointStoreUnavailable",
    "RedisSaver",
    "mask_url",
    "redis_checkpointer",
]


@asynccontextmanager
async def redis_checkpointer(
    settings: Settings | None = None, *, serde: SerializerProtocol | None = None
) -> AsyncIterator[AsyncRedisSaver]:
    """Yield a connected AsyncRedisSaver; raises CheckpointStoreUnavailable if Redis is down."""
    # Settings may read .env: keep that file I/O off the event loop (langgraph dev forbids it).
    if settings is None:
        settings = await asyncio.to_thread(get_settings)
    assert settings is not None
    async with AsyncRedisSaver.from_url(
        settings.redis_url,
        key_prefix=settings.redis_key_prefix,
        ttl_seconds=settings.checkpoint_ttl_seconds,
        serde=serde,
        pool_size=settings.checkpoint_pool_size,
        cluster=settings.redis_cluster,
    ) as saver:
        yield saver
