"""Two uvicorn workers, one registry: counters add up across workers and a killed worker's
live gauges drop out (prometheus-client's multiprocess mode, set up by `python -m api`)."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from core.settings import Settings
from tests.api_http import running_api
from tests.mcp_http import child_pids
from tests.operations.test_metrics import scrape, total

pytestmark = pytest.mark.slow
REQUESTS = 200
HEALTH = {"route": "/health", "method": "GET", "status": "200"}


def per_worker(folder: Path) -> dict[int, float]:
    """/health answers counted in each worker's own file: pid -> count."""
    counts: dict[int, float] = {}
    for file in folder.glob("counter_*.db"):
        pid = int(file.stem.rsplit("_", 1)[1])
        for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(file)):
            _family, sample, labels, _help = json.loads(key)
            if sample == "switchboard_http_requests_total" and labels == HEALTH:
                counts[pid] = counts.get(pid, 0) + value
    return counts


def test_two_workers_add_up_and_a_dead_worker_drops_out(
    app_settings: Settings, tmp_path: Path
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"stale")  # an earlier run's file: removed at start
    env = {"APP_WORKERS": "2", "METRICS_MULTIPROC_DIR": str(shared)}
    with running_api(app_settings, tmp_path / "api.log", **env) as server:
        url = server.url

        def health(_: int) -> int:
            return httpx.get(f"{url}/health", timeout=30).status_code  # a connection each

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(health, range(REQUESTS))) == {200}
        with httpx.Client(base_url=url, timeout=30) as http:
            merged = scrape(http)
            counts = per_worker(shared)
            assert total(merged, "switchboard_http_requests_total", **HEALTH) == REQUESTS
            assert sum(counts.values()) == REQUESTS
            assert len([c for c in counts.values() if c]) == 2, counts  # both served some

            capacity = total(merged, "switchboard_db_pool_capacity")
            workers = child_pids("--multiprocessing-fork", parent=server.process.pid)
            assert len(workers) == 2 and capacity > 0
            os.kill(workers[0], signal.SIGKILL)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:  # uvicorn starts a new worker in its place
                alive = child_pids("--multiprocessing-fork", parent=server.process.pid)
                if len(alive) == 2 and workers[0] not in alive:
                    try:
                        if http.get("/health").status_code == 200:
                            after = scrape(http)
                            if total(after, "switchboard_db_pool_capacity") == capacity:
                                break
                    except httpx.TransportError:
                        pass
                time.sleep(0.5)
            after = scrape(http)
        # the dead worker's counts stay; its pool no longer counts as capacity
        assert total(after, "switchboard_http_requests_total", **HEALTH) >= REQUESTS
        assert total(after, "switchboard_db_pool_capacity") == capacity
    assert not (shared / "counter_1.db").exists()
