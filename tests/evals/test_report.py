"""The reports: HTML with the suite names and inline SVG charts, JSON that reads back."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from core.settings import get_settings
from evals.runner.cache import ResultCache
from evals.runner.engine import RunPlan, execute, prompt_diff
from evals.runner.html import bar_chart, render_html
from evals.runner.report import write_reports
from evals.runner.results import CaseResult, PromptComparison, Report, RunResult, SuiteResult
from evals.suites.eligibility import EligibilitySuite
from evals.suites.escalation import EscalationSuite


def real_report(tmp_path: Path) -> Report:
    plan = RunPlan(
        [EligibilitySuite(), EscalationSuite()],
        get_settings(),
        "offline",
        cache=ResultCache(tmp_path / "cache"),
        splits=("dev",),  # splits side by side: tests/evals/test_splits.py
    )
    report = asyncio.run(execute(plan))
    report.gates = {"escalation": {"dev": {"precision": 0.9}}}
    return report


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


def test_html_has_suite_names_charts_and_case_tables(tmp_path: Path) -> None:
    html = render_html(real_report(tmp_path))
    assert "eligibility" in html and "escalation" in html
    charts = svgs(html)
    assert len(charts) == 3  # overview + one per suite
    for chart in charts:
        ET.fromstring(chart)  # well-formed
    assert "esc-001" in html and "ren-01" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_reports_are_written_and_the_json_reads_back(tmp_path: Path) -> None:
    report = real_report(tmp_path)
    json_path, html_path = write_reports(report, tmp_path / "out")
    again = Report.model_validate_json(json_path.read_text(encoding="utf-8"))
    assert [s.name for s in again.runs[0].suites] == ["eligibility", "escalation"]
    assert again.runs[0].suites[0].metrics["accuracy"] == 1.0
    assert html_path.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_dataset_text_is_escaped() -> None:
    case = CaseResult(id="<script>x</script>", passed=False, details={"actual": "<b>&</b>"})
    suite = SuiteResult(name="s", title="T", status="ok", metrics={"m": 0.5}, cases=[case])
    run = RunResult(label="default", model="offline", prompt_versions={}, suites=[suite])
    html = render_html(Report(started_at="t", seconds=0, today="d", runs=[run]))
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_comparison_shows_both_versions_and_the_prompt_diff() -> None:
    diff = prompt_diff("free_chat_system", ("v1", "v2"))
    assert diff.startswith(
        "--- prompts/free_chat_system/v1.toml\n+++ prompts/free_chat_system/v2.toml"
    )
    runs = [
        RunResult(
            label=f"free_chat_system={v}",
            model="offline",
            prompt_versions={"free_chat_system": v},
            suites=[
                SuiteResult(
                    name="side_chat",
                    title="Side chat",
                    status="ok",
                    metrics={"tool_choice": score},
                    cases=[CaseResult(id="q1", passed=score > 0.5)],
                )
            ],
        )
        for v, score in (("v1", 0.9), ("v2", 0.4))
    ]
    comparison = PromptComparison(prompt="free_chat_system", versions=["v1", "v2"], diff=diff)
    html = render_html(
        Report(started_at="t", seconds=0, today="d", runs=runs, comparison=comparison)
    )
    assert "free_chat_system=v1" in html and "free_chat_system=v2" in html
    assert '<span class="add">+version = 2</span>' in html
    assert '<span class="del">-version = 1</span>' in html
    assert "-0.500" in html  # the delta column
    assert "side_chat/dev/q1</code>: pass → fail" in html
    assert len(svgs(html)) == 4  # overview, comparison, one per run


def test_bar_chart_marks_thresholds_and_missing_values() -> None:
    svg = bar_chart(["a", "b"], [("v1", [0.5, None]), ("v2", [1.0, 0.25])], [0.6, None])
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect")) == 3 + 2  # three bars + two legend swatches
    assert "gate ≥ 0.6" in svg and "n/a" in svg
