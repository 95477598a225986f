"""Check that the machine's services are reachable before running or testing.

`python -m core.preflight redis postgres` prints one line per missing service, saying how to
provide it, and exits 1; it is what `make run` and `make test` call first.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from urllib.parse import urlsplit

from core.settings import get_settings

TEST_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

HOW_TO = {
    "redis": (
        "start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' "
        "--appendonly no, or point REDIS_URL at a reachable Redis >= 7"
    ),
    "postgres": (
        "the test suite needs PostgreSQL on 127.0.0.1:5432 with database 'test' "
        "(start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main "
        "start), "
        "or set TEST_POSTGRES_URL"
    ),
}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def check(services: list[str]) -> list[str]:
    """Return one message per unreachable service."""
    urls = {
        "redis": (get_settings().redis_url, 6379),
        "postgres": (os.environ.get("TEST_POSTGRES_URL", TEST_POSTGRES_URL), 5432),
    }
    problems = []
    for name in services:
        url, port = urls[name]
        if not _reachable(url, port):
            parts = urlsplit(url)
            where = f"{parts.hostname or '127.0.0.1'}:{parts.port or port}"
            problems.append(f"{name} is not reachable at {where}: {HOW_TO[name]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("services", nargs="+", choices=sorted(HOW_TO))
    problems = check(parser.parse_args().services)
    for line in problems:
        print(f"preflight: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
