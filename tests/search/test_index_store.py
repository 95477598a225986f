"""The promotion index's generations on disk, as two processes starting at once see them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mcp_servers.promotion.search.store import IndexStore, StoredIndex


def generation(marker: float) -> StoredIndex:
    vectors = np.full((2, 4), marker, dtype=np.float32)
    return StoredIndex("abc123", ["p1", "p2"], ["h1", "h2"], [["a"], ["b"]], vectors, "e5")


def test_a_second_writer_of_the_same_content_keeps_the_first_ones_files(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    first = store.save(generation(1.0))
    vectors = (first / "vectors.npy").stat().st_ino  # a server of the first process reads these
    again = store.save(generation(2.0))
    assert again == first and (again / "vectors.npy").stat().st_ino == vectors
    loaded = store.load("abc123")
    assert loaded is not None and float(loaded.vectors[0, 0]) == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["local-abc123"]  # no build folder left


def test_a_half_written_or_older_format_generation_is_replaced(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    broken = store.path_for("abc123")
    broken.mkdir()
    (broken / "tokens.json").write_text("[]")  # a crash before meta.json
    store.save(generation(3.0))
    loaded = store.load("abc123")
    assert loaded is not None and float(loaded.vectors[0, 0]) == 3.0

    meta = broken / "meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": -1}))
    assert store.load("abc123") is None
    store.save(generation(4.0))
    loaded = store.load("abc123")
    assert loaded is not None and float(loaded.vectors[0, 0]) == 4.0
