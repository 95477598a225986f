"""The deployment of docs/deploy.md, for real: Debian's nginx with deploy/nginx/switchboard.conf
and a certificate of a CA the client trusts, in front of two API processes that share one Redis
prefix and one PostgreSQL database.

What a user of the site would notice: http:// sends them to https://, the certificate is
checked, pages and JSON come compressed, hashed assets are cached, a chat stream left open stays
open through the proxy, and the conversation goes on when an instance dies.
"""

from __future__ import annotations

import gzip
import re
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from api.web.build import ensure_built
from core.db.models import DEFAULT_TENANT
from core.db.seed import DEMO_SITE_KEYS
from core.settings import Settings
from tests.api.handoff_support import Customer, SseReader, is_type, new_customer, say
from tests.api_http import ApiServer, api_env, start_api, stop_api
from tests.db.conftest import seeded_pg_database
from tests.deploy.proxy_support import Proxy, running_nginx
from tests.mcp_http import free_port, wait_for_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_database(test_settings: Settings) -> Iterator[str]:
    """A PostgreSQL database of the module's own, migrated and seeded (as in production)."""
    with seeded_pg_database("sb_deploy", test_settings) as url:
        yield url


@pytest.fixture(scope="module")
def instances(
    app_settings: Settings, pg_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[ApiServer]]:
    """Two `python -m api` processes, as deploy/systemd/api@.service starts them."""
    ensure_built()  # the console the proxy serves (make test has built it already)
    folder = tmp_path_factory.mktemp("deploy-api")
    prefix = f"sbtest-deploy-{uuid.uuid4().hex[:8]}"
    settings = app_settings.model_copy(
        update={"database_url": pg_database, "redis_key_prefix": prefix}
    )
    servers: list[ApiServer] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = api_env(settings, port, stdio_mcp=False)
            log = folder / f"api-{name}.log"
            servers.append(ApiServer(f"http://127.0.0.1:{port}", start_api(env, log), env, log))
        for server in servers:
            try:
                wait_for_port(int(server.url.rsplit(":", 1)[1]), server.process, timeout=120)
            except (RuntimeError, TimeoutError) as exc:
                tail = server.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{server.url}: {exc}\n{tail}") from None
        yield servers
    finally:
        for server in servers:
            stop_api(server.process)
        redis = Redis.from_url(settings.redis_url)
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            redis.unlink(*keys)
        redis.close()


@pytest.fixture(scope="module")
def proxy(instances: list[ApiServer], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    upstreams = [s.url.removeprefix("http://") for s in instances]
    with running_nginx(tmp_path_factory.mktemp("nginx"), upstreams) as running:
        yield running


def trusting(proxy: Proxy) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(proxy.tls.ca))


@pytest.fixture(scope="module")
def https(proxy: Proxy) -> Iterator[httpx.Client]:
    widget = {"X-Site-Key": DEMO_SITE_KEYS[DEFAULT_TENANT]}  # customers come from the widget
    with httpx.Client(
        base_url=proxy.https_url, verify=trusting(proxy), timeout=60, headers=widget
    ) as client:
        yield client


class ProxiedSse(SseReader):
    """The suites' SSE reader, over HTTPS with the test CA trusted."""

    def start_tls(self, context: ssl.SSLContext, timeout: float = 15) -> ProxiedSse:
        self._client = httpx.Client(
            base_url=self.base_url, timeout=httpx.Timeout(60, read=None), verify=context
        )
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(timeout), "stream did not open"
        assert self.status == 200, f"stream answered {self.status}"
        return self


def test_plain_http_is_sent_to_https_with_the_same_path(proxy: Proxy) -> None:
    with httpx.Client(base_url=proxy.http_url) as plain:
        response = plain.get("/renewal/start?step=2")
        posted = plain.post("/api/conversation/new", json={})
    assert response.status_code == 301
    assert response.headers["location"] == f"{proxy.https_url}/renewal/start?step=2"
    assert posted.status_code == 301  # nothing reaches the API in clear text


def test_tls_is_checked_and_the_api_answers_behind_it(proxy: Proxy, https: httpx.Client) -> None:
    ready = https.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["data"]["checks"] == {"database": "ok", "redis": "ok"}
    assert ready.headers["strict-transport-security"].startswith("max-age=31536000")
    assert re.fullmatch(r"[0-9a-f]{32}", ready.headers["x-request-id"])  # nginx's id, echoed
    with httpx.Client(base_url=proxy.https_url) as untrusting, pytest.raises(httpx.ConnectError):
        untrusting.get("/health")  # a certificate nobody vouches for is refused
    assert https.get("/metrics").status_code == 404  # scraped on the instances, not outside


