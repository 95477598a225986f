"""Two API processes on a local Redis Cluster (3 masters + 3 replicas, `tests.support.
redis_cluster`): REDIS_URL names one node (A and B are given different ones), REDIS_CLUSTER=true.
One seeded SQLite service database, one Redis key prefix, the fake OpenAI endpoint as the model.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.db.migrate import seed
from core.redis_clients import sync_client_for
from core.settings import Settings
from tests.api.conftest import login
from tests.api.handoff_support import ALWAYS_ON, set_shift
from tests.api_http import ApiServer, api_env, start_api, stop_api
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.mcp_http import free_port, wait_for_port
from tests.support.redis_cluster import LocalRedisCluster, redis_cluster  # noqa: F401

AI_TEXT = "您好，這是叢集上的 AI 回覆。"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text=AI_TEXT)).start()
    yield fake
    fake.stop()


def start_pair(
    settings: Settings, cluster: LocalRedisCluster, folder: Path, fake: FakeOpenAI, **env: str
) -> tuple[list[ApiServer], list[str]]:
    """Start A and B on the cluster (each told a different startup node)."""
    servers: list[ApiServer] = []
    nodes = cluster.alive_ports()
    for n, name in enumerate(("a", "b")):
        port = free_port()
        environment = api_env(settings, port, stdio_mcp=False)
        environment.update(
            **fake.api_env("gpt-4o-mini"),
            REDIS_URL=f"redis://127.0.0.1:{nodes[n % len(nodes)]}/0",
            REDIS_CLUSTER="true",
            SSE_HEARTBEAT_SECONDS="1",
            **env,
        )
        log = folder / f"api-{name}.log"
        servers.append(ApiServer(f"http://127.0.0.1:{port}", start_api(environment, log),
                                 environment, log))  # fmt: skip
    for server in servers:
        wait_for_port(int(server.url.rsplit(":", 1)[1]), server.process, timeout=120)
    return servers, [str(s.log) for s in servers]


def cluster_settings(app_settings: Settings, folder: Path, name: str) -> Settings:
    url = f"sqlite+aiosqlite:///{folder / 'switchboard.db'}"
    asyncio.run(seed(url, app_settings))
    prefix = f"sbtest-{name}-{uuid.uuid4().hex[:8]}"
    return app_settings.model_copy(update={"database_url": url, "redis_key_prefix": prefix})


def forget_prefix(cluster: LocalRedisCluster, prefix: str) -> None:
    client = sync_client_for(cluster.url, cluster=True)
    try:
        for key in list(client.scan_iter(match=f"*{prefix}*", count=5000)):
            client.unlink(key)
    finally:
        client.close()


@pytest.fixture(scope="module")
def cluster_pair(
    app_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    redis_cluster: LocalRedisCluster,  # noqa: F811
    fake_llm: FakeOpenAI,
) -> Iterator[tuple[ApiServer, ApiServer]]:
    folder = tmp_path_factory.mktemp("cluster-api")
    settings = cluster_settings(app_settings, folder, "cl")
    servers, _ = start_pair(settings, redis_cluster, folder, fake_llm)
    try:
        yield servers[0], servers[1]
    finally:
        for server in servers:
            stop_api(server.process)
        forget_prefix(redis_cluster, settings.redis_key_prefix)


@pytest.fixture(scope="module")
def cluster_clients(
    cluster_pair: tuple[ApiServer, ApiServer],
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    a, b = cluster_pair
    with a.client() as http_a, b.client() as http_b:
        admin = login(http_b, "admin")["access_token"]
        set_shift(http_b, admin, ALWAYS_ON)
        yield http_a, http_b
