"""Read the deployment files the way their runners do: systemd units, compose.yaml, Containerfile.

The tests compare and execute what these return, so a command changed in one file and not the
others, or one that no longer starts, fails a test instead of a deployment.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

from core.settings import ROOT

DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
COMPOSE = DEPLOY / "compose.yaml"
CONTAINERFILE = DEPLOY / "Containerfile"
ENV_EXAMPLE = UNITS / "switchboard.env.example"
NGINX_TEMPLATE = DEPLOY / "nginx" / "switchboard.conf"
UNIT_PYTHON = "/opt/switchboard/.venv/bin/python"
# read by something else than core.settings: uvicorn, FastMCP, the Python interpreter
NOT_SETTINGS = {
    "FORWARDED_ALLOW_IPS", "FASTMCP_LOG_LEVEL", "PYTHONPYCACHEPREFIX", "PYTHONUNBUFFERED",
}  # fmt: skip
# unit -> compose service that runs the same command
SAME_COMMAND = {
    "switchboard-migrate.service": "migrate",
    "switchboard-bootstrap.service": "bootstrap",
    "mcp-crm.service": "mcp-crm",
    "mcp-pos.service": "mcp-pos",
    "mcp-promotion.service": "mcp-promotion",
    "api@.service": "api1",
}


def unit(name: str) -> dict[str, list[str]]:
    """`Key=value` lines of a unit file (every section), a key's values in order."""
    found: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def unit_environment(name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in unit(name).get("Environment", []):
        for pair in shlex.split(item):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def exec_start(name: str, instance: str = "") -> list[str]:
    """The unit's command as argv, `%i` filled in (systemd's specifier for template units)."""
    (line,) = unit(name)["ExecStart"]
    return shlex.split(line.replace("%i", instance))


def runnable(argv: list[str]) -> list[str]:
    """A unit's argv with this checkout's interpreter in place of /opt/switchboard's."""
    assert argv[0] == UNIT_PYTHON, argv
    return [sys.executable, *argv[1:]]


def env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def without_address(argv: list[str]) -> list[str]:
    """argv without the interpreter and the --host/--port values (those differ by design:
    loopback on bare metal, the container network under compose)."""
    out, skip = [], False
    for arg in argv[1:]:
        if skip:
            skip = False
            continue
        if arg in ("--host", "--port"):
            out.append(arg)
            skip = True
            continue
        out.append(arg)
    return out


def template_placeholders(text: str) -> set[str]:
    """The `${NAME}` placeholders of the nginx template (upper-case: nginx's own are lower)."""
    return set(re.findall(r"\$\{([A-Z_]+)\}", text))
