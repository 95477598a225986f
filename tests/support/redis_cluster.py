"""A real Redis Cluster on loopback for tests: 3 masters + 3 replicas of the machine's redis-server
(other shapes via `LocalRedisCluster(directory, masters_count, replicas)`).

Session-scoped and shared: the checkpoint suite runs on it, and later tests (API instances on the
cluster, failover by killing a master) reuse `LocalRedisCluster.kill` / `.wait_ok`. Nothing is
kept on disk (`--save "" --appendonly no`); node configs live in a temp dir removed on exit.
A short `cluster-node-timeout` makes a replica take over a killed master within ~2-3 s.

Use it from a conftest with `from tests.support.redis_cluster import redis_cluster  # noqa: F401`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

MASTERS = 3
REPLICAS = 1  # per master
NODE_TIMEOUT_MS = 1500


def _free_ports(count: int) -> list[int]:
    """Ports the OS reports free right now (all held at once, so they are distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class LocalRedisCluster:
    """Six redis-server processes joined by `redis-cli --cluster create`."""

    directory: Path
    masters_count: int = MASTERS
    replicas: int = REPLICAS
    ports: list[int] = field(default_factory=list)
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    started_in_seconds: float = 0.0

    @property
    def nodes(self) -> int:
        return self.masters_count * (1 + self.replicas)

    @property
    def url(self) -> str:
        """A startup node; cluster clients discover the others from it."""
        return f"redis://127.0.0.1:{self.alive_ports()[0]}/0"

    def alive_ports(self) -> list[int]:
        return [p for p in self.ports if self.processes[p].poll() is None]

    def start(self) -> None:
        started = time.monotonic()
        ports = _free_ports(2 * self.nodes)
        self.ports, bus_ports = ports[: self.nodes], ports[self.nodes :]
        for port, bus in zip(self.ports, bus_ports, strict=True):
            options = {
                "bind": "127.0.0.1",
                "port": port,
                "cluster-enabled": "yes",
                "cluster-port": bus,
                "cluster-config-file": self.directory / f"nodes-{port}.conf",
                "cluster-node-timeout": NODE_TIMEOUT_MS,
                "dir": self.directory,
                "save": "",
                "appendonly": "no",
                "repl-diskless-sync-delay": 0,  # replicas sync at once, not after 5 s
                "logfile": self.directory / f"{port}.log",
            }
            argv = ["redis-server", *(x for k, v in options.items() for x in (f"--{k}", str(v)))]
            self.processes[port] = subprocess.Popen(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        for port in self.ports:
            self._wait(lambda p=port: self._client(p).ping(), f"node {port} to answer")
        create = ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports)]
        created = subprocess.run(
            [*create, "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout}")
        self.wait_ok()
        # `--cluster create` returns before every node has learnt which nodes are replicas, and
        # a master without a synced replica cannot fail over: wait for both.
        self._wait(self._replicas_ready, "every replica to be known and in sync", 30.0)
        self.started_in_seconds = time.monotonic() - started

    def _replicas_ready(self) -> bool:
        expected = self.masters_count * self.replicas
        for port in self.ports:
            raw = str(self._client(port).execute_command("CLUSTER", "NODES"))
            flags = [line.split()[2].split(",") for line in raw.splitlines() if line.strip()]
            if sum("slave" in f for f in flags) != expected:
                return False
            info = self._client(port).info("replication")
            if info["role"] == "slave" and info.get("master_link_status") != "up":
                return False
        return True

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live node says cluster_state:ok, all slots covered, every node known."""

        def ok() -> bool:
            alive = self.alive_ports()
            for port in alive:
                raw = self._client(port).execute_command("CLUSTER", "INFO")
                info = dict(line.split(":", 1) for line in raw.split() if ":" in line)
                if (
                    info.get("cluster_state") != "ok"
                    or int(info.get("cluster_slots_ok", 0)) != 16384
                    or int(info.get("cluster_known_nodes", 0)) < self.nodes
                ):
                    return False
            return True

        self._wait(ok, "the cluster to be ok", timeout)

    def masters(self) -> list[int]:
        """Ports of the live masters, as the first live node sees them."""
        raw = self._client(self.alive_ports()[0]).execute_command("CLUSTER", "NODES")
        lines = [line.split() for line in str(raw).splitlines() if line.strip()]
        return sorted(
            int(parts[1].split("@")[0].rsplit(":", 1)[1])
            for parts in lines
            if "master" in parts[2].split(",") and "fail" not in parts[2]
        )

    def kill(self, port: int) -> None:
        """SIGKILL one node (a crash, not a shutdown): for failover tests."""
        self.processes[port].kill()
        self.processes[port].wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    @staticmethod
    def _client(port: int) -> Redis:
        return Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=2)

    @staticmethod
    def _wait(check: object, what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            try:
                if check():  # type: ignore[operator]
                    return
            except (RedisError, OSError) as error:
                last = error
            time.sleep(0.05)
        raise TimeoutError(f"timed out waiting for {what} (last error: {last})")


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[LocalRedisCluster]:
    """A fresh 3-master/3-replica cluster for the whole test session."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.fail("redis-server and redis-cli are needed for the Redis Cluster tests")
    directory = Path(tempfile.mkdtemp(prefix="sbtest-cluster-"))
    cluster = LocalRedisCluster(directory)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
