"""`--gate` turns thresholds into an exit status, and says which score failed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evals.runner import cli
from evals.runner.gate import DEFAULT_GATES, GateConfigError, check, load_gates
from evals.runner.registry import SUITES
from evals.runner.results import Report, RunResult, SuiteResult
from evals.suites.escalation import EscalationSuite
from tests.evals.helpers import private_dirs


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
    assert all(set(splits) <= {"dev", "blind"} for splits in gates.values())
    assert gates["escalation"]["dev"] == {"precision": 0.91, "recall": 0.92, "f1": 0.92}


def test_a_blind_sub_table_gates_the_blind_split(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text("[escalation]\nf1 = 0.95\n[escalation.blind]\nf1 = 0.8\n", "utf-8")
    assert load_gates(path) == {"escalation": {"dev": {"f1": 0.95}, "blind": {"f1": 0.8}}}


def test_below_threshold_missing_metric_and_errors_fail_skips_do_not() -> None:
    report = report_of(
        suite("retrieval", **{"hybrid.mrr": 0.9}),
        suite("eligibility", accuracy=1.0),
        suite("renewal", "error"),
        suite("answers", "skipped"),
    )
    gates = {
        "retrieval": {"dev": {"hybrid.mrr": 0.95}},
        "eligibility": {"dev": {"accuracy": 1.0, "reason_exact": 1.0}},
        "answers": {"dev": {"judge_score": 0.7}},
    }
    failures = {(f.suite, f.metric): f.message for f in check(report, gates)}
    assert failures == {
        ("retrieval", "hybrid.mrr"): "0.900 < 0.950",
        ("eligibility", "reason_exact"): "metric 'reason_exact' was not reported",
        ("renewal", "*"): "suite errored: why",
    }


def test_each_split_meets_its_own_gates_and_an_absent_split_is_not_gated() -> None:
    dev = suite("escalation", f1=0.97)
    blind = suite("escalation", f1=0.78).model_copy(update={"split": "blind"})
    gates = {
        "escalation": {"dev": {"f1": 0.95}, "blind": {"f1": 0.8}},
        "retrieval": {"blind": {"hybrid.mrr": 0.9}},  # retrieval's blind split did not run
    }
    report = report_of(dev, blind, suite("retrieval", **{"hybrid.mrr": 0.5}))
    failures = [(f.suite, f.split, f.metric, f.message) for f in check(report, gates)]
    assert failures == [("escalation", "blind", "f1", "0.780 < 0.800")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[x]\na = 1.5\n", "not in [0, 1]"),
        ("[x]\na = 'high'\n", "must be a number"),
        ("a = 1\n", "must be a table"),
        ("[x\n", "gates.toml"),
        ("[x.blnd]\na = 0.5\n", "[x.blnd]: unknown split 'blnd'"),
        ("[x.blind]\na = 2\n", "x.blind.a = 2 is not in [0, 1]"),
    ],
)
def test_bad_gate_files_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GateConfigError, match=re.escape(fragment)):
        load_gates(path)


TURNS = [  # the second label is wrong on purpose: a plain request for a person, marked "no"
    {"id": "t1", "text": "我要找真人客服", "language": "zh-TW", "expected_escalate": True,
     "expected_reason": "user_request"},
    {"id": "t2", "text": "轉人工", "language": "zh-TW", "expected_escalate": False,
     "expected_reason": None},
    {"id": "t3", "text": "這個月帳單多少？", "language": "zh-TW", "expected_escalate": False,
     "expected_reason": None},
]  # fmt: skip


def test_a_threshold_above_the_score_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "turns.jsonl"
    dataset.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TURNS), "utf-8")
    monkeypatch.setattr(EscalationSuite, "dataset", dataset)
    monkeypatch.setattr(EscalationSuite, "extra_splits", {})
    monkeypatch.setattr(cli, "configure_logging", lambda settings: None)  # keep pytest's logging
    gates = tmp_path / "gates.toml"
    gates.write_text("[escalation]\nprecision = 0.999\nf1 = 0.5\n", encoding="utf-8")
    args = ["run", "escalation", "--gate", "--gates", str(gates), "--no-progress"]
    args += private_dirs(tmp_path)
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert "GATE FAILED (1)" in out
    assert re.search(r"escalation\.precision: 0\.\d{3} < 0\.999", out)
    saved = json.loads((tmp_path / "reports" / "evals.json").read_text(encoding="utf-8"))
    assert [f["metric"] for f in saved["gate_failures"]] == ["precision"]

    gates.write_text("[escalation]\nprecision = 0.4\n", encoding="utf-8")
    assert cli.main(args) == 0
    assert "gate passed" in capsys.readouterr().out
