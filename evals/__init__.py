"""Evaluations: datasets under `evals/datasets/`, one suite per module in `evals/suites/`, and the
runner in `evals/runner/` (`python -m evals run all --gate`). See docs/evals.md."""
