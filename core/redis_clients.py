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
in this one place with the behaviour above; `hub_client(settings)` is the event hub's (no socket
timeout, a pool that waits; docs/realtime.md). `is_cluster(client)` tells the code that must
split a multi-slot write (the hub's fan-out to two streams) which client it has.
"""

from __future__ import annotations

from typing import Any, Final, cast

from redis import Redis as SyncRedis
from redis.asyncio import BlockingConnectionPool, ConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster as SyncRedisCluster
from redis.exceptions import (
    AskError,
    ClusterError,
    OutOfMemoryError,
    ReadOnlyError,
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
# settled, e.g. a MOVED storm during a failover); AskError covers a MOVED/ASK that surfaced;
# READONLY is a write that reached a node still serving as a replica (a slot map mid-failover).
_REDIS_REFUSING: Final = (
    *REDIS_DOWN,
    OutOfMemoryError,
    ReadOnlyError,
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


def async_client(settings: Settings, **overrides: Any) -> AsyncRedis:
    """An asyncio client for REDIS_URL: one node, or a cluster with REDIS_CLUSTER=true.

    Typed as the single-node client on purpose: the service's Redis users (stores, locks,
    limits, the hub) call commands that `RedisCluster` answers alike, keys of one slot per
    script or MULTI (the cluster tests run them all), so they keep one annotation; code that
    must split a multi-slot write (the hub's fan-out) asks `is_cluster(client)`."""
    client = async_client_for(settings.redis_url, cluster=settings.redis_cluster, **overrides)
    return cast(AsyncRedis, client)


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


def hub_client(settings: Settings, *, pool_size: int, pool_wait: float) -> AsyncRedis:
    """The event hub's client: no `socket_timeout` (see api/runtime.py) and, on one node, a
    pool that makes the 101st concurrent command wait instead of failing. A cluster client
    opens connections per node on demand (no cap by default), so it needs no blocking pool."""
    if settings.redis_cluster:
        return async_client(settings, decode_responses=False, socket_timeout=None)
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=pool_size,
        timeout=pool_wait,
        socket_timeout=None,
        decode_responses=False,
        **client_options(),
    )
    return AsyncRedis.from_pool(pool)


async def connected(client: Any) -> None:
    """Load a cluster client's slot map before its first concurrent use (no-op on one node).

    redis-py 8.1's asyncio `RedisCluster` initialises lazily on the first command; when many
    coroutines send their first commands together (a burst of requests right after start-up),
    several initialise at once and replace each other's node connections: some commands fail
    with ConnectionError, some with an AttributeError (a connection closed under them)."""
    if isinstance(client, AsyncRedisCluster):
        await client.initialize()


def node_client(node: Any) -> AsyncRedis:
    """A single-node client to one member of a cluster (`ClusterNode` of redis-py's async
    cluster client), with the cluster client's connection settings: for what must stay on one
    node, e.g. the event hub's SSUBSCRIBE connection to the primary owning a channel."""
    pool = ConnectionPool(connection_class=node.connection_class, **node.connection_kwargs)
    return AsyncRedis.from_pool(pool)


def is_cluster(client: object) -> bool:
    """Whether `client` talks to a Redis Cluster (multi-key writes must stay in one slot)."""
    return isinstance(client, AsyncRedisCluster | SyncRedisCluster)


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
    pending: list[BaseException] = [exc]
    while pending:  # the cause chain, and every member of an exception group (task groups)
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _REDIS_REFUSING):
            return True
        if isinstance(current, RedisClusterException) and "cannot be connected" in str(current):
            return True
        if _torn_connection(current):
            return True
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        following = current.__cause__ or current.__context__
        if following is not None:
            pending.append(following)
    return False


def _torn_connection(exc: BaseException) -> bool:
    """redis-py's own race when a node goes away under a command (seen during cluster failovers
    under load): the connection was closed while the command was being sent, and instead of
    ConnectionError redis-py lets through what the closed socket raised:
    - AttributeError raised in its connection module (its writer is already None);
    - uvloop's RuntimeError "unable to perform operation on <TCPTransport closed=True …>; the
      handler is closed" from the transport's write, called by redis-py's send.
    Only those raised under redis-py's connection module count, never the same types elsewhere."""
    files = []
    frame = exc.__traceback__
    while frame is not None:
        files.append(frame.tb_frame.f_code.co_filename)
        frame = frame.tb_next
    if isinstance(exc, AttributeError):
        return bool(files) and files[-1].endswith(_CONNECTION_MODULES)
    if isinstance(exc, RuntimeError) and "closed" in str(exc):
        return any(f.endswith(_CONNECTION_MODULES) for f in files)
    return False


_CONNECTION_MODULES: Final = ("redis/asyncio/connection.py", "redis/connection.py")


def redis_unavailable() -> Unavailable:
    """The service-unavailable error a client sees for a Redis outage (no internals)."""
    REDIS_ERRORS.labels("request").inc()
    return Unavailable(
        "the session store (Redis) is unreachable or full; retry shortly",
        retry_after=RETRY_AFTER_SECONDS,
    )
