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


def suites(tmp_path: Path, model: str = "openai:http://127.0.0.1:") -> dict[str, dict[str, Any]]:
    report = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    assert report["runs"][0]["model"].startswith(model)
    return {s["name"]: s for s in report["runs"][0]["suites"] if s["split"] == "dev"}


def passed(suite: dict[str, Any]) -> set[str]:
    """The ids of the cases whose tool choice was right."""
    return {c["id"] for c in suite["cases"] if c["scores"].get("tool_choice") == 1.0}


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
    # tool calls survived HTTP + SSE: the stub answers as the offline model, so case by case the
    # same tools are chosen as by the offline model in process
    offline_dir = tmp_path / "offline"
    offline = run_cli("run", "side_chat", "--split", "dev", *private_dirs(offline_dir))
    assert offline.returncode == 0, offline.stdout + offline.stderr
    in_process = suites(offline_dir, model="offline")["side_chat"]
    assert passed(cold["side_chat"]) == passed(in_process)
    assert len(passed(in_process)) >= 0.9 * len(in_process["cases"])
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
