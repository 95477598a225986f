"""Back-pressure over a real server (api/overload.py): past MAX_IN_FLIGHT a worker answers
503 OVERLOADED with Retry-After at once, probes and open streams are still served, and a
refused click changed nothing, so sending it again works.

A request is held in flight deterministically by sending its headers and withholding its body:
the server has admitted it and waits for the body inside the handler.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from core.settings import Settings
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import AGENT, SALES, HttpJourney, bearer, login
from tests.api_http import ApiServer, own_api_server


@pytest.fixture(scope="module")
def bounded(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    folder = tmp_path_factory.mktemp("overload")
    with own_api_server(
        app_settings, folder, "overload", MAX_IN_FLIGHT="1", SSE_HEARTBEAT_SECONDS="1"
    ) as server:
        yield server


@pytest.fixture(scope="module")
def queued(app_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    folder = tmp_path_factory.mktemp("overload-queue")
    with own_api_server(
        app_settings, folder, "overloadq", MAX_IN_FLIGHT="1", OVERLOAD_QUEUE_MS="400"
    ) as server:
        yield server


class HeldRequest:
    """A query-customer click whose body is withheld: it occupies a slot until `finish()`."""

    def __init__(self, server: ApiServer, token: str, session_id: str) -> None:
        self.body = (
            f'{{"session_id": "{session_id}", "id_number": "{GOLDEN.eligible.national_id}"}}'
        ).encode()
        host, port = server.url.removeprefix("http://").split(":")
        head = (
            b"POST /api/renewal-workflow/step/query-customer HTTP/1.1\r\n"
            b"Host: test\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: {len(self.body)}\r\n\r\n".encode()
        )
        for _ in range(20):  # the last request's background work may still hold the slot
            self.sock = socket.create_connection((host, int(port)), timeout=0.3)
            self.sock.sendall(head)
            try:
                self.sock.recv(65536)  # answered before its body was sent: refused, again
            except TimeoutError:
                self.sock.settimeout(30)
                return  # admitted, and waiting for its body
            self.sock.close()
            time.sleep(0.1)
        raise AssertionError("the held request was never admitted")

    def finish(self) -> tuple[int, bytes]:
        self.sock.sendall(self.body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        self.sock.close()
        status = int(answer.split(b" ", 2)[1])
        return status, answer


def _refused(response: httpx.Response) -> bool:
    if response.status_code != 503:
        return False
    assert response.json() == {
        "success": False,
        "error": "the service is busy, please retry in a moment",
        "code": "OVERLOADED",
    }
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-Request-ID"]
    return True


def _refusals_counted(http: httpx.Client) -> float:
    text = http.get("/metrics").text
    found = re.search(r"^switchboard_overload_refusals_total (\S+)$", text, re.M)
    assert found, "refusal counter missing from /metrics"
    return float(found.group(1))


def _wait_until_full(http: httpx.Client, headers: dict[str, str], session_id: str) -> None:
    """The held request is admitted once a cheap read of another session is refused."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        view = http.get(f"/api/renewal-workflow/session/{session_id}", headers=headers)
        if view.status_code == 503:
            return
        time.sleep(0.05)
    raise AssertionError("the held request never filled the bound")


def test_a_refused_click_changes_nothing_and_the_same_click_then_works(
    bounded: ApiServer,
) -> None:
    with bounded.client() as http:
        token = login(http, SALES)["access_token"]
        mine, other = HttpJourney(http, token), HttpJourney(http, token)
        mine.start()
        other.start()
        before = _refusals_counted(http)
        held = HeldRequest(bounded, token, other.session_id)
        _wait_until_full(http, mine.headers, mine.session_id)

        click = mine.post("step/query-customer", id_number=GOLDEN.eligible.national_id)
        assert _refused(click), click.text
        assert http.get("/health").status_code == 200  # probes are never refused
        assert http.get("/ready").status_code == 200
        assert _refusals_counted(http) >= before + 2  # the wait's probe and the click

        status, answer = held.finish()  # the admitted request was not disturbed
        assert status == 200, answer[-300:]
        view = http.get(f"/api/renewal-workflow/session/{mine.session_id}", headers=mine.headers)
        assert view.json()["data"]["current_step"] == "query_customer"
        mine.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
        assert mine.view["current_step"] == "select_phone"


def test_an_open_stream_is_not_counted_after_its_first_byte(bounded: ApiServer) -> None:
    with bounded.client() as http:
        agent = bearer(login(http, AGENT)["access_token"])
        staff = bearer(login(http, SALES)["access_token"])
        with http.stream("GET", "/api/agent/stream/", headers=agent) as stream:
            assert stream.status_code == 200
            next(stream.iter_raw())  # its first bytes (an event or the 1 s heartbeat)
            for _ in range(3):  # the only slot is free although the stream stays open
                start = http.post("/api/renewal-workflow/start", headers=staff)
                assert start.status_code == 201, start.text
            assert not stream.is_closed


def test_a_burst_is_partly_refused_and_every_accepted_request_succeeds(
    bounded: ApiServer,
) -> None:
    with bounded.client() as http:
        token = login(http, SALES)["access_token"]
        journey = HttpJourney(http, token)
        journey.start()
        before = _refusals_counted(http)

    async def burst() -> tuple[list[httpx.Response], list[int]]:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(base_url=bounded.url, limits=limits, timeout=30) as client:
            path = f"/api/renewal-workflow/session/{journey.session_id}"
            reads = [client.get(path, headers=journey.headers) for _ in range(40)]
            probes = [client.get("/health") for _ in range(5)]
            answers = await asyncio.gather(*reads, *probes)
        return answers[:40], [probe.status_code for probe in answers[40:]]

    answers, probes = asyncio.run(burst())
    refused = [answer for answer in answers if _refused(answer)]
    accepted = [answer for answer in answers if answer.status_code != 503]
    assert refused and accepted, [answer.status_code for answer in answers]
    assert all(answer.status_code == 200 for answer in accepted)
    assert all(a.json()["data"]["current_step"] == "query_customer" for a in accepted)
    assert probes == [200] * 5
    with bounded.client() as http:
        assert _refusals_counted(http) == before + len(refused)


def test_a_short_queue_waits_for_a_slot_then_refuses_past_its_deadline(
    queued: ApiServer,
) -> None:
    with queued.client() as http:
        token = login(http, SALES)["access_token"]
        mine, other = HttpJourney(http, token), HttpJourney(http, token)
        mine.start()
        other.start()
        view = f"/api/renewal-workflow/session/{mine.session_id}"

        held = HeldRequest(queued, token, other.session_id)
        started = time.monotonic()
        waited = http.get(view, headers=mine.headers)  # held longer than the queue's 400 ms
        assert _refused(waited), waited.text
        assert 0.35 <= time.monotonic() - started < 2.0

        async def click_while_the_slot_frees() -> httpx.Response:
            async with httpx.AsyncClient(base_url=queued.url, timeout=30) as client:
                click = asyncio.create_task(client.get(view, headers=mine.headers))
                await asyncio.sleep(0.1)
                assert (await asyncio.to_thread(held.finish))[0] == 200
                return await click

        answer = asyncio.run(click_while_the_slot_frees())
        assert answer.status_code == 200, answer.text  # it waited for the slot instead
