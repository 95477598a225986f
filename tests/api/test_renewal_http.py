"""The renewal workflow over real HTTP: the golden journey and every step's refusals."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from typing import Any

import httpx
import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from api.renewal.locks import SessionLocks
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, bearer, parse_sse
from tests.api_http import ApiServer
from tests.mcp_http import child_pids

pytestmark = pytest.mark.usefixtures("fresh_backoffice")
UNKNOWN = "renewal_2_0123456789ab"


def test_golden_journey_with_a_device_over_http(http: httpx.Client, tokens: dict[str, str]) -> None:
    j = HttpJourney(http, tokens["sales"])
    view = j.start()
    assert view["current_step"] == "query_customer" and view["store_id"] == "S001"
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    assert j.view["current_step"] == "select_phone"
    phones = j.post("step/list-phones").json()["data"]
    assert {p["phone_number"] for p in phones["phones"]} >= {GOLDEN.eligible.phone}
    assert phones["customer"]["id_number"] == "A12****789"
    assert j.view["current_step"] == "select_phone"  # listing resumed nothing
    j.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
    j.step("step/select-device-type", device_type="smartphone")
    assert j.view["current_step"] == "select_device_os"
    j.step("step/select-device-os", os_type="ios")
    assert GOLDEN.device.device_id in {d["device_id"] for d in j.show["devices"]}
    j.step("step/select-device", device_id=GOLDEN.device.device_id, color=GOLDEN.device.color)
    assert j.view["current_step"] == "list_plans"

    plans = j.stream("step/list-plans")
    progress = [(e["stage"], e["status"]) for e in plans.named("progress")]
    stages = [stage for stage, _ in progress]
    # the contract and the basic eligibility check start together; each stage ends after it began
    assert progress[:2] == [("query_contract", "running"), ("check_basic_eligibility", "running")]
    for stage in ("query_contract", "check_basic_eligibility", "search_promotions"):
        assert progress.index((stage, "running")) < progress.index((stage, "completed"))
    assert "check_promotion_eligibility" in stages and stages[-1] == "summary"
    assert all(e["data"]["type"] == e["event"] for e in plans.events)  # seed 003 readers
    assert [e["id"] for e in plans.events] == list(range(1, len(plans.events) + 1))
    assert [e["event"] for e in plans.events][-2:] == ["complete", "done"]
    assert j.view["current_step"] == "select_plan"
    plan_ids = [p["plan_id"] for p in j.show["plans"]]
    assert len(plan_ids) >= 2

    compared = j.stream("step/compare", compare=plan_ids[:2])
    narrative = "".join(m["content"] for m in compared.named("message"))
    assert "離線" in narrative  # the offline model's tokens, streamed
    comparison = j.show["comparison"]
    assert comparison["narrative"] == narrative
    best = comparison["recommendation"]["best_for_customer"]
    j.step("step/select-plan", plan_id=best)
    assert j.view["current_step"] == "confirm"
    assert j.show["summary"]["costs"]["device_contract_price"] > 0
    j.step("step/confirm", confirmed=True)
    done = j.step("submit", submit=True)
    assert done["outcome"] == "completed" and done["current_step"] is None
    assert done["selections"]["submission"]["reservation"]["status"] == "reserved"
    got = http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers)
    assert got.json()["data"]["outcome"] == "completed"


# (route, a valid body for the step, a bad body and the field it must name)
STEPS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("step/query-customer", {"id_number": "A123456789"}, {"id_number": "A1"}, "id_number"),
    ("step/select-phone", {"phone_number": "0912345678"}, {"phone_number": "12"}, "phone_number"),
    ("step/select-device-type", {"device_type": "none"}, {"device_type": "car"}, "device_type"),
    ("step/select-device-os", {"os_type": "ios"}, {"os_type": "palm"}, "os_type"),
    ("step/select-device", {"device_id": "D003", "color": "黑"}, {"device_id": "X"}, "device_id"),
    ("step/list-plans", {}, {"query": "x" * 300}, "query"),
    ("step/select-plan", {"plan_id": "P012"}, {"plan_id": "nope"}, "plan_id"),
    ("step/compare", {"compare": ["P012", "P013"]}, {"compare": ["P012"]}, "compare"),
    ("step/confirm", {"confirmed": True}, {"confirmed": False}, "confirmed"),
    ("submit", {"submit": True}, {"submit": "yes"}, "submit"),
    ("step/back", {"to": "select_phone"}, {"to": "nowhere"}, "to"),
    ("step/list-phones", {}, {"extra": 1}, "extra"),
    ("abandon", {}, {"reason": "x" * 300}, "reason"),
]


@pytest.fixture(scope="module")
def waiting_at_phone(http: httpx.Client, tokens: dict[str, str]) -> HttpJourney:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    return j


@pytest.mark.parametrize(("path", "good", "bad", "field"), STEPS, ids=[s[0] for s in STEPS])
def test_step_refusals(
    http: httpx.Client,
    tokens: dict[str, str],
    waiting_at_phone: HttpJourney,
    path: str,
    good: dict[str, Any],
    bad: dict[str, Any],
    field: str,
) -> None:
    j = waiting_at_phone
    url = f"/api/renewal-workflow/{path}"
    # a body that breaks the schema: 422 naming the field, nothing moves
    response = http.post(url, json={"session_id": j.session_id, **bad}, headers=j.headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == "VALIDATION_ERROR"
    assert field in body["error"] and field in [f["field"] for f in body["fields"]]
    # missing session_id is named too
    response = http.post(url, json=good, headers=j.headers)
    assert response.status_code == 422 and "session_id" in response.json()["error"]
    # unknown session: 404
    response = http.post(url, json={"session_id": UNKNOWN, **good}, headers=j.headers)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "NOT_FOUND"
    # another sales member of the same store: 403; an agent: 403 (role)
    for other in ("sales_2", "agent"):
        response = http.post(
            url, json={"session_id": j.session_id, **good}, headers=bearer(tokens[other])
        )
        assert response.status_code == 403, (other, response.text)
    # a step that is not waiting: 409 WRONG_STEP naming where the session waits
    if path not in ("step/select-phone", "step/list-phones", "abandon", "step/back"):
        response = http.post(url, json={"session_id": j.session_id, **good}, headers=j.headers)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "WRONG_STEP"
        assert response.json()["details"]["current_step"] == "select_phone"
    assert (
        http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers).json()["data"][
            "current_step"
        ]
        == "select_phone"
    )


def test_graph_refusals_keep_the_step_waiting(http: httpx.Client, tokens: dict[str, str]) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    bad_checksum = j.post("step/query-customer", id_number="A123456788")
    assert bad_checksum.status_code == 400
    assert bad_checksum.json()["code"] == "INVALID_INPUT"
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    not_theirs = j.post("step/select-phone", phone_number=GOLDEN.debt.phone)
    assert not_theirs.status_code == 400
    assert not_theirs.json()["details"]["current_step"] == "select_phone"
    back = j.post("step/back", to="select_device")  # not visited yet
    assert back.status_code == 400 and "cannot go back" in back.json()["error"]


def test_manager_of_the_store_and_admin_may_step_in(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    url = f"/api/renewal-workflow/session/{j.session_id}"
    assert http.get(url, headers=bearer(tokens["manager"])).status_code == 200
    assert http.get(url, headers=bearer(tokens["admin"])).status_code == 200
    assert http.get(url, headers=bearer(tokens["other_manager"])).status_code == 403
    assert http.get(url, headers=bearer(tokens["sales_2"])).status_code == 403
    manager = HttpJourney(http, tokens["manager"])
    manager.session_id = j.session_id
    manager.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    assert manager.view["current_step"] == "select_phone"


def test_back_and_abandon(http: httpx.Client, tokens: dict[str, str]) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    j.to_device_type()
    j.step("step/select-device-type", device_type="smartphone")
    assert "select_device_type" in j.view["waiting"]["back_to"]
    back = j.step("step/back", to="select_device_type")
    assert back["current_step"] == "select_device_type"
    assert back["selections"]["renewal_type"] is None
    done = j.step("abandon", reason="customer will think it over")
    assert done["outcome"] == "abandoned" and done["current_step"] is None
    again = j.post("abandon")
    assert again.status_code == 409 and again.json()["code"] == "WRONG_STEP"


def test_concurrent_calls_on_one_session_run_once(
    api_server: Any, tokens: dict[str, str], http: httpx.Client
) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    body = {"session_id": j.session_id, "id_number": GOLDEN.eligible.national_id}

    def call() -> httpx.Response:
        with api_server.client() as own:
            return own.post(
                "/api/renewal-workflow/step/query-customer", json=body, headers=j.headers
            )

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: call(), range(4)))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409, 409, 409], [r.text for r in results]
    # RUN_IN_PROGRESS while the winner runs, WRONG_STEP once it has moved the session on
    codes = {r.json()["code"] for r in results if r.status_code == 409}
    assert codes <= {"RUN_IN_PROGRESS", "WRONG_STEP"}


def test_a_session_busy_on_another_instance_answers_run_in_progress(
    api_server: Any, tokens: dict[str, str], http: httpx.Client
) -> None:
    """Another API process is running this session (its lock is in Redis): refuse at once."""
    j = HttpJourney(http, tokens["sales"])
    j.start()
    env = api_server.env
    key = SessionLocks(AsyncRedis(), env["REDIS_KEY_PREFIX"]).key(j.session_id)
    with Redis.from_url(env["REDIS_URL"]) as redis:
        redis.set(key, "another-instance", px=30_000)
        body = {"session_id": j.session_id, "id_number": GOLDEN.eligible.national_id}
        url = "/api/renewal-workflow/step/query-customer"
        busy = http.post(url, json=body, headers=j.headers)
        assert busy.status_code == 409 and busy.json()["code"] == "RUN_IN_PROGRESS"
        assert busy.headers["Retry-After"] == "1"
        redis.delete(key)
    done = http.post(url, json=body, headers=j.headers)
    assert done.status_code == 200 and done.json()["data"]["current_step"] == "select_phone"


def test_start_rules(http: httpx.Client, tokens: dict[str, str]) -> None:
    url = "/api/renewal-workflow/start"
    other_store = http.post(url, json={"store_id": "S002"}, headers=bearer(tokens["sales"]))
    assert other_store.status_code == 403
    admin_no_store = http.post(url, headers=bearer(tokens["admin"]))
    assert admin_no_store.status_code == 400 and "store_id" in admin_no_store.json()["error"]
    admin = http.post(url, json={"store_id": "S003"}, headers=bearer(tokens["admin"]))
    assert admin.status_code == 201 and admin.json()["data"]["store_id"] == "S003"
    unknown_store = http.post(url, json={"store_id": "S999"}, headers=bearer(tokens["admin"]))
    assert unknown_store.status_code == 400


def test_sse_client_disconnect_cancels_the_run_and_frees_the_session(
    http: httpx.Client, tokens: dict[str, str], api_server: ApiServer
) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    j.to_device_type()
    j.step("step/select-device-type", device_type="none")
    url = "/api/renewal-workflow/step/list-plans"
    # A stopped Promotion server holds the run at its search for the MCP call timeout (10 s), so
    # only the cancellation can free the session within the 5 s the retries below allow.
    [promotion] = child_pids("mcp_servers.promotion", parent=api_server.process.pid)
    os.kill(promotion, signal.SIGSTOP)
    try:
        with http.stream("POST", url, json={"session_id": j.session_id}, headers=j.headers) as s:
            assert s.status_code == 200
            for line in s.iter_lines():
                if line.startswith("data:"):
                    break  # hang up after the first event
    finally:
        os.kill(promotion, signal.SIGCONT)
    # the producer was cancelled (the graph stays at list_plans) and released the lock
    session_url = f"/api/renewal-workflow/session/{j.session_id}"
    assert http.get(session_url, headers=j.headers).json()["data"]["current_step"] == "list_plans"
    for _ in range(50):
        again = j.post("step/list-plans")
        if again.status_code != 409:
            break
        time.sleep(0.1)
    assert again.status_code == 200, again.text
    assert parse_sse(again.text).named("complete")[0]["data"]["current_step"] == "select_plan"
