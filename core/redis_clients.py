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
"""

from __future__ import annotations

from typing import Any, Final

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import Unavailable
from core.metrics import REDIS_ERRORS

CONNECT_TIMEOUT_SECONDS: Final = 2.0
RETRY_AFTER_SECONDS: Final = 5  # what a client is told to wait while Redis is down
REDIS_DOWN: Final = (RedisConnectionError, RedisTimeoutError)
# Not retried (a full Redis stays full for the next millisecond) but answered like an outage.
_REDIS_REFUSING: Final = (*REDIS_DOWN, OutOfMemoryError)


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


def redis_down(exc: BaseException) -> bool:
    """Whether `exc` is (or was caused by) Redis being unreachable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _REDIS_REFUSING):
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
