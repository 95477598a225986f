"""`make run` from a fresh clone to a `/health` that answers, then a second `make run` in it.

Run: .venv/bin/python -m tests.benchmarks.bench_startup [--overlay] [--keep]

Clones this repository (committed files only) into a temp directory; `--overlay` copies the
working tree's changed and new files into the clone, to measure uncommitted work. Each run gets
a free APP_PORT and a private REDIS_KEY_PREFIX (its keys are deleted afterwards); the server is
stopped once `/health` answers. Prints, per run, the wall time of each command `make run` runs
(setup, preflight, bootstrap, api) and the phases the progress lines report, with the load
average, since this is a shared machine and start-up is CPU-bound.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# make echoes each command it runs; the progress lines end with "... in 1.2 s"
COMMAND = re.compile(r"^\S*python\S* -m (core\.preflight|core\.bootstrap|api)\b")
PHASE_DONE = re.compile(r"^\[(\w+) (\d+)/(\d+)\] ([^:]+): (.*?)\bin (\d+(?:\.\d+)?) s\b")
NAMES = {"core.preflight": "preflight", "core.bootstrap": "bootstrap", "api": "api"}


@dataclass
class Run:
    label: str
    total: float = 0.0
    load: str = ""
    commands: dict[str, float] = field(default_factory=dict)  # name -> start offset
    phases: list[tuple[str, str, float]] = field(default_factory=list)  # (cmd, phase, seconds)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def command_walls(self) -> list[tuple[str, float]]:
        marks = [("setup", 0.0), *self.commands.items(), ("end", self.total)]
        return [(name, marks[i + 1][1] - start) for i, (name, start) in enumerate(marks[:-1])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def clone(target: Path, overlay: bool) -> None:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    if not overlay:
        return
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in status.splitlines():
        path = line[3:].split(" -> ")[-1]
        source = ROOT / path
        if source.is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / path)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def make_run(repo: Path, label: str, prefix: str, timeout: float) -> Run:
    port = free_port()
    env = {**os.environ, "APP_PORT": str(port), "REDIS_KEY_PREFIX": prefix}
    run = Run(label, load=load_average())
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the whole tree (make, python, MCP children) is one group
    )

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            at = time.perf_counter() - started
            for line in raw.rstrip("\n").split("\r"):  # a tty-less bar still ends each update
                run.lines.append((at, line))
                command = COMMAND.match(line)
                if command:
                    run.commands[NAMES[command.group(1)]] = at
                done = PHASE_DONE.match(line)
                if done:
                    run.phases.append((done.group(1), done.group(4), float(done.group(6))))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while not healthy(port):
            if proc.poll() is not None:
                tail = "\n".join(line for _, line in run.lines[-30:])
                raise SystemExit(f"make run exited with {proc.returncode}:\n{tail}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"no /health after {timeout:.0f} s")
            time.sleep(0.1)
        run.total = time.perf_counter() - started
        run.load += f" -> {load_average()}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=5)
    return run


def drop_keys(prefix: str) -> None:
    from redis import Redis

    client = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


def report(runs: list[Run]) -> None:
    print(f"\n{'':<28}" + "".join(f"{r.label:>12}" for r in runs))
    names = [name for name, _ in runs[0].command_walls()]
    for name in names:
        cells = "".join(f"{dict(r.command_walls()).get(name, 0.0):>11.1f}s" for r in runs)
        print(f"{'command ' + name:<28}{cells}")
    labels = list(dict.fromkeys(f"{cmd}: {phase}" for r in runs for cmd, phase, _ in r.phases))
    for label in labels:
        cells = ""
        for r in runs:
            found = [s for cmd, phase, s in r.phases if f"{cmd}: {phase}" == label]
            cells += f"{found[0]:>11.1f}s" if found else f"{'-':>12}"
        print(f"{'  ' + label:<28}{cells}")
    print(f"{'to /health':<28}" + "".join(f"{r.total:>11.1f}s" for r in runs))
    for r in runs:
        print(f"load average (1/5/15 min) {r.label}: {r.load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--overlay", action="store_true", help="copy uncommitted changes in")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--runs", type=int, default=2, help="fresh run, then N-1 more")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--log", action="store_true", help="print each run's output")
    args = parser.parse_args()
    repo = Path(tempfile.mkdtemp(prefix="fresh-startup-"))
    prefix = f"sbbench-startup-{uuid.uuid4().hex[:8]}"
    runs: list[Run] = []
    try:
        clone(repo, args.overlay)
        for i in range(args.runs):
            run = make_run(repo, "fresh" if i == 0 else f"run {i + 1}", prefix, args.timeout)
            runs.append(run)
            if args.log:
                for at, line in run.lines:
                    print(f"{at:7.2f}  {line[:160]}")
            print(f"{run.label}: /health after {run.total:.1f} s (load {run.load})", flush=True)
    finally:
        drop_keys(prefix)
        if args.keep:
            print(f"clone kept at {repo}")
        else:
            shutil.rmtree(repo, ignore_errors=True)
    report(runs)


if __name__ == "__main__":
    main()
