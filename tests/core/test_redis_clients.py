"""Which failures count as "Redis is down" (503 + Retry-After), and the clients' retry policy."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import Unavailable
from core.redis_clients import client_options, redis_down, redis_unavailable


def _wrapped(inner: BaseException) -> RuntimeError:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("graph run failed") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "down"),
    [
        (RedisConnectionError("Connection refused"), True),
        (RedisTimeoutError("Timeout connecting to server"), True),
        (_wrapped(RedisConnectionError("Connection closed by server")), True),
        (ResponseError("WRONGTYPE"), False),  # Redis answered: a bug, not an outage
        (TimeoutError(), False),  # someone else's timeout (an MCP call, a model)
        (ValueError("bad"), False),
    ],
)
def test_redis_down(error: BaseException, down: bool) -> None:
    assert redis_down(error) is down


def test_an_outage_says_when_to_retry() -> None:
    error = redis_unavailable()
    assert isinstance(error, Unavailable) and error.status == 503
    assert error.code == "SERVICE_UNAVAILABLE" and error.details["retry_after"] >= 1


def test_clients_retry_once_at_once_on_connection_loss() -> None:
    options = client_options()
    retry = options["retry"]
    assert retry.get_retries() == 1
    assert retry._backoff.compute(1) == 0  # no wait: a dead pooled socket is replaced at once
    assert set(options["retry_on_error"]) == {RedisConnectionError, RedisTimeoutError}
    assert 0 < options["socket_connect_timeout"] <= 5
