"""Helpers for the eval runner tests: run the CLI in a subprocess with private output dirs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.settings import ROOT


def run_cli(
    *args: str, timeout: float = 240, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m evals ...` from the repository root, offline model, no TTY (no progress bar)."""
    env = {**os.environ, "LLM_PROVIDER": "offline", "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "evals", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def private_dirs(tmp_path: Path, cache: Path | None = None) -> list[str]:
    """Reports and cache (unless given) in the test's folder, never in reports/ or
    var/evals-cache/."""
    return ["--out", str(tmp_path / "reports"), "--cache-dir", str(cache or tmp_path / "cache")]
