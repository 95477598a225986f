"""Statements the docs make in more than one place say the same thing, and match the code.

A newcomer copies the checkpointer path from the package docstring into langgraph.json, and
sizes production Redis from the README: both must be the forms that work.
"""

from __future__ import annotations

import json
import re

import graphs.checkpoint
from core.settings import ROOT


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
    import tomllib

    gates = tomllib.loads((ROOT / "evals" / "gates.toml").read_text())
    text = (ROOT / "docs" / "evals.md").read_text()
    shown = re.findall(r"│ (\w+)?\s*│ ([\w.@]+)\s*│\s*[\d.]+(?: ✗)?\s*│ ≥ ([\d.]+) │", text)
    assert len(shown) > 10
    suite = ""
    for name, metric, gate in shown:
        suite = name or suite
        assert float(gate) == gates[suite][metric], (suite, metric, gate)
