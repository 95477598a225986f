"""Command line of the demo back office.

    python -m mcp_servers.backoffice load [--seed N] [--today YYYY-MM-DD] [--path P] [--replace]

Generates the demo data and loads it into the SQLite file the CRM/POS/Promotion servers read.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from core.errors import SwitchboardError
from core.settings import load_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.store import load


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mcp_servers.backoffice")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("load", help="generate the demo data and load it into SQLite")
    cmd.add_argument("--seed", type=int, help="data seed (default: DEMO_SEED)")
    cmd.add_argument(
        "--today", type=date.fromisoformat, help="reference date YYYY-MM-DD (default: today)"
    )
    cmd.add_argument("--path", type=Path, help="SQLite file (default: BACKOFFICE_DB_PATH)")
    cmd.add_argument(
        "--replace", action="store_true", help="overwrite different data already in the file"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings()
    seed = settings.demo_seed if args.seed is None else args.seed
    today = args.today or date.today()
    path = args.path or settings.backoffice_db_path
    started = time.perf_counter()
    try:
        result = load(generate(seed, today), path, replace=args.replace)
    except SwitchboardError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    state = "loaded" if result.loaded else "already loaded (no change)"
    print(f"{path}: {state} in {elapsed:.2f}s  seed={seed} today={today.isoformat()}")
    for name, count in result.counts.items():
        print(f"  {name:<10} {count:>5}")
    print(f"  golden: eligible {GOLDEN.eligible.national_id} / {GOLDEN.eligible.phone}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
