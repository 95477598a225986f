"""CPU seconds spent by a server's process tree, read from /proc (Linux), for the benchmarks'
"CPU per request" line: wall-clock latency on a shared 2-core box mixes in the load generator,
CPU per request does not."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user+system CPU seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _processes() -> dict[int, tuple[int, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def process_ns(pid: int) -> int:
    """CPU nanoseconds run by every thread of `pid` (schedstat): /proc/<pid>/stat counts
    10 ms ticks, too coarse for an idle process's ~1 ms a second."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # a thread that just ended
            continue
    return total


def cpu_by_role(root: int, redis: int | Collection[int] | None = None) -> Counter[str]:
    """CPU seconds of `root` and its descendants ("server" / "mcp servers"), plus "redis":
    the process(es) `redis` if given (a benchmark's own server or cluster nodes; empty: none),
    else every `redis-server`."""
    own = {redis} if isinstance(redis, int) else set(redis or ())
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    spent: Counter[str] = Counter()
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            role = "mcp servers" if "mcp_servers" in _cmdline(pid) else "server"
            spent[role] += processes[pid][1]  # type: ignore[assignment]  # seconds: float
        todo.extend(children.get(pid, []))
    for pid, (_, seconds) in processes.items():
        if pid in own or (redis is None and _cmdline(pid).startswith("redis-server")):
            spent["redis"] += seconds  # type: ignore[assignment]
    return spent


def cpu_per_click(
    before: Mapping[str, float], after: Mapping[str, float], clicks: int
) -> dict[str, float]:
    """Milliseconds of CPU per click for each role between two `cpu_by_role` readings.

    With the machine's shared Redis, other clients' commands in the window count too."""
    return {role: (after[role] - before.get(role, 0.0)) * 1000 / max(1, clicks) for role in after}
