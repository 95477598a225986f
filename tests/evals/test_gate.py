"""`--gate` turns thresholds into an exit status, and says which score failed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evals.runner.gate import DEFAULT_GATES, GateConfigError, check, load_gates
from evals.runner.registry import SUITES
from evals.runner.results import Report, RunResult, SuiteResult
from tests.evals.helpers import private_dirs, run_cli


def report_of(*suites: SuiteResult) -> Report:
    run = RunResult(label="default", model="offline", prompt_versions={}, suites=list(suites))
    return Report(started_at="now", seconds=0, today="2026-01-01", runs=[run])


def suite(name: str, status: str = "ok", **metrics: float) -> SuiteResult:
    return SuiteResult(
        name=name,
        title=name,
        status=status,
        metrics=metrics,  # type: ignore[arg-type]
        reason=None if status == "ok" else "why",
    )


def test_shipped_gates_name_known_suites() -> None:
    gates = load_gates(DEFAULT_GATES)
    assert set(gates) <= set(SUITES)
    assert all(0 <= t <= 1 for table in gates.values() for t in table.values())


def test_below_threshold_missing_metric_and_errors_fail_skips_do_not() -> None:
    report = report_of(
        suite("retrieval", **{"hybrid.mrr": 0.9}),
        suite("eligibility", accuracy=1.0),
        suite("renewal", "error"),
        suite("answers", "skipped"),
    )
    gates = {
        "retrieval": {"hybrid.mrr": 0.95},
        "eligibility": {"accuracy": 1.0, "reason_exact": 1.0},
        "answers": {"judge_score": 0.7},
    }
    failures = {(f.suite, f.metric): f.message for f in check(report, gates)}
    assert failures == {
        ("retrieval", "hybrid.mrr"): "0.900 < 0.950",
        ("eligibility", "reason_exact"): "metric 'reason_exact' was not reported",
        ("renewal", "*"): "suite errored: why",
    }


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[x]\na = 1.5\n", "not in [0, 1]"),
        ("[x]\na = 'high'\n", "must be a number"),
        ("a = 1\n", "must be a table"),
        ("[x\n", "gates.toml"),
    ],
)
def test_bad_gate_files_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GateConfigError, match=re.escape(fragment)):
        load_gates(path)


@pytest.mark.slow  # two CLI subprocesses
def test_a_threshold_above_the_score_exits_non_zero(tmp_path: Path) -> None:
    gates = tmp_path / "gates.toml"
    gates.write_text("[escalation]\nprecision = 0.999\nf1 = 0.5\n", encoding="utf-8")
    result = run_cli("run", "escalation", "--gate", "--gates", str(gates), *private_dirs(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "GATE FAILED (1)" in result.stdout
    assert re.search(r"escalation\.precision: 0\.\d{3} < 0\.999", result.stdout)
    saved = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    assert [f["metric"] for f in saved["gate_failures"]] == ["precision"]

    gates.write_text("[escalation]\nprecision = 0.9\n", encoding="utf-8")
    again = run_cli("run", "escalation", "--gate", "--gates", str(gates), *private_dirs(tmp_path))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "gate passed" in again.stdout
