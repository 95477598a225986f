"""Thresholds from `evals/gates.toml`: what makes `--gate` exit non-zero.

A score below its threshold fails, so does a gated metric a suite did not report (a renamed
metric must not silently disable its gate) and a suite that errored. A skipped suite (answers
with the offline model) is not gated: it says why it did not run instead.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.settings import ROOT
from evals.runner.results import GateFailure, Report

DEFAULT_GATES = ROOT / "evals" / "gates.toml"
Gates = dict[str, dict[str, float]]


class GateConfigError(ValueError):
    pass


def load_gates(path: Path = DEFAULT_GATES) -> Gates:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise GateConfigError(f"{path}: {error}") from None
    gates: Gates = {}
    for suite, table in data.items():
        if not isinstance(table, dict):
            raise GateConfigError(f"{path}: [{suite}] must be a table of metric = threshold")
        gates[suite] = {}
        for metric, threshold in table.items():
            if isinstance(threshold, bool) or not isinstance(threshold, int | float):
                raise GateConfigError(f"{path}: {suite}.{metric} must be a number")
            if not 0 <= threshold <= 1:
                raise GateConfigError(f"{path}: {suite}.{metric} = {threshold} is not in [0, 1]")
            gates[suite][metric] = float(threshold)
    return gates


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
                        metric="*",
                        score=None,
                        threshold=0.0,
                        message=f"suite errored: {suite.reason}",
                    )
                )
                continue
            for metric, threshold in gates.get(suite.name, {}).items():
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
                        metric=metric,
                        score=score,
                        threshold=threshold,
                        message=message,
                    )
                )
    return failures
