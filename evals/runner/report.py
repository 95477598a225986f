"""Reports: the terminal table (rich), the JSON file, and the HTML file (see `html.py`).

The terminal shows one row per metric with the splits side by side (dev | blind, one pair per
prompt variant) and the gates next to them, a `cases` row with each split's case count, then a
per-split line (cases, passed, evaluated vs cached, time) and the failing case ids per split, so
a red number is one look away from the case to open in the HTML report.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from evals.runner.gate import Gates, gate_name
from evals.runner.html import render_html
from evals.runner.results import (
    UNNAMED_SPLITS,
    CaseResult,
    Report,
    SuiteResult,
    SuiteSummary,
    summarize_splits,
)

MAX_LISTED_FAILURES = 8


def _score_cell(score: float | None, threshold: float | None) -> str:
    if score is None:
        return "-"
    text = f"{score:.3f}"
    if threshold is not None and score < threshold:
        return f"[bold red]{text} ✗[/]"
    return f"[green]{text}[/]" if threshold is not None else text


def gated_splits(report: Report, gates: Gates) -> list[str]:
    """Splits with a gate column: dev always, another split once a suite in the run gates it."""
    names = {s.name for run in report.runs for s in run.suites}
    gated = {split for name in names for split, table in gates.get(name, {}).items() if table}
    return ["dev", *(s for s in report.splits if s != "dev" and s in gated)]


def variant_labels(labels: list[str]) -> tuple[dict[str, str], str]:
    """Short column labels for prompt variants (`v1` for `free_chat_system=v1`, the shared
    `free_chat_system=` goes to the title) so variants × splits fit a 120-column terminal."""
    prefixes = {label.partition("=")[0] + "=" for label in labels if "=" in label}
    if len(labels) < 2 or len(prefixes) != 1 or any("," in label for label in labels):
        return {label: label for label in labels}, ""
    (prefix,) = prefixes
    return {label: label.removeprefix(prefix) for label in labels}, prefix


def scores_table(report: Report, gates: Gates) -> Table:
    splits = report.splits
    many = len(report.runs) > 1
    columns = [(run, split) for run in report.runs for split in splits]
    gate_splits = gated_splits(report, gates)
    labels, common = variant_labels([run.label for run in report.runs])
    title = f"Scores ({common}…)" if common else "Scores"
    table = Table(title=title, show_lines=False, header_style="bold")
    table.add_column("suite")
    table.add_column("metric")
    for run, split in columns:
        table.add_column(f"{labels[run.label]} {split}" if many else split, justify="right")
    for split in gate_splits:
        table.add_column("gate" if split == "dev" else f"{split} gate", justify="right")
    summaries = {
        (run.label, name): summarize_splits(run, name, gates)
        for run in report.runs
        for name in dict.fromkeys(s.name for s in run.suites)
    }
    for name in dict.fromkeys(s.name for s in report.runs[0].suites):
        table.add_section()
        found = [summaries.get((run.label, name)) for run, _ in columns]
        statuses = {x.status for summary in found if summary for x in summary.splits.values()}
        if "ok" not in statuses:
            note = f"[yellow]{'/'.join(sorted(statuses))}[/] (reason below)"
            table.add_row(name, note, *([""] * (len(columns) + len(gate_splits))))
            continue
        table.add_row(
            name,
            "[dim]cases[/]",
            *(
                _count_cell(summary, split)
                for summary, (_, split) in zip(found, columns, strict=True)
            ),
            *([""] * len(gate_splits)),
        )
        for row in found[0].metrics if found[0] else []:
            cells = [
                _score_cell(
                    summary.score(row.metric, split) if summary else None, row.gates.get(split)
                )
                for summary, (_, split) in zip(found, columns, strict=True)
            ]
            gate_cells = [f"≥ {row.gates[s]:.2f}" if s in row.gates else "" for s in gate_splits]
            table.add_row("", row.metric, *cells, *gate_cells)
    return table


def _count_cell(summary: SuiteSummary | None, split: str) -> str:
    part = summary.splits.get(split) if summary else None
    if part is None:
        return "-"
    if part.status != "ok":
        return f"[yellow]{part.status}[/]"
    return f"[dim]{part.cases}[/]"


def runs_table(report: Report) -> Table:
    table = Table(title="Cases", header_style="bold")
    for name, justify in (
        ("run", "left"),
        ("suite", "left"),
        ("split", "left"),
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
                suite.split,
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
    if suite.split in UNNAMED_SPLITS:
        return f"{suite.name}/{suite.split} [{len(failed)} failing] (not named: never tuned on)"
    shown = ", ".join(failed[:MAX_LISTED_FAILURES])
    more = f" … +{len(failed) - MAX_LISTED_FAILURES}" if len(failed) > MAX_LISTED_FAILURES else ""
    return f"{suite.name}/{suite.split} [{len(failed)} failing]: {shown}{more}"


def print_report(report: Report, gates: Gates, console: Console) -> None:
    console.print(scores_table(report, gates))
    console.print(runs_table(report))
    for run in report.runs:
        prefix = f"{run.label}: " if len(report.runs) > 1 else ""
        for suite in run.suites:
            if suite.status != "ok":
                console.print(
                    f"{prefix}{suite.name}/{suite.split} {suite.status}: {suite.reason}",
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
                name = gate_name(f.suite, f.split, f.metric)
                console.print(f"  {name}{where}: {f.message}", markup=False)
        else:
            console.print("[bold green]gate passed[/]")


def published(report: Report) -> Report:
    """The report as written to disk: blind splits keep their figures and counts but not their
    cases, so no file a developer opens lists blind questions and what the engine answered."""
    copy = report.model_copy(deep=True)
    for run in copy.runs:
        for suite in run.suites:
            if suite.split in UNNAMED_SPLITS:
                suite.cases = [
                    CaseResult(id=f"{suite.split}#{n}", passed=c.passed, scores=c.scores)
                    for n, c in enumerate(suite.cases, start=1)
                ]
    return copy


def write_reports(report: Report, out: Path) -> tuple[Path, Path]:
    """`<out>/evals.json` and `<out>/evals.html` (overwritten: CI keeps them as artifacts)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "evals.json", out / "evals.html"
    json_path.write_text(published(report).model_dump_json(indent=2), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
