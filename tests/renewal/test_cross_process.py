"""The README journey, verbatim: each command of "A renewal, step by step" is run by bash against
the real API (one new CLI process per step, state in Redis); stdout must be what jq can read and
what the README shows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.settings import ROOT
from tests.api_http import ApiServer

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_backoffice")]

SECTION = "## A renewal, step by step"


@dataclass
class Command:
    line: str  # verbatim, without the "$ " prompt
    shown: list[str] = field(default_factory=list)  # the output the README shows under it

    @property
    def expected_step(self) -> str | None:
        match = re.search(r"#\s*->\s*(\w+)\s*$", self.line)
        return match.group(1) if match else None


def readme_commands() -> list[Command]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    block = section[section.index("```console\n") + len("```console\n") :]
    block = block[: block.index("```")]
    commands: list[Command] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append(Command(line[2:]))
        elif line.strip():
            commands[-1].shown.append(line)
    return commands


def run_verbatim(commands: list[Command], env: dict[str, str], out: Path) -> list[str]:
    """One bash for the whole block (R and S carry over); each line's stdout to its own file."""
    script = ["set -eo pipefail"]
    for i, command in enumerate(commands):
        script.append(f"{{ {command.line}\n}} > {out}/{i}.out")
    done = subprocess.run(["bash", "-c", "\n".join(script)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return [(out / f"{i}.out").read_text() for i in range(len(commands))]


def test_the_readme_renewal_runs_verbatim_one_process_per_step(
    api_server: ApiServer, tmp_path: Path
) -> None:
    assert shutil.which("jq"), "the README's journey uses jq"
    commands = readme_commands()
    assert commands[0].line.startswith('R=".venv/bin/python -m graphs.renewal"')
    env = {**api_server.env, "LOG_LEVEL": "INFO"}
    outputs = run_verbatim(commands, env, tmp_path)
    checked = 0
    for command, stdout in zip(commands, outputs, strict=True):
        if command.shown:  # the README's output, line for line
            assert stdout.splitlines() == command.shown, (command.line, stdout)
            checked += 1
        if command.expected_step:  # one JSON document on stdout, nothing else
            view = json.loads(stdout)
            assert view["current_step"] == command.expected_step, command.line
            assert view["session_id"].startswith("renewal_")
            checked += 1
    assert checked >= 10
    assert json.loads(outputs[-1])["outcome"] == "completed"


def test_a_refused_answer_prints_the_envelope_and_logs_masked_on_stderr(
    api_server: ApiServer,
) -> None:
    cli = [str(ROOT / ".venv/bin/python"), "-m", "graphs.renewal"]
    env = {**api_server.env, "LOG_LEVEL": "INFO"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    started = run("start")
    assert started.returncode == 0, started.stderr
    sid = json.loads(started.stdout)["session_id"]
    wrong = run("answer", sid, "select_phone", '{"phone_number": "0912345678"}')
    assert wrong.returncode == 1
    envelope = json.loads(wrong.stdout)  # one JSON document: the API's envelope
    assert (envelope["success"], envelope["code"]) == (False, "WRONG_STEP")
    assert envelope["error"]
    answered = run("answer", sid, "query_customer", '{"id_number": "A123456789"}')
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["current_step"] == "select_phone"
    assert "A123456789" not in answered.stdout + answered.stderr  # masked in view and logs
    log_lines = [json.loads(line) for line in answered.stderr.splitlines()]  # LOG_JSON=true
    assert [line["path"] for line in log_lines if line.get("event") == "renewal_cli_call"] == [
        "/api/auth/login", "/api/renewal-workflow/step/query-customer"
    ]  # fmt: skip
