"""On-disk cache of the embedded index, keyed by a hash of the documents and the models.

Embedding 60+ plans costs seconds of CPU at every start; the BM25 matrix rebuilds from token
lists in milliseconds. A directory `local-<hash>/` holds `meta.json`, `tokens.json` and
`vectors.npy`; a new hash means the promotion data (or a model) changed, so a new directory is
written atomically (temp dir + rename) and unchanged passages reuse their old vectors.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1
KEEP_GENERATIONS = 3


@dataclass
class StoredIndex:
    content_hash: str
    plan_ids: list[str]
    text_hashes: list[str]
    tokens: list[list[str]]
    vectors: np.ndarray
    embedder: str


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class IndexStore:
    """Reads and writes `local-<hash>` generations under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, content_hash: str) -> Path:
        return self.root / f"local-{content_hash}"

    def load(self, content_hash: str) -> StoredIndex | None:
        """The stored generation for this hash, or None if absent or unreadable (then rebuild)."""
        path = self.path_for(content_hash)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION or meta.get("content_hash") != content_hash:
                return None
            tokens = json.loads((path / "tokens.json").read_text(encoding="utf-8"))
            vectors = np.load(path / "vectors.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError):
            return None
        if not (len(meta["plan_ids"]) == len(tokens) == vectors.shape[0]):
            return None
        return StoredIndex(
            content_hash,
            meta["plan_ids"],
            meta["text_hashes"],
            tokens,
            vectors,
            meta["embedder"],
        )

    def save(self, index: StoredIndex) -> Path:
        """Write a generation atomically; a concurrent writer of the same hash is harmless."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.path_for(index.content_hash)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=self.root))
        try:
            np.save(tmp / "vectors.npy", np.asarray(index.vectors, dtype=np.float32))
            (tmp / "tokens.json").write_text(
                json.dumps(index.tokens, ensure_ascii=False, separators=(",", ":")),
                encoding="utf-8",
            )
            meta = {
                "format": FORMAT_VERSION,
                "content_hash": index.content_hash,
                "embedder": index.embedder,
                "dim": int(index.vectors.shape[1]) if index.vectors.ndim == 2 else 0,
                "plan_ids": index.plan_ids,
                "text_hashes": index.text_hashes,
                "created_at": time.time(),
            }
            # meta.json last: a generation without it is never loaded.
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            if self.load(index.content_hash) is not None:
                # Another process (a second instance, a test worker) saved this content first:
                # keep its files, which its servers may be reading right now.
                return final
            if final.exists():  # half-written by a crash, or an older format: never loaded
                shutil.rmtree(final, ignore_errors=True)
            try:
                os.replace(tmp, final)
            except OSError:
                if not (final / "meta.json").exists():
                    raise  # not a lost race with another writer: a real failure
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._prune(keep=final)
        return final

    def reusable_vectors(self, embedder: str) -> dict[str, np.ndarray]:
        """Vectors of earlier generations by text hash, so an edit re-embeds only what changed."""
        found: dict[str, np.ndarray] = {}
        for meta_path in sorted(self.root.glob("local-*/meta.json"), key=_mtime, reverse=True):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                if meta.get("format") != FORMAT_VERSION or meta.get("embedder") != embedder:
                    continue
                vectors = np.load(meta_path.parent / "vectors.npy", mmap_mode="r")
            except (OSError, ValueError):
                continue
            for row, key in enumerate(meta.get("text_hashes", [])):
                if key not in found and row < vectors.shape[0]:
                    found[key] = np.array(vectors[row], dtype=np.float32)
        return found

    def _prune(self, *, keep: Path) -> None:
        generations = sorted(self.root.glob("local-*"), key=_mtime, reverse=True)
        for path in [p for p in generations if p != keep][KEEP_GENERATIONS - 1 :]:
            shutil.rmtree(path, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
