"""Helpers for the chat/handoff HTTP suites: customers, agents, shift hours, a live SSE reader.

`SseReader` reads a long-lived stream in a thread and parses events as they arrive, so a test
can act, wait for the events it expects, cut the connection and reconnect with Last-Event-ID.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis import Redis

from tests.api.conftest import bearer, login
from tests.api_http import ApiServer

_IPS = itertools.count(1)
ALWAYS_ON = {
    "start": "00:00",
    "end": "00:00",
    "timezone": "Asia/Taipei",
    "weekends_disabled": False,
    "email_to": ["cs-team@example.com"],
}


def fake_ip() -> dict[str, str]:
    """A client address of its own (uvicorn trusts X-Forwarded-For from 127.0.0.1), so per-IP
    limits of one test never bite another."""
    n = next(_IPS) + int(time.time() * 1000) % 50_000
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


@dataclass
class Customer:
    session_name: str
    token: str
    ip: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return {**bearer(self.token), **self.ip}


def new_customer(http: httpx.Client, **profile: Any) -> Customer:
    ip = fake_ip()
    body = {"user_profile": profile} if profile else {}
    response = http.post("/api/conversation/new", json=body, headers=ip)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return Customer(data["session_name"], data["token"], ip)


def say(http: httpx.Client, customer: Customer, text: str) -> dict[str, Any]:
    response = http.post(
        "/api/chat",
        json={"session_name": customer.session_name, "message": text},
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@contextlib.contextmanager
def on_duty(http: httpx.Client, admin_token: str, server: ApiServer) -> Iterator[None]:
    """Agents on duty around the clock (escalations queue whatever the time of the run); the
    server's default hours come back afterwards."""
    set_shift(http, admin_token, ALWAYS_ON)
    try:
        yield
    finally:
        client = Redis.from_url(server.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        client.delete(f"{server.env['REDIS_KEY_PREFIX']}:t:default:sup:shift")
        client.close()


def staff_headers(http: httpx.Client, tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """Bearer headers of agent001 (alice), agent002 (bob) and the admin."""
    bob = login(http, "agent002")["access_token"]
    return {"alice": bearer(tokens["agent"]), "bob": bearer(bob), "admin": bearer(tokens["admin"])}


def escalated(http: httpx.Client) -> Customer:
    """A customer who chatted once, then pressed the human-agent button (pending_manual)."""
    customer = new_customer(http, nickname="等待中的客人")
    say(http, customer, "請問 5G 吃到飽方案？")
    response = http.post(
        "/api/manual/escalate",
        headers=customer.headers,
        json={"session_name": customer.session_name, "reason": "user_request"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "pending_manual"
    return customer


def post(http: httpx.Client, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    return http.post(path, json=body, headers=headers)


def set_shift(http: httpx.Client, admin_token: str, config: dict[str, Any]) -> None:
    response = http.put("/api/shift/config", json=config, headers=bearer(admin_token))
    assert response.status_code == 200, response.text


def session_of(http: httpx.Client, name: str, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get(f"/api/sessions/{name}", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@dataclass
class Event:
    id: str
    event: str
    data: dict[str, Any]


@dataclass
class SseReader:
    """One streaming GET in a thread; `events` fills as frames arrive."""

    base_url: str
    path: str
    headers: dict[str, str]
    inbox: queue.Queue[Event] = field(default_factory=queue.Queue)
    seen: list[Event] = field(default_factory=list)
    status: int | None = None
    pings: int = 0
    _client: httpx.Client | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _socket: socket.socket | None = None

    def start(self, timeout: float = 15) -> SseReader:
        self._client = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(60, read=None))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(timeout), "stream did not open"
        assert self.status == 200, f"stream answered {self.status}"
        return self

    def _run(self) -> None:
        assert self._client is not None
        try:
            with self._client.stream("GET", self.path, headers=self.headers) as response:
                self.status = response.status_code
                stream = response.extensions.get("network_stream")
                self._socket = stream.get_extra_info("socket") if stream is not None else None
                self._ready.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line.startswith(":"):
                        self.pings += 1
                    elif line == "":
                        if "data" in fields:
                            self.inbox.put(
                                Event(
                                    fields.get("id", ""),
                                    fields.get("event", ""),
                                    json.loads(fields["data"]),
                                )
                            )
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = fields.get(name, "") + value.removeprefix(" ")
        except Exception:  # closed from the test thread
            pass
        finally:
            self._ready.set()

    def next(self, timeout: float = 15) -> Event:
        event = self.inbox.get(timeout=timeout)
        self.seen.append(event)
        return event

    def until(self, done: Callable[[Event], bool], timeout: float = 20) -> list[Event]:
        """Events up to and including the first one for which `done` is true."""
        got, deadline = [], time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"timed out; got {[(e.event, e.data.get('content')) for e in got]}"
            event = self.next(left)
            got.append(event)
            if done(event):
                return got

    def drain(self, quiet: float = 0.5) -> list[Event]:
        """Whatever arrives until `quiet` seconds pass without an event."""
        got = []
        while True:
            try:
                got.append(self.next(quiet))
            except queue.Empty:
                return got

    def close(self) -> None:
        """Hang up now (shutting the socket down wakes the reading thread at once)."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        if self._client is not None:
            self._client.close()
        if self._thread is not None:
            self._thread.join(5)


def is_type(kind: str, **fields: Any) -> Callable[[Event], bool]:
    return lambda e: e.event == kind and all(e.data.get(k) == v for k, v in fields.items())
