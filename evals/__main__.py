"""`python -m evals run <suite|all> [--gate] ...`: see `evals/runner/cli.py` and docs/evals.md."""

from evals.runner.cli import main

raise SystemExit(main())
