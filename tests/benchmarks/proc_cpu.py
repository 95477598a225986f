"""CPU seconds spent by a server's process tree, read from /proc (Linux), for the benchmarks'
"CPU per request" line: wall-clock latency on a shared 2-core box mixes in the load generator,
CPU per request does not."""

from __future__ import annotations

import os
from collections import Counter
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


def cpu_by_role(root: int) -> Counter[str]:
    """CPU seconds of `root` and its descendants ("server" / "mcp servers"), plus "redis"."""
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
            spent[role] += processes[pid][1]
        todo.extend(children.get(pid, []))
    for pid, (_, seconds) in processes.items():
        if _cmdline(pid).startswith("redis-server"):
            spent["redis"] += seconds
    return spent
