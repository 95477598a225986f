"""The bare-metal deployment, run on this machine: each command of deploy/systemd/*.service, read
from the unit file, with the environment of switchboard.env.example (production mode, its
secrets replaced by the test's), against PostgreSQL and Redis.

Order as systemd starts them: migrations, the demo data, the three MCP servers over streamable
HTTP, then an API instance that uses those servers (and starts no MCP child of its own). A
renewal through CRM, POS and the promotion search proves the pieces talk to each other.
compose.yaml and the Containerfile run the same commands (tests/deploy/test_deploy_files.py).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from redis import Redis
from sqlalchemy.engine import make_url

from core.settings import ROOT
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney
from tests.conftest import TEST_SEARCH_INDEX
from tests.db.conftest import PG_URL, require_postgres
from tests.deploy.deploy_files import env_file, exec_start, runnable, unit_environment
from tests.mcp_http import child_pids, free_port, wait_for_port

pytestmark = pytest.mark.slow
PASSWORD = "Bare-metal-Pa55"


@pytest.fixture(scope="module")
def unit_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """switchboard.env.example with what differs on a test machine: secrets, a database and a
    Redis prefix of the module's own, folders under tmp."""
    require_postgres()
    folder = tmp_path_factory.mktemp("bare-metal")
    name = f"sb_bare_{uuid.uuid4().hex[:10]}"
    admin = make_url(PG_URL).set(drivername="postgresql", database="test")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix = f"sbtest-bare-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "DATABASE_"))}
    env.update(env_file())
    env.update(
        JWT_SECRET="bare-metal-secret-" + "y" * 32,
        DEMO_PASSWORD=PASSWORD,
        METRICS_TOKEN="bare-metal-metrics-token",
        DATABASE_URL=make_url(PG_URL).set(database=name).render_as_string(hide_password=False),
        REDIS_KEY_PREFIX=prefix,
        BACKOFFICE_DB_PATH=str(folder / "backoffice.db"),
        SEARCH_INDEX_DIR=str(TEST_SEARCH_INDEX),  # content-keyed: reused, not embedded again
        PYTHONPYCACHEPREFIX=str(ROOT / "var" / "pycache"),
        CHECKPOINT_TTL_SECONDS="3600",
    )
    try:
        yield env
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis = Redis.from_url(env["REDIS_URL"])
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=5000))
        if keys:
            redis.unlink(*keys)
        redis.close()


def run_oneshot(unit: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        runnable(exec_start(unit)), env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{unit}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def with_port(argv: list[str], port: int) -> list[str]:
    at = argv.index("--port")
    return [*argv[: at + 1], str(port), *argv[at + 2 :]]


@pytest.fixture(scope="module")
def services(
    unit_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """Everything switchboard.target starts; yields the API's URL and process id."""
    logs = tmp_path_factory.mktemp("bare-metal-logs")
    run_oneshot("switchboard-migrate.service", unit_env)
    again = run_oneshot("switchboard-migrate.service", unit_env)  # a redeploy: nothing to do
    assert "Running upgrade" not in again
    run_oneshot("switchboard-bootstrap.service", unit_env)
    env = dict(unit_env)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name in ("crm", "pos", "promotion"):
            port = free_port()
            argv = with_port(runnable(exec_start(f"mcp-{name}.service")), port)
            out = (logs / f"mcp-{name}.log").open("wb")
            processes.append(subprocess.Popen(argv, env=unit_env, cwd=ROOT, stdout=out, stderr=out))
            wait_for_port(port, processes[-1])
            env[f"MCP_{name.upper()}_URL"] = f"http://127.0.0.1:{port}/mcp"
        api_port = free_port()
        env.update(unit_environment("api@.service"))
        env["APP_PORT"] = str(api_port)
        argv = runnable(exec_start("api@.service", str(api_port)))
        out = (logs / "api.log").open("wb")
        processes.append(subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=out))
        try:
            wait_for_port(api_port, processes[-1], timeout=120)
        except RuntimeError:
            raise RuntimeError((logs / "api.log").read_text()[-3000:]) from None
        yield f"http://127.0.0.1:{api_port}", processes[-1].pid
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_the_units_bring_up_a_ready_production_api(services: tuple[str, int]) -> None:
    with httpx.Client(base_url=services[0], timeout=30) as http:
        ready = http.get("/ready")
        assert ready.status_code == 200, ready.text
        assert http.get("/metrics").status_code in (401, 403)  # production: token needed
        refused = http.post(
            "/api/auth/login", json={"employee_code": "E1001", "password": "Demo1234"}
        )
        assert refused.status_code == 401  # the default demo password is not in production


def test_a_renewal_goes_through_the_http_mcp_servers(services: tuple[str, int]) -> None:
    with httpx.Client(base_url=services[0], timeout=60) as http:
        login = http.post("/api/auth/login", json={"employee_code": "E1001", "password": PASSWORD})
        assert login.status_code == 200, login.text
        journey = HttpJourney(http, login.json()["data"]["access_token"])
        journey.start()
        journey.step("step/query-customer", id_number=GOLDEN.eligible.national_id)  # CRM
        journey.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
        journey.step("step/select-device-type", device_type="smartphone")
        journey.step("step/select-device-os", os_type="ios")  # POS: devices in stock
        devices = {d["device_id"] for d in journey.show["devices"]}
        assert GOLDEN.device.device_id in devices
        journey.step("step/select-device", device_id=GOLDEN.device.device_id,
                     color=GOLDEN.device.color)  # fmt: skip
        plans = journey.stream("step/list-plans")  # promotion search
        assert [e["event"] for e in plans.events][-2:] == ["complete", "done"]
        assert len(journey.show["plans"]) >= 2
    for name in ("crm", "pos", "promotion"):
        assert child_pids(f"mcp_servers.{name}", services[1]) == []  # no stdio child: HTTP only
