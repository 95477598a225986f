"""The container and systemd files agree with each other and with the code they start.

No image can be built or run on this machine (no registry to pull base images from; podman
cannot start containers here: docs/deploy.md), so what can be checked without one is checked
here, and tests/deploy/test_bare_metal.py runs the commands themselves.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis

from core.settings import ROOT, Settings
from tests.deploy.deploy_files import (
    COMPOSE,
    CONTAINERFILE,
    ENV_EXAMPLE,
    NGINX_TEMPLATE,
    NOT_SETTINGS,
    SAME_COMMAND,
    UNIT_PYTHON,
    UNITS,
    compose,
    env_file,
    exec_start,
    template_placeholders,
    unit,
    without_address,
)
from tests.deploy.proxy_support import PLACEHOLDERS, render
from tests.mcp_http import free_port

SETTINGS = {name.upper() for name in Settings.model_fields}


def _module(argv: list[str]) -> str:
    return argv[argv.index("-m") + 1]


def test_units_and_compose_run_the_same_commands() -> None:
    services = compose()["services"]
    for unit_name, service in SAME_COMMAND.items():
        argv = exec_start(unit_name, "8001")
        assert without_address(argv) == without_address(services[service]["command"]), unit_name
    assert services["api2"]["command"] == services["api1"]["command"]
    cmd = re.search(r"^CMD (\[.*\])$", CONTAINERFILE.read_text(), re.M)
    assert cmd is not None and json.loads(cmd.group(1)) == services["api1"]["command"]


def test_every_command_starts_a_module_of_this_repository() -> None:
    units = sorted(p.name for p in UNITS.glob("*.service"))
    assert set(units) == set(SAME_COMMAND)  # nothing started only on one side
    for name in units:
        module = _module(exec_start(name, "8001"))
        assert importlib.util.find_spec(module) is not None, f"{name}: no module {module}"
        for key in ("Requires", "Wants", "After"):
            for needed in " ".join(unit(name).get(key, [])).split():
                if needed.startswith(("switchboard", "mcp-", "api@")):
                    assert (UNITS / needed).exists() or needed == "switchboard.target", needed


def test_every_variable_the_files_set_is_read_by_the_service() -> None:
    """A misspelt name would be ignored silently (extra="ignore"): each must be a setting."""
    names = set(env_file())
    services = compose()["services"]
    for service in services.values():
        if service.get("image", "").startswith("localhost/switchboard"):
            names |= set(service.get("environment", {}))
    for name in ("api@.service", "switchboard-migrate.service"):
        names |= {v.split("=")[0] for v in unit(name).get("Environment", [])}
    runtime = CONTAINERFILE.read_text().split("AS runtime", 1)[1]
    names |= set(re.findall(r"^(?:ENV)?\s+([A-Z][A-Z0-9_]*)=", runtime, re.M)) - {"PATH"}
    unknown = names - SETTINGS - NOT_SETTINGS
    assert not unknown, f"not a setting of core/settings.py: {sorted(unknown)}"
    for service in services.values():
        if "env_file" in service:
            assert service["env_file"] == "switchboard.env"  # the copy of ENV_EXAMPLE


def test_the_example_environment_is_a_valid_production_configuration() -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    assert settings.app_env == "production" and settings.log_json
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert all(
        (settings.mcp_crm_url, settings.mcp_pos_url, settings.mcp_promotion_url)
    )  # shared HTTP servers, not a stdio child per API process


def test_the_image_copies_what_the_app_imports() -> None:
    text = CONTAINERFILE.read_text()
    copied = {m.group(1) for m in re.finditer(r"^COPY (?!--from)(\S+)", text, re.M)}
    for path in copied:
        assert (ROOT / path).exists(), path
    for package in ("core", "graphs", "tools", "mcp_servers", "api", "prompts", "evals"):
        assert package in copied  # pyproject's wheel packages
    ignored = (ROOT / ".containerignore").read_text().split()
    assert not set(ignored) & copied


def containerfile_stages() -> dict[str, str]:
    """Each named stage's instructions (comments left out), from its FROM line to the next."""
    text = re.sub(r"^\s*#.*\n", "", CONTAINERFILE.read_text(), flags=re.M)
    parts = re.split(r"^FROM \S+ AS (\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


#: Shared libraries a slim Debian image has without installing anything.
BASE_LIBRARIES = ("linux-vdso", "ld-linux", "libc.so", "libm.so", "libmvec.so", "libpthread.so")
#: Debian package for each library our built engine may link.
LIBRARY_PACKAGE = {"libgomp.so.1": "libgomp1"}


def test_the_image_builds_the_engine_as_setup_does_and_carries_what_it_links() -> None:
    """The image runs `make setup`'s engine build in a stage with a compiler, copies the result
    into the runtime stage, and installs there every library the engine built on this machine
    links beyond the C library (else the library would not load and search would silently run
    the slower bundled engine)."""
    from core.e5_engine import engine_path

    stages = containerfile_stages()
    build = "python -m core.e5_engine.build"
    assert (
        build in stages["engine"]
        and build.replace("python", "$(PY)") in (ROOT / "Makefile").read_text()
    )
    assert "gcc" in stages["engine"] and "gcc" not in stages["runtime"]
    assert "COPY --from=engine /opt/switchboard/var/engine var/engine" in stages["runtime"]
    library = engine_path()
    if library is None:
        pytest.skip("no engine built on this machine (its CPU lacks the flags, or no gcc)")
    linked = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True)
    names = [Path(line.split()[0]).name for line in linked.stdout.splitlines() if line.strip()]
    extra = [n for n in names if not n.startswith(BASE_LIBRARIES)]
    assert extra, "the engine links OpenMP: expected at least libgomp"
    for name in extra:
        assert LIBRARY_PACKAGE.get(name, f"<no package known for {name}>") in stages["runtime"]


