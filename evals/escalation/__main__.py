"""`python -m evals.escalation [--devset PATH] [--rules RULES.json] [--quiet]`: print the report."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.escalation import DEVSET_PATH, format_report, load_devset, run
from graphs.supervision.policy import PolicyRules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.escalation", description=__doc__)
    parser.add_argument("--devset", type=Path, default=DEVSET_PATH, help="labelled JSONL turns")
    parser.add_argument("--rules", type=Path, help="PolicyRules JSON (default: shipped policy)")
    parser.add_argument("--quiet", action="store_true", help="metrics only, no disagreements")
    args = parser.parse_args(argv)
    rules = PolicyRules.from_json(args.rules.read_text(encoding="utf-8")) if args.rules else None
    report = run(load_devset(args.devset), rules)
    print(format_report(report, show_errors=not args.quiet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
