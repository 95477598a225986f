"""`python -m evals`: run suites, compare prompt versions, gate CI on thresholds.

    python -m evals run all --gate
    python -m evals run escalation retrieval --split blind
    python -m evals run side_chat --model openai:http://127.0.0.1:8001/v1
    python -m evals run side_chat --compare free_chat_system=v1,v2
    python -m evals list | check

Exit status: 0 fine, 1 a gate failed or a suite errored, 2 bad arguments, configuration or
dataset (the message names the file and line).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgressBar

from core.errors import SwitchboardError
from core.logging import configure_logging
from core.settings import ROOT, Settings, get_settings
from evals.runner.cache import DEFAULT_CACHE_DIR, ResultCache
from evals.runner.engine import Compare, RunPlan, execute
from evals.runner.gate import DEFAULT_GATES, GateConfigError, check, load_gates
from evals.runner.registry import SUITES, UnknownSuite, load_suite, select
from evals.runner.report import print_report, write_reports
from evals.runner.results import SPLITS, SuiteResult
from evals.runner.schema import DatasetError, where
from prompts import get_prompt


class UsageError(ValueError):
    pass


class BarProgress:
    """One bar per suite; the suffix counts cache hits so a warm run is visibly instant."""

    def __init__(self, console: Console) -> None:
        self.bar = RichProgressBar(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}
        self.hits: dict[str, int] = {}

    def start(self, suite: str, total: int) -> None:
        self.bar.start()
        self.hits[suite] = 0
        self.tasks[suite] = self.bar.add_task(suite, total=total, note="")

    def advance(self, suite: str, cached: bool) -> None:
        self.hits[suite] += cached
        self.bar.update(self.tasks[suite], advance=1, note=f"{self.hits[suite]} cached")

    def finish(self, suite: str, result: SuiteResult) -> None:
        if suite not in self.tasks:  # skipped before it started
            self.tasks[suite] = self.bar.add_task(suite, total=1, completed=1, note="")
        note = result.status if result.status != "ok" else f"{result.cached} cached"
        self.bar.update(self.tasks[suite], note=note)

    def stop(self) -> None:
        self.bar.stop()


def parse_model(spec: str, settings: Settings) -> tuple[dict[str, Any], str]:
    """`offline` | `azure` | `openai` | `openai:<base url>` → (settings update, cache label)."""
    if spec == "offline":
        return {"llm_provider": "offline"}, "offline"
    if spec == "azure":
        label = f"azure:{settings.azure_openai_endpoint}:{settings.azure_openai_deployment}"
        return {"llm_provider": "azure"}, label
    if spec == "openai" or spec.startswith("openai:"):
        url = spec.partition(":")[2] or settings.openai_base_url
        label = f"openai:{url or 'api.openai.com'}:{settings.llm_model}"
        return {"llm_provider": "openai", "openai_base_url": url or None}, label
    raise UsageError(f"--model {spec!r}: use offline, azure, openai or openai:<base url>")


def parse_pins(items: Sequence[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for item in items:
        name, sep, version = item.partition("=")
        if not sep or not name or not version:
            raise UsageError(f"--prompt {item!r}: use <name>=<version>, e.g. free_chat_system=v1")
        pins[name] = f"v{get_prompt(name, version).version}"  # raises PromptNotFound
    return pins


def parse_compare(spec: str | None) -> Compare | None:
    if spec is None:
        return None
    name, sep, versions = spec.partition("=")
    parts = [v.strip() for v in versions.split(",") if v.strip()]
    if not sep or len(parts) != 2:
        raise UsageError(f"--compare {spec!r}: use <name>=<v1>,<v2>")
    first, second = (f"v{get_prompt(name, v).version}" for v in parts)
    return Compare(name, (first, second))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run suites and write the reports")
    run.add_argument("suites", nargs="+", metavar="suite", help=f"{', '.join(SUITES)} or all")
    run.add_argument(
        "--model",
        default=None,
        help="offline | azure | openai | openai:<url> (default: LLM_PROVIDER)",
    )
    run.add_argument(
        "--prompt",
        action="append",
        default=[],
        metavar="NAME=VERSION",
        help="pin a prompt version (repeatable)",
    )
    run.add_argument("--compare", metavar="NAME=V1,V2", help="run twice, one prompt version each")
    run.add_argument(
        "--split",
        choices=[*SPLITS, "all"],
        default="all",
        help="dataset split to score (default all: every split present, side by side)",
    )
    run.add_argument("--gate", action="store_true", help="exit 1 when a score is below its gate")
    run.add_argument("--gates", type=Path, default=DEFAULT_GATES, help="thresholds TOML file")
    run.add_argument("--out", type=Path, default=ROOT / "reports", help="report folder")
    run.add_argument("--no-cache", action="store_true", help="evaluate every case again")
    run.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    run.add_argument("--no-progress", action="store_true")
    run.add_argument(
        "-v", "--verbose", action="store_true", help="keep LOG_LEVEL (default WARNING)"
    )
    sub.add_parser("list", help="suites, their splits and datasets")
    sub.add_parser("check", help="validate every dataset (and that splits do not overlap)")
    return parser


def _list(console: Console) -> int:
    for name in SUITES:
        suite = load_suite(name)
        present = suite.present_splits()
        for split, path in suite.splits.items():
            count = f"{len(suite.load(split)):>4} cases" if split in present else "  (absent)"
            console.print(
                f"{name:<12} {split:<6} {count}  {where(path)}  {suite.title}", highlight=False
            )
    return 0


def _check(console: Console) -> int:
    for name in SUITES:
        loaded = load_suite(name).load_splits()
        counts = ", ".join(f"{split} {len(rows)}" for split, rows in loaded.items())
        console.print(f"{name:<12} ok ({counts} rows)", highlight=False)
    return 0


def _run(args: argparse.Namespace, console: Console) -> int:
    base = get_settings()
    update: dict[str, Any] = {} if args.verbose else {"log_level": "WARNING"}
    model_update, label = parse_model(args.model or base.llm_provider, base)
    settings = base.model_copy(update={**update, **model_update})
    configure_logging(settings)
    if settings.llm_provider != "offline":
        from tools.llm import build_primary_model

        build_primary_model(settings)  # LlmNotConfigured names the missing settings
    gates = load_gates(args.gates)
    plan = RunPlan(
        suites=select(args.suites),
        settings=settings,
        model_label=label,
        pins=parse_pins(args.prompt),
        compare=parse_compare(args.compare),
        cache=ResultCache(args.cache_dir, enabled=not args.no_cache),
        splits=SPLITS if args.split == "all" else (args.split,),
    )
    for suite in plan.suites:  # every dataset is valid, no split overlaps, before anything slow
        suite.load_splits()
    stderr = Console(stderr=True)
    progress = None if args.no_progress or not stderr.is_terminal else BarProgress(stderr)
    try:
        report = asyncio.run(execute(plan, progress))
    finally:
        if progress is not None:
            progress.stop()
    report.gates = gates
    if args.gate:
        report.gate_checked = True
        report.gate_failures = check(report, gates)
    print_report(report, gates, console)
    json_path, html_path = write_reports(report, args.out)
    console.print(f"reports: {json_path} {html_path}", highlight=False)
    errored = any(s.status == "error" for run in report.runs for s in run.suites)
    return 1 if report.gate_failures or errored else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 120)
    try:
        if args.command == "list":
            return _list(console)
        if args.command == "check":
            return _check(console)
        return _run(args, console)
    except (DatasetError, UsageError, GateConfigError, UnknownSuite) as error:
        print(f"evals: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    except SwitchboardError as error:  # PromptNotFound, LlmNotConfigured
        print(f"evals: {error.message}", file=sys.stderr)
        return 2
