"""Statements the docs make in more than one place say the same thing, and match the code.

A newcomer copies the checkpointer path from the package docstring into langgraph.json, and
sizes production Redis from the README: both must be the forms that work.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import graphs.checkpoint
from core.settings import ROOT
from evals.runner.gate import load_gates


def test_the_docstring_shows_the_checkpointer_path_langgraph_json_uses() -> None:
    configured = json.loads((ROOT / "langgraph.json").read_text())["checkpointer"]["path"]
    shown = re.findall(r'"checkpointer": \{"path": "([^"]+)"\}', graphs.checkpoint.__doc__ or "")
    assert shown == [configured]


def test_readme_and_checkpoint_doc_ask_for_the_same_redis() -> None:
    pattern = re.compile(r"any Redis ≥ (\d+(?:\.\d+)?)")
    readme = set(pattern.findall((ROOT / "README.md").read_text()))
    checkpoint_doc = set(pattern.findall((ROOT / "docs" / "checkpoint.md").read_text()))
    assert readme and readme == checkpoint_doc == {"7.0"}


def test_the_eval_tables_in_the_docs_show_todays_gates() -> None:
    """Every gate printed in a Scores table of docs/evals.md (the `gate` column for dev, a
    `blind gate` column for blind) is the threshold evals/gates.toml sets today."""
    gates = load_gates()  # {suite: {split: {metric: threshold}}}
    text = (ROOT / "docs" / "evals.md").read_text()
    shown = 0
    for table in re.findall(r"^┃ suite .*?┘", text, re.M | re.S):
        lines = table.splitlines()
        header = [c.strip() for c in lines[0].strip().strip("┃").split("┃")]
        suite = ""
        for line in lines[1:]:
            if not line.startswith("│"):
                continue
            cells = dict(
                zip(header, (c.strip() for c in line.strip().strip("│").split("│")), strict=True)
            )
            suite = cells["suite"] or suite
            for column, split in (("gate", "dev"), ("blind gate", "blind")):
                if cells.get(column):
                    shown += 1
                    threshold = float(cells[column].removeprefix("≥ "))
                    assert threshold == gates[suite][split][cells["metric"]], (suite, split, cells)
    assert shown > 10


def test_no_doc_repeats_a_paragraph() -> None:
    """A scripted doc edit once wrote one paragraph after every character of a file (50 MB)."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        name = path.relative_to(ROOT)
        assert path.stat().st_size < 400_000, f"{name} is {path.stat().st_size} bytes"
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")]
        counts = Counter(p for p in paragraphs if len(p) > 120)
        repeated = sorted(p[:60] for p, n in counts.items() if n > 1)
        assert not repeated, f"{name} repeats: {repeated}"
