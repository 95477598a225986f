"""Per-case result cache: a re-run evaluates only what changed.

The key is the case (id + content hash), the model (for suites that call one), the versions and
text of the prompts the suite reads, and a fingerprint of the code under test (its source
files), so editing a rule, a node or a prompt invalidates exactly the affected entries. Entries
are JSON files under `var/evals-cache/<suite>/` (git-ignored); deleting the folder is safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.settings import ROOT, VAR_DIR
from evals.runner.results import CaseResult

DEFAULT_CACHE_DIR = VAR_DIR / "evals-cache"


@lru_cache(maxsize=64)
def _fingerprint(patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def code_fingerprint(patterns: Iterable[str]) -> str:
    """Hash of the files matching these globs (relative to the repository root)."""
    return _fingerprint(tuple(patterns))


def cache_key(**parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ResultCache:
    """`get`/`put` case results by key; `enabled=False` reads nothing but still writes."""

    def __init__(self, directory: Path = DEFAULT_CACHE_DIR, *, enabled: bool = True) -> None:
        self.directory = directory
        self.enabled = enabled

    def _path(self, suite: str, key: str) -> Path:
        return self.directory / suite / f"{key}.json"

    def get(self, suite: str, key: str) -> CaseResult | None:
        if not self.enabled:
            return None
        path = self._path(suite, key)
        try:
            result = CaseResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        result.cached = True
        return result

    def put(self, suite: str, key: str, result: CaseResult) -> None:
        """Atomic write: a run killed halfway never leaves a half-written entry."""
        path = self._path(suite, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(result.model_dump_json())
        os.replace(tmp, path)
