"""The whole offline run passes its gates; a prompt comparison renders both versions.

Slow: the renewal and side-chat suites start the three MCP servers, use Redis (keys under
`sbevals`, with a TTL) and drive real journeys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.runner.registry import SUITES, load_suite
from tests.evals.helpers import private_dirs, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One result cache for the module: the comparison below finds the side-chat cases of the
    newest prompt version (the one `run all` used) there, as a prompt engineer's second run
    would, and evaluates only the other version's (half of its minute)."""
    return tmp_path_factory.mktemp("evals-cache")


# Every suite, both splits, no cache: 48 s in CI; on a 2-core box without AVX-512 VNNI 91 s of
# CPU and 224 s of wall at load 5-8, over 240 s in a suite run at load 12.
@pytest.mark.timeout(900)
def test_run_all_offline_passes_the_gate(tmp_path: Path, cache_dir: Path) -> None:
    result = run_cli("run", "all", "--gate", *private_dirs(tmp_path, cache_dir), timeout=840)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gate passed" in result.stdout
    report = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    suites = {s["name"]: s for s in report["runs"][0]["suites"] if s["split"] == "dev"}
    assert list(suites) == list(SUITES)
    blind = [s["name"] for s in report["runs"][0]["suites"] if s["split"] == "blind"]
    present = [n for n in SUITES if "blind" in load_suite(n).present_splits()]
    assert blind == present  # every blind file present was scored, beside its dev split
    assert [s["suite"] for s in report["summary"]] == list(SUITES)
    assert suites["answers"]["status"] == "skipped"
    assert "offline" in suites["answers"]["reason"]
    assert all(s["status"] == "ok" for n, s in suites.items() if n != "answers")
    assert suites["renewal"]["metrics"]["trajectory_strict"] == 1.0
    html = (tmp_path / "reports" / "evals.html").read_text(encoding="utf-8")
    assert all(name in html for name in SUITES) and "<svg" in html


def test_compare_prompt_versions_side_by_side(tmp_path: Path, cache_dir: Path) -> None:
    result = run_cli(
        "run",
        "side_chat",
        "--compare",
        "free_chat_system=v1,v2",
        "--split",
        "dev",
        *private_dirs(tmp_path, cache_dir),
    )  # dev only: the comparison is what is tested here; the run above scores both splits
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    assert [r["label"] for r in report["runs"]] == ["free_chat_system=v1", "free_chat_system=v2"]
    assert [r["prompt_versions"] for r in report["runs"]] == [
        {"free_chat_system": "v1"},
        {"free_chat_system": "v2"},
    ]
    assert report["comparison"]["diff"].startswith("--- prompts/free_chat_system/v1.toml")
    html = (tmp_path / "reports" / "evals.html").read_text(encoding="utf-8")
    assert "Prompt versions: free_chat_system" in html and 'class="add"' in html
