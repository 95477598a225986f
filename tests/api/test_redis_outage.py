"""Redis down, then back: the real API on a Redis of its own that the test stops and restarts.

While Redis is unreachable every chat/handoff route answers `503 SERVICE_UNAVAILABLE` (the
envelope, with `Retry-After`) instead of a 500, a session stream opened meanwhile gets one
`error` event with that code, and `/ready` names Redis. Right after a restart (the pools still
hold the dead server's connections) a new chat, its stream and a `Last-Event-ID` replay work,
restart after restart.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from core.settings import Settings
from tests.api.conftest import AGENT, bearer, login, parse_sse
from tests.api.handoff_support import Customer, new_customer
from tests.api_http import ApiServer, running_api
from tests.mcp_http import free_port, wait_for_port

RESTARTS = 5


class OwnRedis:
    """A redis-server of this test's own on a free port (the machine's 6379 is never touched)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, timeout=10)

    def restart(self) -> None:
        """Save the data set (as a Redis with persistence would), kill, start on the same port."""
        client = redis.Redis.from_url(self.url)
        client.save()
        client.close()
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def outage_api(app_settings: Settings, own_redis: OwnRedis, tmp_path: Path) -> Iterator[ApiServer]:
    prefix = f"sbtest-outage-{uuid.uuid4().hex[:8]}"
    with running_api(
        app_settings, tmp_path / "api.log", REDIS_URL=own_redis.url, REDIS_KEY_PREFIX=prefix
    ) as server:
        yield server


def assert_unavailable(response: httpx.Response, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:300]}"
    body = response.json()
    assert body["success"] is False and body["code"] == "SERVICE_UNAVAILABLE", (what, body)
    assert int(response.headers["Retry-After"]) >= 1, what


def stream_until_done(http: httpx.Client, customer: Customer, after: str) -> list[dict[str, Any]]:
    """The session stream replayed from `after` up to the turn's `done` (then hang up)."""
    events: list[dict[str, Any]] = []
    headers = {**customer.headers, "Last-Event-ID": after}
    path = f"/api/sessions/{customer.session_name}/stream"
    with http.stream("GET", path, headers=headers, timeout=20) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("event:"):
                events.append({"event": line.partition(":")[2].strip()})
            if events and events[-1]["event"] in {"done", "error"}:
                break
    return events


def test_redis_down_answers_503_and_a_restart_is_seamless(
    outage_api: ApiServer, own_redis: OwnRedis
) -> None:
    with outage_api.client() as http:
        agent = bearer(login(http, AGENT)["access_token"])
        customer = new_customer(http, nickname="斷線的客人")
        turn = {"session_name": customer.session_name, "message": "請問 5G 吃到飽方案？"}
        assert http.post("/api/chat", json=turn, headers=customer.headers).status_code == 200

        own_redis.stop()
        started = time.monotonic()
        name = customer.session_name
        checks = {
            "conversation/new": lambda: http.post("/api/conversation/new", json={},
                                                  headers=customer.ip),
            "chat": lambda: http.post("/api/chat", json=turn, headers=customer.headers),
            "chat/stream": lambda: http.post("/api/chat/stream", json=turn,
                                             headers=customer.headers),
            "sessions": lambda: http.get("/api/sessions", headers=agent),
            "sessions/{name}": lambda: http.get(f"/api/sessions/{name}", headers=agent),
            "sessions/{name} (customer)": lambda: http.get(f"/api/sessions/{name}",
                                                           headers=customer.headers),
            "manual/escalate": lambda: http.post(
                "/api/manual/escalate", headers=customer.headers,
                json={"session_name": name, "reason": "user_request"}),
            "sessions/stats": lambda: http.get("/api/sessions/stats?refresh=true", headers=agent),
            "agent/profile": lambda: http.get("/api/agent/profile", headers=agent),
        }  # fmt: skip
        for what, call in checks.items():
            assert_unavailable(call(), what)
        # a stream opened during the outage: one `error` event with the code, then the end
        response = http.get(f"/api/sessions/{name}/stream", headers=customer.headers)
        assert response.status_code == 200, response.text
        sse = parse_sse(response.text)
        assert [e["event"] for e in sse.events] == ["error"], sse.raw
        assert sse.events[0]["data"]["code"] == "SERVICE_UNAVAILABLE", sse.raw
        ready = http.get("/ready")
        assert ready.status_code == 503 and int(ready.headers["Retry-After"]) >= 1
        assert ready.json()["data"]["checks"]["redis"].startswith("error"), ready.text
        elapsed = time.monotonic() - started
        print(f"\n{len(checks) + 2} requests during the outage answered in {elapsed:.2f} s")
        assert elapsed < 30, "503s must come quickly, not after long retry loops"

        own_redis.start()
        who = new_customer(http, nickname="重啟後的客人")
        for restart in range(RESTARTS):
            before = http.get(f"/api/sessions/{who.session_name}", headers=who.headers)
            assert before.status_code == 200, (restart, before.text)
            after = before.json()["data"]["last_event_id"]
            ask = {"session_name": who.session_name, "message": f"第 {restart} 次：你好"}
            assert http.post("/api/chat", json=ask, headers=who.headers).status_code == 200
            own_redis.restart()  # then at once: the pools still hold the old server's sockets
            replayed = stream_until_done(http, who, after)
            assert replayed and replayed[-1]["event"] == "done", (restart, replayed)
            assert "message" in {e["event"] for e in replayed}, (restart, replayed)
            assert http.get("/ready").status_code == 200, restart
        own_redis.restart()
        again = http.post("/api/chat", json=ask, headers=who.headers)  # chat's own pools too
        assert again.status_code == 200, again.text


def test_a_full_redis_answers_503_and_loses_nothing_once_it_has_room(
    outage_api: ApiServer, own_redis: OwnRedis
) -> None:
    """Production runs Redis with `noeviction` (docs/deploy.md): when it is full it refuses
    writes with OOM. A customer then gets the outage answer (503 + Retry-After), not a 500, and
    the conversation carries on once there is room again."""
    with outage_api.client() as http:
        customer = new_customer(http, nickname="滿載時的客人")
        turn = {"session_name": customer.session_name, "message": "請問 5G 吃到飽方案？"}
        assert http.post("/api/chat", json=turn, headers=customer.headers).status_code == 200
        admin = redis.Redis.from_url(own_redis.url)
        used = int(admin.info("memory")["used_memory"])
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", str(used))  # full from now on: every write refused
        try:
            full = http.post("/api/chat", json=turn, headers=customer.headers)
            assert_unavailable(full, "chat on a full Redis")
            fresh = http.post("/api/conversation/new", json={}, headers=customer.ip)
            assert_unavailable(fresh, "conversation/new on a full Redis")
        finally:
            admin.config_set("maxmemory", "0")
            admin.close()
        again = http.post("/api/chat", json=turn, headers=customer.headers)
        assert again.status_code == 200, again.text
        history = http.get(f"/api/sessions/{customer.session_name}", headers=customer.headers)
        assert history.status_code == 200, history.text
