"""docs/graphs/*.mmd match the graph code (regenerate with `python -m graphs.diagrams`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs import diagrams
from graphs.renewal.steps import Step


def test_committed_diagrams_are_up_to_date() -> None:
    texts, _ = diagrams.render_all()
    stale = diagrams.stale_files(diagrams.expected_files(texts))
    assert not stale, f"stale: {[p.name for p in stale]}; run `python -m graphs.diagrams`"


def test_renewal_diagram_draws_every_step_and_the_comparison() -> None:
    text = diagrams.mermaid(diagrams.GRAPHS["renewal"])
    assert all(f"\t{step.value}({step.value})" in text for step in Step)
    assert "compare_plans --> select_plan;" in text


def test_check_fails_on_a_stale_file_and_passes_after_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagrams, "DOCS_DIR", tmp_path)
    monkeypatch.setattr(diagrams, "ROOT", tmp_path.parent)
    assert diagrams.main(["--check"]) == 1  # nothing written yet
    assert diagrams.main([]) == 0
    assert diagrams.main(["--check"]) == 0
    (tmp_path / "renewal.mmd").write_text("graph TD;\n", encoding="utf-8")
    assert diagrams.main(["--check"]) == 1


def test_a_graph_that_does_not_exist_yet_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> object:
        raise ModuleNotFoundError("No module named 'graphs.future'")

    monkeypatch.setitem(diagrams.GRAPHS, "future", missing)  # type: ignore[arg-type]
    texts, skipped = diagrams.render_all()
    assert "future" not in texts and "graphs.future" in skipped["future"]
