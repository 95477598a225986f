"""Thresholds from `evals/gates.toml`: what makes `--gate` exit non-zero.

A suite's table holds its dev gates (`[escalation] f1 = 0.95`); a sub-table holds the gates of
another split (`[escalation.blind] f1 = 0.80`). Each split is gated on its own figures, only
when it ran (a blind file not written yet, or `--split dev`, gates nothing). A score below its
threshold fails, so does a gated metric a split did not report (a renamed metric must not
silently disable its gate) and a suite that errored. A skipped suite (answers with the offline
model) is not gated: it says why it did not run instead.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from core.settings import ROOT
from evals.runner.results import SPLITS, GateFailure, Gates, Report

DEFAULT_GATES = ROOT / "evals" / "gates.toml"


class GateConfigError(ValueError):
    pass


def _threshold(path: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GateConfigError(f"{path}: {where} must be a number")
    if not 0 <= value <= 1:
        raise GateConfigError(f"{path}: {where} = {value} is not in [0, 1]")
    return float(value)


def load_gates(path: Path = DEFAULT_GATES) -> Gates:
    """`{suite: {split: {metric: threshold}}}`; the suite table's own keys are the dev split."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise GateConfigError(f"{path}: {error}") from None
    gates: Gates = {}
    for suite, table in data.items():
        if not isinstance(table, dict):
            raise GateConfigError(f"{path}: [{suite}] must be a table of metric = threshold")
        splits = gates.setdefault(suite, {})
        for key, value in table.items():
            if not isinstance(value, dict):
                splits.setdefault("dev", {})[key] = _threshold(path, f"{suite}.{key}", value)
                continue
            if key not in SPLITS:
                raise GateConfigError(
                    f"{path}: [{suite}.{key}]: unknown split {key!r} (splits: {', '.join(SPLITS)})"
                )
            for metric, threshold in value.items():
                where = f"{suite}.{key}.{metric}"
                splits.setdefault(key, {})[metric] = _threshold(path, where, threshold)
    return gates


def gate_name(suite: str, split: str, metric: str) -> str:
    """`escalation.f1` for dev, `escalation.blind.f1` for another split (as in the TOML)."""
    return f"{suite}.{metric}" if split == "dev" else f"{suite}.{split}.{metric}"


def check(report: Report, gates: Gates) -> list[GateFailure]:
    failures: list[GateFailure] = []
    for run in report.runs:
        for suite in run.suites:
            if suite.status == "skipped":
                continue
            if suite.status == "error":
                failures.append(
                    GateFailure(
                        run=run.label,
                        suite=suite.name,
                        split=suite.split,
                        metric="*",
                        score=None,
                        threshold=0.0,
                        message=f"suite errored: {suite.reason}",
                    )
                )
                continue
            for metric, threshold in gates.get(suite.name, {}).get(suite.split, {}).items():
                score = suite.metrics.get(metric)
                if score is None:
                    message = f"metric {metric!r} was not reported"
                elif score < threshold:
                    message = f"{score:.3f} < {threshold:.3f}"
                else:
                    continue
                failures.append(
                    GateFailure(
                        run=run.label,
                        suite=suite.name,
                        split=suite.split,
                        metric=metric,
                        score=score,
                        threshold=threshold,
                        message=message,
                    )
                )
    return failures
