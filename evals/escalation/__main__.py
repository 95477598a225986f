"""`python -m evals.escalation [--split dev|blind|all] [--devset PATH] [--rules RULES.json]
[--quiet]`: print the report of each split, then dev and blind side by side.

The dev split lists its disagreements (what to work on); the blind split prints its figures
only, never its misses: it measures the engine and is not there to be tuned against.
`--devset PATH` reports on that one file instead of the splits.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.escalation import DEVSET_PATH, DevRow, Report, format_report, load_devset, run
from evals.runner.schema import load_jsonl
from graphs.supervision.policy import PolicyRules

BLIND_PATH = DEVSET_PATH.with_name("blind.jsonl")
SPLITS = {"dev": DEVSET_PATH, "blind": BLIND_PATH}


def side_by_side(reports: dict[str, Report]) -> str:
    """One line per split: n, precision, recall, F1, reason accuracy."""
    header = f"{'split':<6} {'n':>5} {'precision':>9} {'recall':>7} {'f1':>6} {'reason':>7}"
    lines = ["dev and blind side by side", header]
    for split, report in reports.items():
        m = report.overall
        lines.append(
            f"{split:<6} {len(report.outcomes):>5} {m.precision:>9.3f} {m.recall:>7.3f} "
            f"{m.f1:>6.3f} {report.reason_accuracy:>7.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.escalation", description=__doc__)
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--devset", type=Path, help="report on this labelled JSONL file only")
    parser.add_argument("--rules", type=Path, help="PolicyRules JSON (default: shipped policy)")
    parser.add_argument("--quiet", action="store_true", help="metrics only, no disagreements")
    args = parser.parse_args(argv)
    rules = PolicyRules.from_json(args.rules.read_text(encoding="utf-8")) if args.rules else None
    if args.devset:
        report = run(load_devset(args.devset), rules)
        print(format_report(report, show_errors=not args.quiet))
        return 0
    wanted = list(SPLITS) if args.split == "all" else [args.split]
    reports: dict[str, Report] = {}
    for split in wanted:
        path = SPLITS[split]
        if not path.exists():
            print(f"[{split}] {path.name}: not written yet\n")
            continue
        reports[split] = run(load_jsonl(path, DevRow), rules)  # `//` comments, file:line errors
        show = split == "dev" and not args.quiet
        print(f"[{split}] {format_report(reports[split], show_errors=show)}\n")
    if len(reports) > 1:
        print(side_by_side(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
