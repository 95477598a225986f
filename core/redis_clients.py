"""How every Redis client of the service behaves when Redis goes away and comes back.

* Retry once, at once, on a connection error or timeout: after a Redis restart the pools still
  hold the old server's sockets; redis-py drops the dead connection and the retry runs on a new
  one, so the first request after a restart succeeds (without this a pool built by hand, as the
  event hub's, retried nothing: a stream opened right after a restart failed now and then).
  Not redis-py's default of 10 jittered retries: while Redis is down a request should fail
  within milliseconds, not seconds.
* A bounded connect time, so an unreachable host fails as fast as a refused port.

`redis_down(exc)` recognises such a failure (also wrapped in another error) so the API answers
`503 SERVICE_UNAVAILABLE` with `Retry-After`, in one place (api/errors.py, api/sse.py). A Redis
that is full under `maxmemory-policy noeviction` (the production setting, docs/deploy.md)
refuses writes with OOM: the same 503, since waiting (or an operator) fixes it, never a 500.
On a Redis Cluster (`REDIS_CLUSTER=true`) a failover shows as CLUSTERDOWN, TRYAGAIN, a MOVED
the client could not follow, an uncovered slot or no reachable node: the same 503, since the
cluster heals itself within seconds (a replica is elected).

`sync_client(settings)` / `async_client(settings)` build every client, single node or cluster,
in this one place with the behaviour above.
"""

from __future__ import annotations

from typing import Any, Final

from redis import Redis as SyncRedis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster as SyncRedisCluster
from redis.exceptions import (
    AskError,
    ClusterError,
    OutOfMemoryError,
    RedisClusterException,
    SlotNotCoveredError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry

from core.errors import Unavailable
from core.metrics import REDIS_ERRORS
from core.settings import Settings

CONNECT_TIMEOUT_SECONDS: Final = 2.0
RETRY_AFTER_SECONDS: Final = 5  # what a client is told to wait while Redis is down
REDIS_DOWN: Final = (RedisConnectionError, RedisTimeoutError)
# Not retried (a full Redis stays full for the next millisecond) but answered like an outage.
# ClusterError covers CLUSTERDOWN, MASTERDOWN and "TTL exhausted" (redirections that never
# settled, e.g. a MOVED storm during a failover); AskError covers a MOVED/ASK that surfaced.
_REDIS_REFUSING: Final = (
    *REDIS_DOWN,
    OutOfMemoryError,
    ClusterError,
    TryAgainError,
    AskError,
    SlotNotCoveredError,
)
SyncClient = SyncRedis | SyncRedisCluster
AsyncClient = AsyncRedis | AsyncRedisCluster


def retry_once() -> Retry:
    """A new policy per client (redis-py keeps retry state per connection)."""
    return Retry(NoBackoff(), 1, supported_errors=REDIS_DOWN)


def client_options() -> dict[str, Any]:
    """Keyword arguments for `Redis.from_url` / `ConnectionPool.from_url`."""
    return {
        "retry": retry_once(),
        "retry_on_error": list(REDIS_DOWN),
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }


def sync_client(settings: Settings, **overrides: Any) -> SyncClient:
    """A blocking client for REDIS_URL: one node, or a cluster with REDIS_CLUSTER=true."""
    return sync_client_for(settings.redis_url, cluster=settings.redis_cluster, **overrides)


def async_client(settings: Settings, **overrides: Any) -> AsyncClient:
    """An asyncio client for REDIS_URL: one node, or a cluster with REDIS_CLUSTER=true."""
    return async_client_for(settings.redis_url, cluster=settings.redis_cluster, **overrides)


def sync_client_for(url: str, *, cluster: bool = False, **overrides: Any) -> SyncClient:
    """`sync_client` for an explicit URL (tests, tools); `overrides` replace the defaults."""
    if cluster:
        retry = SyncRetry(NoBackoff(), 1, supported_errors=REDIS_DOWN)
        options = {**_cluster_options(), "retry": retry, **overrides}
        return SyncRedisCluster.from_url(url, **options)
    options = {**client_options(), **overrides}
    options["retry"] = _as_sync(options["retry"])
    return SyncRedis.from_url(url, **options)


def async_client_for(url: str, *, cluster: bool = False, **overrides: Any) -> AsyncClient:
    """`async_client` for an explicit URL (tests, tools); `overrides` replace the defaults."""
    if cluster:
        options = {**_cluster_options(), "retry": retry_once(), **overrides}
        return AsyncRedisCluster.from_url(url, **options)
    return AsyncRedis.from_url(url, **{**client_options(), **overrides})


def _cluster_options() -> dict[str, Any]:
    # The cluster client retries itself (refreshing the slot map on MOVED or a dead node), so
    # no per-connection retry_on_error; the connect bound is the same.
    return {"socket_connect_timeout": CONNECT_TIMEOUT_SECONDS}


def _as_sync(retry: Any) -> Any:
    """redis-py's sync client wants a sync Retry; copy an asyncio one's policy."""
    if isinstance(retry, Retry):
        return SyncRetry(retry._backoff, retry._retries, supported_errors=retry._supported_errors)
    return retry


def redis_down(exc: BaseException) -> bool:
    """Whether `exc` is (or was caused by) Redis being unreachable (or a cluster failing over)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _REDIS_REFUSING):
            return True
        if isinstance(current, RedisClusterException) and "cannot be connected" in str(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def redis_unavailable() -> Unavailable:
    """The service-unavailable error a client sees for a Redis outage (no internals)."""
    REDIS_ERRORS.labels("request").inc()
    return Unavailable(
        "the session store (Redis) is unreachable or full; retry shortly",
        retry_after=RETRY_AFTER_SECONDS,
    )