def test_page_and_json_come_gzipped_and_hashed_assets_are_cached(https: httpx.Client) -> None:
    page = https.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-cache"
    assert "<html" in page.text  # httpx decompressed it
    asset = re.search(r'/assets/[^"]+\.js', page.text)
    assert asset is not None, page.text[:500]

    first = https.get(asset.group(0), headers={"Accept-Encoding": "gzip"})
    again = https.get(asset.group(0), headers={"Accept-Encoding": "gzip"})
    assert first.status_code == again.status_code == 200
    assert "immutable" in first.headers["cache-control"]
    assert again.headers["x-cache-status"] == "HIT"  # served by nginx, not an API instance
    assert again.content == first.content

    with https.stream("GET", "/schema/openapi.json", headers={"Accept-Encoding": "gzip"}) as raw:
        body = b"".join(raw.iter_raw())
        assert raw.headers["content-encoding"] == "gzip"  # nginx compressed the API's JSON
    assert len(body) < len(gzip.decompress(body)) / 3
    assert b'"openapi"' in gzip.decompress(body)


def test_a_chat_stream_left_idle_for_a_minute_stays_open(proxy: Proxy, https: httpx.Client) -> None:
    """Heartbeats (SSE_HEARTBEAT_SECONDS, 15 s) cross the unbuffered proxy while nothing is
    said; after a minute the next answer still arrives on the same connection."""
    customer = new_customer(https)
    reader = ProxiedSse(
        proxy.https_url, f"/api/sessions/{customer.session_name}/stream", customer.headers
    ).start_tls(trusting(proxy))
    try:
        time.sleep(61)
        assert reader.pings >= 3 and reader.seen == []
        answer = say(https, customer, "你好")
        events = reader.until(is_type("done"))
        streamed = "".join(e.data.get("content", "") for e in events if e.event == "message")
        assert streamed == answer["answer"]
    finally:
        reader.close()


def _served_chat(log: Path) -> int:
    return sum('"POST /api/chat ' in line for line in log.read_text(errors="replace").splitlines())


def _history(https: httpx.Client, customer: Customer) -> list[tuple[str, str]]:
    response = https.get(f"/api/sessions/{customer.session_name}", headers=customer.headers)
    assert response.status_code == 200, response.text
    rows = response.json()["data"]["session"]["history"]
    return [(m["role"], m["content"]) for m in rows if m["role"] in ("user", "assistant")]


def test_killing_an_instance_loses_no_conversation(
    proxy: Proxy, https: httpx.Client, instances: list[ApiServer]
) -> None:
    """Last in the module: it kills instance A for good."""
    customer = new_customer(https)
    reader = ProxiedSse(
        proxy.https_url, f"/api/sessions/{customer.session_name}/stream", customer.headers
    ).start_tls(trusting(proxy))
    earlier = [_served_chat(s.log) for s in instances]
    before = ["你好", "請問有什麼 5G 方案？", "月租多少？", "合約多久？"]
    answers = [say(https, customer, text)["answer"] for text in before]
    seen = reader.until(is_type("done"))
    while len([e for e in seen if e.event == "done"]) < len(before):
        seen += reader.until(is_type("done"))
    cut_at = seen[-1].id
    served = [_served_chat(s.log) - n for s, n in zip(instances, earlier, strict=True)]
    assert all(n >= 1 for n in served), f"turns per instance: {served}"  # both served this chat

    stop_api(instances[0].process, hard=True)  # SIGKILL: no goodbye to nginx or Redis
    reader.close()
    after = ["好的，謝謝", "還有別的方案嗎？", "我再想想"]
    answers += [say(https, customer, text)["answer"] for text in after]  # each 200, no 502
    refused = (proxy.folder / "logs" / "error.log").read_text(errors="replace")
    dead = instances[0].url.removeprefix("http://")
    assert re.search(rf"Connection refused.*upstream: \"http://{re.escape(dead)}/", refused)

    assert _history(https, customer) == [
        pair for text, answer in zip(before + after, answers, strict=True)
        for pair in (("user", text), ("assistant", answer))
    ]  # fmt: skip
    resumed = ProxiedSse(
        proxy.https_url,
        f"/api/sessions/{customer.session_name}/stream",
        {**customer.headers, "Last-Event-ID": cut_at},
    ).start_tls(trusting(proxy))
    try:
        missed: list[str] = []
        for _ in after:  # what was said while the stream was down is replayed, in order
            events = resumed.until(is_type("done"))
            said = [e.data.get("content", "") for e in events if e.event == "message"]
            missed.append("".join(said))
        assert missed == answers[len(before) :]
    finally:
        resumed.close()
