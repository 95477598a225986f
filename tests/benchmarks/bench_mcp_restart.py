"""What a crashed Promotion server costs: `kill -9` of its stdio child -> the next call's answer.

Run on demand (not collected by pytest):

    .venv/bin/python -m tests.benchmarks.bench_mcp_restart [--kills 5]

Three set-ups, each its own `McpToolbox` (real stdio children, today's demo back office):

* `compile`: the child compiles every module from source at each start (no bytecode cache, as
  with PYTHONDONTWRITEBYTECODE=1 and no PYTHONPYCACHEPREFIX: the set-up before this change);
* `restart`: the child loads bytecode cached under var/pycache (`tools.mcp.server_env`);
* `standby`: `MCP_STANDBY_SERVERS=["promotion"]`, a started spare takes over.

Also printed: the CPU seconds one Promotion server start costs with and without the cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core.bootstrap import build_search_index
from core.settings import ROOT, Settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import load
from tests.mcp_http import child_pids
from tools.mcp import McpToolbox, server_env

QUERY = {"query": "5G 吃到飽", "top_k": 3}


def settings_for(backoffice: Path, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        backoffice_db_path=backoffice,
        search_index_dir=ROOT / "var" / "test" / "search",
        redis_key_prefix="sbbench-mcp-restart",
        **overrides,  # type: ignore[arg-type]
    )


def start_cpu_seconds(settings: Settings, *, cached: bool) -> float:
    """CPU (user + sys) of one `python -m mcp_servers.promotion` that exits at stdin EOF."""
    env = server_env(settings)
    if not cached:
        env.pop("PYTHONPYCACHEPREFIX", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "mcp_servers.promotion"], env=env, cwd=ROOT,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


async def kill_to_answer(
    settings: Settings, kills: int, *, compile_each_start: bool
) -> list[float]:
    seconds = []
    standby = bool(settings.mcp_standby_servers)
    others = set(child_pids("mcp_servers.promotion"))
    box = McpToolbox(settings, servers=("promotion",))
    if compile_each_start:  # the child's environment before this change: no bytecode cache
        env: dict[str, str] = box._client.connections["promotion"]["env"]  # type: ignore
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="sb-nocache-")
    async with box:
        await box.call("search_promotions", **QUERY)
        for _ in range(kills):
            if standby:
                await _until(lambda: "promotion" in box._spares)  # the spare is ready
            mine = set(child_pids("mcp_servers.promotion")) - others
            os.kill(min(mine, key=_started), signal.SIGKILL)  # the serving (older) child
            killed = time.monotonic()
            await asyncio.sleep(0.05)
            await box.call("search_promotions", **QUERY)
            seconds.append(time.monotonic() - killed)
    return seconds


async def _until(ready: Callable[[], bool]) -> None:
    for _ in range(1200):  # two minutes
        if ready():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the spare did not start")


def _started(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def _row(name: str, values: list[float]) -> str:
    return (f"{name:<8} median {statistics.median(values):5.2f} s  max {max(values):5.2f} s  "
            f"runs {' '.join(f'{v:.2f}' for v in values)}")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    backoffice = Path(tempfile.mkdtemp(prefix="sb-bench-")) / "backoffice.db"
    load(generate(20261121, date.today()), backoffice)
    settings = settings_for(backoffice)
    await build_search_index(settings)
    start_cpu_seconds(settings, cached=True)  # fill the cache once
    cached = statistics.median(start_cpu_seconds(settings, cached=True) for _ in range(3))
    compiled = statistics.median(start_cpu_seconds(settings, cached=False) for _ in range(3))
    print(f"one promotion server start: {compiled:.2f} CPU-s compiling, {cached:.2f} from cache")
    print(f"kill -9 -> next search_promotions answered ({os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}):")  # fmt: skip
    rows = [
        ("compile", await kill_to_answer(settings, args.kills, compile_each_start=True)),
        ("restart", await kill_to_answer(settings, args.kills, compile_each_start=False)),
        ("standby", await kill_to_answer(
            settings.model_copy(update={"mcp_standby_servers": ["promotion"]}), args.kills,
            compile_each_start=False)),
    ]  # fmt: skip
    for name, values in rows:
        print(_row(name, values))


if __name__ == "__main__":
    asyncio.run(main())