def test_the_proxy_in_compose_fills_every_placeholder_of_the_nginx_template() -> None:
    proxy = compose()["services"]["proxy"]
    placeholders = template_placeholders(NGINX_TEMPLATE.read_text())
    env = proxy["environment"]
    assert placeholders == set(env) - {"NGINX_ENVSUBST_FILTER"}
    allowed = re.fullmatch(r"\^\((.*)\)\$\$", env["NGINX_ENVSUBST_FILTER"])
    assert allowed is not None and set(allowed.group(1).split("|")) == placeholders
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    assert (COMPOSE.parent / mounted[0]).resolve() == NGINX_TEMPLATE
    servers = env["API_SERVERS"].split(";")
    api = ["python", "-m", "api"]
    apis = [n for n, s in compose()["services"].items() if s.get("command") == api]
    assert [s.split()[1] for s in servers if s.strip()] == [f"{n}:8000" for n in apis]
    assert len(apis) >= 2


def test_redis_as_compose_starts_it_keeps_data_and_never_evicts(tmp_path: Path) -> None:
    """The compose command, run with the machine's redis-server: AOF on, noeviction, and a
    key written before a restart is there after it."""
    command = compose()["services"]["redis"]["command"]
    port = free_port()
    argv = [*command, "--port", str(port), "--dir", str(tmp_path), "--save", ""]

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis(port=port).ping()
                return process
            except Exception:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)

    process = start()
    try:
        client = Redis(port=port, decode_responses=True)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        client.set("sb:checkpoint", "kept")
        time.sleep(1.1)  # appendfsync everysec
        process.kill()  # no SHUTDOWN SAVE: only the AOF can bring the key back
        process.wait(5)
        process = start()
        assert Redis(port=port, decode_responses=True).get("sb:checkpoint") == "kept"
    finally:
        process.kill()
        process.wait(5)


def test_the_documented_envsubst_command_renders_what_the_proxy_test_runs(tmp_path: Path) -> None:
    """docs/deploy.md's `envsubst '...'` keeps nginx's own variables and fills every placeholder,
    exactly as tests/deploy/proxy_support.render (which test_proxy.py runs nginx with) does."""
    listed = re.search(r"envsubst '([^']+)'", (ROOT / "docs" / "deploy.md").read_text())
    assert listed is not None
    values = {name: f"value-of-{name.lower()}" for name in PLACEHOLDERS}
    env = {"PATH": "/usr/bin:/bin", "host": "not-nginx's-$host", **values}
    done = subprocess.run(
        ["envsubst", listed.group(1)],
        input=NGINX_TEMPLATE.read_text(),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == render(NGINX_TEMPLATE.read_text(), values)
    assert "${" not in done.stdout and "$request_uri" in done.stdout and "$host;" in done.stdout


def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` on copies that start this checkout's interpreter: an unknown
    key, a bad value or a missing dependency is reported (systemd would only log it)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze on this machine")
    for source in [*UNITS.glob("*.service"), *UNITS.glob("*.target")]:
        text = source.read_text().replace(UNIT_PYTHON, sys.executable)
        (tmp_path / source.name.replace("@.", "@8001.")).write_text(text)
    (tmp_path / "api@.service").write_text((tmp_path / "api@8001.service").read_text())
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "api@.service")
    done = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"SYSTEMD_LOG_LEVEL": "notice", "PATH": "/usr/bin:/bin"},
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
