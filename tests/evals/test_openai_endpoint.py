"""`--model openai:<url>` end to end over HTTP (a local OpenAI-compatible stub): the side chat
streams tool calls through ChatOpenAI, the answers suite runs its judge, and results are cached
under the model's label. Slow: MCP servers, Redis, two CLI runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.evals.helpers import private_dirs, run_cli
from tests.evals.openai_stub import serve

pytestmark = pytest.mark.slow


def suites(tmp_path: Path) -> dict[str, dict[str, Any]]:
    report = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    assert report["runs"][0]["model"].startswith("openai:http://127.0.0.1:")
    return {s["name"]: s for s in report["runs"][0]["suites"] if s["split"] == "dev"}


def test_a_real_provider_runs_the_judge_and_is_cached(tmp_path: Path) -> None:
    with serve() as url:
        args = ("run", "side_chat", "answers", "--model", f"openai:{url}", "--split", "dev")
        args += tuple(private_dirs(tmp_path))
        first = run_cli(*args)
        assert first.returncode == 0, first.stdout + first.stderr
        cold = suites(tmp_path)
        second = run_cli(*args)
        assert second.returncode == 0, second.stdout + second.stderr
        warm = suites(tmp_path)
    assert cold["side_chat"]["metrics"]["tool_choice"] == 1.0  # tool calls survived HTTP + SSE
    assert cold["answers"]["status"] == "ok"
    assert cold["answers"]["evaluated"] == len(cold["answers"]["cases"]) == 8
    assert 0 < cold["answers"]["metrics"]["judge_score"] <= 1
    assert all(s["evaluated"] == 0 for s in warm.values())
    assert warm["answers"]["metrics"] == cold["answers"]["metrics"]


def test_an_unreachable_endpoint_stops_the_suite_early(tmp_path: Path) -> None:
    args = ("run", "answers", "--model", "openai:http://127.0.0.1:9/v1", "--gate")
    result = run_cli(*args, *private_dirs(tmp_path), env={"LLM_MAX_RETRIES": "0"})
    assert result.returncode == 1
    answers = suites(tmp_path)["answers"]
    assert answers["status"] == "error"
    assert answers["reason"].startswith("the first 3 cases raised, stopped: ")
    assert len(answers["cases"]) == 3
