"""Optimistic locking between two agents on two API instances (one PostgreSQL database, one
Redis prefix): the second writer of a version gets 409 with the current version, concurrent
writers of one version get exactly one 200, and a status race without `version` is decided by
the transition rules against the status that won."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from core.settings import Settings
from tests.api.conftest import bearer, login
from tests.api_http import ApiServer, running_api
from tests.tickets.conftest import Desk
from tests.tickets.support import create, ok, refused

pytestmark = pytest.mark.slow  # a second API instance of its own (~10 s to start)


@pytest.fixture(scope="module")
def instance_b(
    ticket_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with running_api(ticket_settings, tmp_path_factory.mktemp("tk-api-b") / "api.log") as server:
        yield server


@pytest.fixture(scope="module")
def bob_on_b(instance_b: ApiServer) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with instance_b.client() as http:
        yield http, bearer(login(http, "agent002")["access_token"])


def test_the_second_writer_of_a_version_gets_409_and_the_current_version(
    desk: Desk, bob_on_b: tuple[httpx.Client, dict[str, str]]
) -> None:
    b, bob = bob_on_b
    alice, a = desk.as_("agent"), desk.http
    ticket = create(a, alice, priority="normal")
    path = f"/api/tickets/{ticket['ticket_id']}"
    # both read version 1, each on their own instance
    assert ok(a.get(path, headers=alice))["version"] == 1
    assert ok(b.get(path, headers=bob))["version"] == 1

    won = ok(a.patch(path, json={"version": 1, "priority": "urgent"}, headers=alice))
    assert won["version"] == 2

    lost = b.patch(path, json={"version": 1, "title": "Bob 的標題"}, headers=bob)
    body = refused(lost, 409, "VERSION_CONFLICT")
    assert body["details"] == {"current_version": 2, "your_version": 1}
    assert "請重新整理後重試" in body["error"]

    fresh = ok(b.get(path, headers=bob))  # Bob reloads on B and sees Alice's change
    assert fresh["priority"] == "urgent" and fresh["title"] == ticket["title"]
    retried = ok(b.patch(path, json={"version": 2, "title": "Bob 的標題"}, headers=bob))
    assert retried["version"] == 3 and retried["priority"] == "urgent"
    log = [(e["action"], e["operator_id"]) for e in retried["activity_log"]]
    assert log == [("created", "agent001"), ("updated", "agent001"), ("updated", "agent002")]


def test_concurrent_writers_of_one_version_one_wins(
    desk: Desk, bob_on_b: tuple[httpx.Client, dict[str, str]]
) -> None:
    b, bob = bob_on_b
    a, alice = desk.http, desk.as_("agent")
    ticket = create(a, alice)
    path = f"/api/tickets/{ticket['ticket_id']}"

    def write(n: int) -> httpx.Response:
        http, headers = (a, alice) if n % 2 else (b, bob)
        return http.patch(path, json={"version": 1, "title": f"writer {n}"}, headers=headers)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(write, range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 9, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()["data"]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["details"]["current_version"] == 2
    stored = ok(a.get(path, headers=alice))
    assert stored["version"] == 2 and stored["title"] == winner["title"]
    assert [e["action"] for e in stored["activity_log"]] == ["created", "updated"]


def test_a_status_race_without_version_is_decided_by_the_rules(
    desk: Desk, bob_on_b: tuple[httpx.Client, dict[str, str]]
) -> None:
    """Both start work on a pending ticket at once: one moves it, the other's request is
    re-checked against in_progress and refused (in_progress → in_progress is no move)."""
    b, bob = bob_on_b
    a, alice = desk.http, desk.as_("agent")
    ticket = create(a, alice)
    path = f"/api/tickets/{ticket['ticket_id']}/status"

    def start(n: int) -> httpx.Response:
        http, headers = (a, alice) if n % 2 else (b, bob)
        return http.post(path, json={"status": "in_progress"}, headers=headers)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(start, range(6)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    codes = {r.json()["code"] for r in responses if r.status_code == 409}
    assert codes == {"INVALID_TRANSITION"}
    stored = ok(a.get(f"/api/tickets/{ticket['ticket_id']}", headers=alice))
    assert stored["status"] == "in_progress" and stored["version"] == 2
