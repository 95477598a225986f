"""`/metrics` on a real API process: a renewal and a handoff move every metric family.

The server's chat model is `LLM_PROVIDER=openai` pointed at a local OpenAI-compatible server
(tests/llm/fake_openai.py) whose first answer is a 500, so the fallback, the configured model's
tokens and cost all show. The test scrapes before, during (an agent stream open, a chat waiting)
and after, and compares the samples; it also kills the crm server's child to see a restart.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.settings import ROOT, Settings
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, bearer, login
from tests.api.handoff_support import (
    ALWAYS_ON,
    SseReader,
    new_customer,
    post,
    say,
    set_shift,
)
from tests.api_http import ApiServer, own_api_server
from tests.conftest import reload_backoffice
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.mcp_http import child_pids

pytestmark = pytest.mark.slow  # a server of its own and a whole journey: ~25 s
TOKEN = "metrics-token-for-the-test"
Samples = dict[str, dict[frozenset[tuple[str, str]], float]]


def parse(text: str) -> Samples:
    """sample name -> {label set: value}."""
    out: Samples = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[sample.name][frozenset(sample.labels.items())] = sample.value
    return out


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for k, v in samples.get(name, {}).items() if want <= k)


def scrape(http: httpx.Client) -> Samples:
    response = http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(Reply(text="您好，這是 AI 的回覆。")).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory, fake_llm: FakeOpenAI
) -> Iterator[ApiServer]:
    with own_api_server(
        app_settings,
        tmp_path_factory.mktemp("metrics"),
        "metrics",
        stdio_mcp=True,  # a test kills its CRM child
        **fake_llm.api_env("gpt-4o"),
        LLM_MAX_RETRIES="0",
        METRICS_TOKEN=TOKEN,
    ) as api:
        yield api


def renewal(http: httpx.Client) -> None:
    j = HttpJourney(http, login(http, "E1001")["access_token"])
    j.start()
    j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
    j.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
    j.step("step/select-device-type", device_type="smartphone")
    j.step("step/select-device-os", os_type="ios")
    j.step("step/select-device", device_id=GOLDEN.device.device_id, color=GOLDEN.device.color)
    j.stream("step/list-plans")
    j.step("step/select-plan", plan_id=j.show["plans"][0]["plan_id"])
    j.step("step/confirm", confirmed=True)
    assert j.step("submit", submit=True)["outcome"] == "completed"


@dataclass
class Scrapes:
    before: Samples
    during: Samples  # an agent stream open, a chat waiting in the queue
    after: Samples
    session: str  # the chat's name: never a label value


@pytest.fixture(scope="module")
def scrapes(server: ApiServer, fake_llm: FakeOpenAI, backoffice_path: Path) -> Iterator[Scrapes]:
    """A renewal and a handoff (escalation, claim, messages, release), scraped around them."""
    reload_backoffice(backoffice_path)
    with server.client() as http:
        admin = login(http, "admin")["access_token"]
        set_shift(http, admin, ALWAYS_ON)
        before = scrape(http)
        fake_llm.script(Reply(status=500))  # the first model call falls back
        renewal(http)

        agent = bearer(login(http, "agent001")["access_token"])
        stream = SseReader(server.url, "/api/agent/stream", agent).start()
        customer = new_customer(http, nickname="量測客人")
        say(http, customer, "請問 5G 吃到飽方案？")
        name = customer.session_name
        assert (
            post(http, "/api/manual/escalate", customer.headers, session_name=name).status_code
            == 200
        )
        again = post(http, "/api/manual/escalate", customer.headers, session_name=name)
        assert again.json()["code"] == "MANUAL_IN_PROGRESS"
        time.sleep(0.3)
        during = scrape(http)
        assert post(http, f"/api/sessions/{name}/takeover", agent).status_code == 200
        said = post(
            http, "/api/manual/messages", agent, session_name=name, role="agent", content="您好"
        )
        assert said.status_code == 200, said.text
        released = post(http, f"/api/sessions/{name}/release", agent, reason="resolved")
        assert released.status_code == 200, released.text
        stream.close()

        [crm] = child_pids("mcp_servers.crm", parent=server.process.pid)
        os.kill(crm, signal.SIGKILL)
        time.sleep(0.5)
        j = HttpJourney(http, login(http, "E1002")["access_token"])
        j.start()
        j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)  # restarts crm
        time.sleep(0.3)
        after = scrape(http)
    yield Scrapes(before, during, after, name)
    reload_backoffice(backoffice_path)  # the submit renewed the golden line


def test_a_renewal_and_a_handoff_move_every_family(scrapes: Scrapes) -> None:
    before, during, after, name = scrapes.before, scrapes.during, scrapes.after, scrapes.session

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    start = "/api/renewal-workflow/start"
    assert moved("switchboard_http_requests_total", route=start, method="POST", status="201") == 2
    assert moved("switchboard_http_request_duration_seconds_count", route=start) == 2
    assert moved("switchboard_http_errors_total", status="409", code="MANUAL_IN_PROGRESS") == 1
    routes = {dict(k)["route"] for k in after["switchboard_http_requests_total"]}
    assert "/api/sessions/{session_name}/takeover" in routes  # templates, never ids
    assert not any(name in route for route in routes)

    assert total(during, "switchboard_sse_streams_active") >= 1
    assert total(after, "switchboard_sse_streams_active") == 0
    pending = {"status": "pending_manual"}
    assert total(during, "switchboard_conversations", **pending) == 1 + total(
        before, "switchboard_conversations", **pending
    )
    assert total(during, "switchboard_queue_waiting_sessions") >= 1
    assert total(during, "switchboard_queue_oldest_wait_seconds") > 0
    assert total(after, "switchboard_queue_waiting_sessions") == total(
        before, "switchboard_queue_waiting_sessions"
    )
    assert moved("switchboard_escalations_total", reason="user_request") == 1
    assert moved("switchboard_takeovers_total") == 1
    assert moved("switchboard_takeover_wait_seconds_count") == 1
    assert 0.3 <= moved("switchboard_takeover_wait_seconds_sum") < 60

    assert moved("switchboard_renewal_steps_total", step="start", result="ok") == 2
    assert moved("switchboard_renewal_steps_total", step="query_customer", result="ok") == 2
    assert moved("switchboard_renewal_steps_total", step="list_plans", result="ok") == 1
    assert moved("switchboard_renewal_step_duration_seconds_count", step="submit") == 1
    assert moved("switchboard_renewal_outcomes_total", outcome="completed") == 1

    assert moved("switchboard_mcp_tool_calls_total", outcome="ok") > 5
    assert moved("switchboard_mcp_tool_call_duration_seconds_count") > 5
    assert moved("switchboard_mcp_server_restarts_total", server="crm") == 1
    for mcp in ("crm", "pos", "promotion"):
        assert total(after, "switchboard_mcp_server_up", server=mcp) == 1

    assert moved("switchboard_llm_calls_total", model="gpt-4o", fallback="false") >= 1
    assert moved("switchboard_llm_calls_total", fallback="true") >= 1
    assert moved("switchboard_llm_fallbacks_total", reason="server_error") == 1
    assert moved("switchboard_llm_tokens_total", model="gpt-4o", kind="prompt") >= 12
    assert moved("switchboard_llm_cost_usd_total", model="gpt-4o") > 0
    assert moved("switchboard_llm_call_duration_seconds_count") >= 2

    assert moved("switchboard_checkpoint_operation_duration_seconds_count", operation="put") > 10
    assert (
        moved("switchboard_checkpoint_operation_duration_seconds_count", operation="get_tuple") > 5
    )
    assert total(after, "switchboard_db_pool_capacity") > 0
    assert (
        0
        <= total(after, "switchboard_db_connections_in_use")
        <= total(after, "switchboard_db_pool_capacity")
    )
    assert total(after, "switchboard_redis_up") == 1 and total(after, "switchboard_db_up") == 1
    assert total(after, "switchboard_redis_memory_used_bytes") > 0
    for errors in ("switchboard_redis_errors_total", "switchboard_db_errors_total"):
        assert errors in after  # zero until an outage: test_metrics_outage moves them


def test_access_from_elsewhere_needs_the_token(server: ApiServer) -> None:
    remote = {"X-Forwarded-For": "10.9.8.7"}  # uvicorn trusts it from 127.0.0.1, as from nginx
    with server.client() as http:
        refused = http.get("/metrics", headers=remote)
        wrong = http.get("/metrics", headers={**remote, "Authorization": "Bearer wrong"})
        allowed = http.get("/metrics", headers={**remote, "Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 401
    assert refused.json() == {
        "success": False,
        "error": "/metrics needs the metrics token",
        "code": "METRICS_TOKEN_REQUIRED",
    }
    assert wrong.status_code == 401 and wrong.json()["code"] == "METRICS_TOKEN_INVALID"
    assert allowed.status_code == 200 and "switchboard_http_requests_total" in allowed.text


DEPLOY = ROOT / "deploy"
METRIC = re.compile(r"\bswitchboard_[a-z0-9_]+")


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "switchboard.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_dashboard_and_alerts_name_only_exported_metrics(scrapes: Scrapes, tmp_path: Path) -> None:
    exported = set(scrapes.during) | set(scrapes.after)
    expressions = dashboard_expressions()
    rules = (DEPLOY / "prometheus" / "alerts.yml").read_text()
    named = {m for e in expressions for m in METRIC.findall(e)} | set(METRIC.findall(rules))
    assert named - exported == set()
    families = {re.sub(r"_(total|bucket|count|sum)$", "", n) for n in exported}
    shown = {re.sub(r"_(total|bucket|count|sum)$", "", n) for n in named}
    ours = {f for f in families if f.startswith("switchboard_")}
    assert ours - shown == set()  # and every family of ours is on the dashboard or in a rule

    # every dashboard expression is PromQL Prometheus accepts (Grafana's variables filled in)
    filled = [e.replace("$__rate_interval", "5m").replace("$job", ".*") for e in expressions]
    rules_file = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:expr{i}", "expr": e} for i, e in enumerate(filled)
    ]}]}  # fmt: skip
    (tmp_path / "dashboard.yml").write_text(json.dumps(rules_file))
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool missing: run `make system`")
    checked = subprocess.run(
        [promtool, "check", "rules", "dashboard.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(filled)} rules found" in checked.stdout
