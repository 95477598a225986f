"""Which failures count as "Redis is down" (503 + Retry-After), the clients' retry policy, and
the one place clients are built from settings (one node, or a cluster with REDIS_CLUSTER)."""

from __future__ import annotations

import asyncio

import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.cluster import RedisCluster
from redis.exceptions import (
    ClusterDownError,
    ClusterError,
    MasterDownError,
    MovedError,
    ReadOnlyError,
    RedisClusterException,
    ResponseError,
    SlotNotCoveredError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import Unavailable
from core.redis_clients import (
    async_client,
    client_options,
    redis_down,
    redis_unavailable,
    sync_client,
)
from core.settings import Settings
from tests.support.redis_cluster import LocalRedisCluster, redis_cluster  # noqa: F401 - fixture


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


@pytest.mark.parametrize(
    "error",
    [
        ClusterDownError("CLUSTERDOWN The cluster is down"),
        MasterDownError("MASTERDOWN Link with MASTER is down"),
        TryAgainError("TRYAGAIN Multiple keys request during rehashing of slot"),
        MovedError("3999 127.0.0.1:6381"),
        ClusterError("TTL exhausted."),  # redirections that never settled: a MOVED storm
        SlotNotCoveredError('Slot "12" not covered by the cluster.'),
        RedisClusterException("Redis Cluster cannot be connected. Please provide at least ..."),
        _wrapped(ClusterDownError("CLUSTERDOWN Hash slot not served")),
        ReadOnlyError("READONLY You can't write against a read only replica."),
        # a graph's parallel nodes or a task group: the outage is one member of a group
        _wrapped(ExceptionGroup("nodes", [ValueError("other"), ClusterDownError("CLUSTERDOWN")])),
        BaseExceptionGroup("tasks", [ExceptionGroup("inner", [RedisConnectionError("gone")])]),
    ],
)
def test_a_failing_over_cluster_is_an_outage(error: BaseException) -> None:
    assert redis_down(error)


async def test_a_connection_torn_down_under_a_command_is_an_outage() -> None:
    """redis-py raises AttributeError ('NoneType' has no 'writelines') when a node goes away
    while a command is being sent (a cluster failover under load answered 500 with it)."""
    from redis.asyncio.connection import Connection

    torn = Connection(host="127.0.0.1", port=6379)  # never connected: its writer is None
    with pytest.raises(AttributeError) as caught:
        await torn._send_packed_command([b"PING"])
    assert redis_down(caught.value)
    assert redis_down(_wrapped(caught.value))  # on its way up through a graph run
    assert not redis_down(AttributeError("'NoneType' object has no attribute 'writelines'"))


def test_a_transport_closed_under_a_write_is_an_outage() -> None:
    """Under uvloop (the API's loop) a node going away under a command surfaces as
    RuntimeError ('… the handler is closed') from the transport, through redis-py's send: a
    cluster failover under load answered 500 with it (GET /api/sessions/{id}, tenant gate)."""
    import uvloop
    from redis.asyncio.connection import Connection

    async def send_on_a_closed_socket() -> BaseException:
        connection = Connection(host="127.0.0.1", port=6379)
        await connection.connect()
        connection._writer.transport.close()  # the node went away  # type: ignore[union-attr]
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError) as caught:
            await connection._send_packed_command([b"PING\r\n"])
        return caught.value

    error = uvloop.run(send_on_a_closed_socket())
    assert "closed" in str(error)
    assert redis_down(error)
    assert redis_down(_wrapped(error))
    assert not redis_down(RuntimeError("the handler is closed"))  # not raised under redis-py


def test_cluster_programming_errors_are_not_an_outage() -> None:
    assert not redis_down(RedisClusterException("Argument 'db' must be 0 or None in cluster mode"))
    assert not redis_down(ResponseError("CROSSSLOT Keys in request don't hash to the same slot"))
    assert not redis_down(ExceptionGroup("nodes", [ValueError("a"), KeyError("b")]))


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_one_node_clients_come_from_settings() -> None:
    sync, aio = sync_client(_settings()), async_client(_settings())
    try:
        assert type(sync) is Redis and type(aio) is AsyncRedis
        assert sync.ping() is True
        assert sync.get_retry().get_retries() == 1  # the service's retry-once policy
    finally:
        sync.close()


@pytest.mark.slow
async def test_redis_cluster_true_gives_cluster_clients(request: pytest.FixtureRequest) -> None:
    cluster: LocalRedisCluster = request.getfixturevalue("redis_cluster")
    settings = _settings(redis_url=cluster.url, redis_cluster=True)
    sync, aio = sync_client(settings), async_client(settings)
    try:
        assert isinstance(sync, RedisCluster) and isinstance(aio, AsyncRedisCluster)
        keys = [f"sbtest-clients-{i}" for i in range(20)]  # spread over the three masters
        for key in keys:
            sync.set(key, key, ex=60)
        assert [await aio.get(k) for k in keys] == [k.encode() for k in keys]
        assert len({sync.keyslot(k) for k in keys}) > 1
        sync.delete(*keys)
    finally:
        sync.close()
        await aio.aclose()
