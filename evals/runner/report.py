"""Reports: the terminal table (rich), the JSON file, and the HTML file (see `html.py`).

The terminal shows one row per metric with its gate next to it, one column per prompt variant,
then a per-suite line (cases, passed, evaluated vs cached, time) and the failing case ids, so
a red number is one look away from the case to open in the HTML report.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from evals.runner.gate import Gates
from evals.runner.html import render_html
from evals.runner.results import Report, SuiteResult

MAX_LISTED_FAILURES = 8


def _score_cell(score: float | None, threshold: float | None) -> str:
    if score is None:
        return "-"
    text = f"{score:.3f}"
    if threshold is not None and score < threshold:
        return f"[bold red]{text} ✗[/]"
    return f"[green]{text}[/]" if threshold is not None else text


def scores_table(report: Report, gates: Gates) -> Table:
    labels = [run.label for run in report.runs]
    table = Table(title="Scores", show_lines=False, header_style="bold")
    table.add_column("suite")
    table.add_column("metric")
    for label in labels:
        table.add_column(label if len(labels) > 1 else "score", justify="right")
    table.add_column("gate", justify="right")
    first = report.runs[0]
    for suite in first.suites:
        table.add_section()
        if suite.status != "ok":
            note = f"[yellow]{suite.status}[/] (reason below)"
            table.add_row(suite.name, note, *([""] * len(labels)), "")
            continue
        thresholds = gates.get(suite.name, {})
        metrics = list(suite.metrics)
        metrics += [m for m in thresholds if m not in suite.metrics]
        for index, metric in enumerate(metrics):
            threshold = thresholds.get(metric)
            cells = []
            for run in report.runs:
                other = run.suite(suite.name)
                score = other.metrics.get(metric) if other and other.status == "ok" else None
                cells.append(_score_cell(score, threshold))
            gate = f"≥ {threshold:.2f}" if threshold is not None else ""
            table.add_row(suite.name if index == 0 else "", metric, *cells, gate)
    return table


def runs_table(report: Report) -> Table:
    table = Table(title="Cases", header_style="bold")
    for name, justify in (
        ("run", "left"),
        ("suite", "left"),
        ("status", "left"),
        ("cases", "right"),
        ("passed", "right"),
        ("evaluated", "right"),
        ("cached", "right"),
        ("seconds", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for run in report.runs:
        for suite in run.suites:
            table.add_row(
                run.label,
                suite.name,
                suite.status,
                str(len(suite.cases)),
                str(suite.passed),
                str(suite.evaluated),
                str(suite.cached),
                f"{suite.seconds:.1f}",
            )
    return table


def failing_cases(suite: SuiteResult) -> str | None:
    failed = [c.id + (" (error)" if c.error else "") for c in suite.cases if not c.passed]
    if not failed:
        return None
    shown = ", ".join(failed[:MAX_LISTED_FAILURES])
    more = f" … +{len(failed) - MAX_LISTED_FAILURES}" if len(failed) > MAX_LISTED_FAILURES else ""
    return f"{suite.name} [{len(failed)} failing]: {shown}{more}"


def print_report(report: Report, gates: Gates, console: Console) -> None:
    console.print(scores_table(report, gates))
    console.print(runs_table(report))
    for run in report.runs:
        prefix = f"{run.label}: " if len(report.runs) > 1 else ""
        for suite in run.suites:
            if suite.status != "ok":
                console.print(
                    f"{prefix}{suite.name} {suite.status}: {suite.reason}",
                    markup=False,
                    soft_wrap=True,
                )
            elif line := failing_cases(suite):
                console.print(f"{prefix}{line}", highlight=False, markup=False, soft_wrap=True)
    if report.comparison:
        changed = report.comparison.diff.count("\n")
        console.print(
            f"prompt diff {report.comparison.prompt} "
            f"{' → '.join(report.comparison.versions)}: {changed} lines (see HTML)"
        )
    if report.gate_checked:
        if report.gate_failures:
            console.print(f"[bold red]GATE FAILED[/] ({len(report.gate_failures)}):")
            for f in report.gate_failures:
                where = f" [{f.run}]" if len(report.runs) > 1 else ""
                console.print(f"  {f.suite}.{f.metric}{where}: {f.message}", markup=False)
        else:
            console.print("[bold green]gate passed[/]")


def write_reports(report: Report, out: Path) -> tuple[Path, Path]:
    """`<out>/evals.json` and `<out>/evals.html` (overwritten: CI keeps them as artifacts)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "evals.json", out / "evals.html"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
