"""The session's local Redis Cluster (started only by the tests that ask for it)."""

from tests.support.redis_cluster import redis_cluster  # noqa: F401 - the session fixture
