"""Dev and blind splits: scored apart, reported side by side, gated apart, never overlapping.

The runner tests use throwaway split files in the test's folder (the escalation policy scores
them for real); the guard tests read the shipped files, so nobody "moves" a case between dev and
blind to flatter a split.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import Console

from core.settings import get_settings
from evals.runner import cli
from evals.runner.cache import ResultCache
from evals.runner.engine import Compare, RunPlan, execute
from evals.runner.html import render_html
from evals.runner.registry import SUITES, load_suite
from evals.runner.report import print_report, write_reports
from evals.runner.results import Report
from evals.runner.schema import DatasetError
from evals.runner.suite import RunContext, split_overlaps
from evals.suites.eligibility import EligibilitySuite
from evals.suites.escalation import EscalationSuite

# Labelled by hand from what a supervisor wants (not from what the policy does).
DEV = [
    ("d1", "轉人工", "zh-TW", True, "user_request"),
    ("d2", "請問這個月的帳單金額是多少？", "zh-TW", False, None),
    ("d3", "I want to speak to a human agent, now.", "en", True, "user_request"),
]
BLIND = [
    ("b1", "我不需要真人客服，謝謝，問題已經解決了", "zh-TW", False, None),
    ("b2", "Please connect me to a real person", "en", True, "user_request"),
    ("b3", "What time does the store open on Sunday?", "en", False, None),
    ("b4", "我要投訴，幫我找主管", "zh-TW", True, "user_request"),
]


def row(case: tuple[str, str, str, bool, str | None]) -> dict[str, Any]:
    case_id, text, language, escalate, reason = case
    return {
        "id": case_id,
        "text": text,
        "language": language,
        "expected_escalate": escalate,
        "expected_reason": reason,
    }


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def escalation_suite(dev: Path, blind: Path) -> EscalationSuite:
    """The real escalation suite on throwaway split files."""

    class Throwaway(EscalationSuite):
        dataset = dev
        extra_splits: ClassVar[dict[str, Path]] = {"blind": blind}

    return Throwaway()


@pytest.fixture
def splits(tmp_path: Path) -> tuple[Path, Path]:
    dev = write(tmp_path / "devset.jsonl", [row(c) for c in DEV])
    blind = write(tmp_path / "blind.jsonl", [row(c) for c in BLIND])
    return dev, blind


def execute_plan(
    suites: list[Any], cache: ResultCache, splits: tuple[str, ...] = ("dev", "blind"), **kw: Any
) -> Report:
    plan = RunPlan(suites, get_settings(), "offline", cache=cache, splits=splits, **kw)
    return asyncio.run(execute(plan))


# --- the guard --------------------------------------------------------------------------------


def suites_with_blind() -> list[str]:
    return [name for name in SUITES if "blind" in load_suite(name).splits]


def test_escalation_retrieval_side_chat_and_knowledge_declare_a_blind_split() -> None:
    assert suites_with_blind() == ["retrieval", "escalation", "side_chat", "knowledge"]
    for name in suites_with_blind():
        assert load_suite(name).text_field  # what "the same case" means for that suite


@pytest.mark.parametrize("name", ["retrieval", "escalation", "side_chat", "knowledge"])
def test_a_blind_file_shares_no_id_and_no_text_with_its_dev_file(name: str) -> None:
    suite = load_suite(name)
    if "blind" not in suite.present_splits():
        pytest.skip(f"{suite.splits['blind']} not written yet")
    loaded = {split: suite.load(split) for split in ("dev", "blind")}
    assert split_overlaps(suite, loaded) == []


@pytest.mark.parametrize(
    ("blind_row", "problem"),
    [
        (row(("d2", "換一句話問", "zh-TW", False, None)), "id 'd2' is also in the dev split"),
        (row(("b9", "轉人工", "zh-TW", True, "user_request")), "'b9' repeats the text of dev 'd1'"),
        # case, spacing and full-width letters do not make a different case
        (
            row(("b9", "i want to speak to a  HUMAN agent, now.", "en", True, "user_request")),
            "'b9' repeats the text of dev 'd3'",
        ),
        (
            row(("b9", "Ｉ want to speak to a human agent, now.", "en", True, "user_request")),
            "'b9' repeats the text of dev 'd3'",
        ),
    ],
)
def test_an_overlapping_blind_row_stops_the_run(
    splits: tuple[Path, Path], blind_row: dict[str, Any], problem: str
) -> None:
    dev, blind = splits
    write(blind, [row(c) for c in BLIND] + [blind_row])
    suite = escalation_suite(dev, blind)
    with pytest.raises(DatasetError) as caught:
        suite.load_splits()
    assert str(caught.value) == f"{blind}: {problem}"


def test_distinct_splits_load_side_by_side(splits: tuple[Path, Path]) -> None:
    loaded = escalation_suite(*splits).load_splits()
    assert {k: [r.id for r in v] for k, v in loaded.items()} == {
        "dev": ["d1", "d2", "d3"],
        "blind": ["b1", "b2", "b3", "b4"],
    }


# --- the runner -------------------------------------------------------------------------------


def test_each_split_is_scored_on_its_own_cases(tmp_path: Path, splits: tuple[Path, Path]) -> None:
    report = execute_plan([escalation_suite(*splits)], ResultCache(tmp_path / "cache"))
    results = report.runs[0].suites
    assert [(s.name, s.split, s.status) for s in results] == [
        ("escalation", "dev", "ok"),
        ("escalation", "blind", "ok"),
    ]
    assert [c.id for c in results[0].cases] == ["d1", "d2", "d3"]
    assert [c.id for c in results[1].cases] == ["b1", "b2", "b3", "b4"]
    # each split's F1 is rebuilt from its own cases only
    for result in results:
        tp = sum(
            c.details["expected"]["escalate"] and c.details["actual"]["escalate"]
            for c in result.cases
        )
        assert result.info["tp"] == tp
    (summary,) = report.summary
    f1 = next(m for m in summary.metrics if m.metric == "f1")
    assert f1.scores == {"dev": results[0].metrics["f1"], "blind": results[1].metrics["f1"]}
    assert {k: v.cases for k, v in summary.splits.items()} == {"dev": 3, "blind": 4}


def test_a_missing_blind_file_is_absent_not_an_error(
    tmp_path: Path, splits: tuple[Path, Path]
) -> None:
    dev, blind = splits
    blind.unlink()
    report = execute_plan([escalation_suite(dev, blind)], ResultCache(tmp_path / "cache"))
    assert [(s.split, s.status) for s in report.runs[0].suites] == [("dev", "ok")]
    assert report.splits == ["dev"]


def test_split_selection_and_a_suite_without_the_split(
    tmp_path: Path, splits: tuple[Path, Path]
) -> None:
    cache = ResultCache(tmp_path / "cache")
    suites = [EligibilitySuite(), escalation_suite(*splits)]
    blind_only = execute_plan(suites, cache, splits=("blind",))
    assert [(s.name, s.split, s.status) for s in blind_only.runs[0].suites] == [
        ("eligibility", "blind", "skipped"),
        ("escalation", "blind", "ok"),
    ]
    assert blind_only.runs[0].suites[0].reason == "no blind split"
    dev_only = execute_plan(suites, cache, splits=("dev",))
    assert [(s.name, s.split) for s in dev_only.runs[0].suites] == [
        ("eligibility", "dev"),
        ("escalation", "dev"),
    ]


def test_a_case_moved_between_splits_keeps_its_cached_score(
    tmp_path: Path, splits: tuple[Path, Path]
) -> None:
    dev, blind = splits
    cache = ResultCache(tmp_path / "cache")
    first = execute_plan([escalation_suite(dev, blind)], cache)
    before = {c.id: c for s in first.runs[0].suites for c in s.cases}
    write(dev, [row(c) for c in DEV[:2]])
    write(blind, [row(c) for c in [*BLIND, DEV[2]]])  # d3 moves, unchanged
    second = execute_plan([escalation_suite(dev, blind)], cache)
    dev_result, blind_result = second.runs[0].suites
    assert (dev_result.evaluated, blind_result.evaluated) == (0, 0)
    moved = next(c for c in blind_result.cases if c.id == "d3")
    assert moved.cached and moved.scores == before["d3"].scores


class DecisionCounter(EscalationSuite):
    """Counts the cases it really evaluates (to show the cache serves both splits)."""

    evaluated: ClassVar[list[str]] = []

    async def evaluate(self, row: Any, ctx: RunContext) -> Any:
        self.evaluated.append(row.id)
        return await super().evaluate(row, ctx)


def test_terminal_json_and_html_show_dev_and_blind_side_by_side(
    tmp_path: Path, splits: tuple[Path, Path]
) -> None:
    report = execute_plan([escalation_suite(*splits)], ResultCache(tmp_path / "cache"))
    report.gates = {"escalation": {"dev": {"f1": 0.5}, "blind": {"recall": 0.4}}}
    console = Console(width=160, record=True, color_system=None)
    print_report(report, report.gates, console)
    text = console.export_text()
    header = next(line for line in text.splitlines() if "metric" in line)
    assert re.search(r"metric\s+┃\s+dev\s+┃\s+blind\s+┃\s+gate\s+┃\s+blind gate", header)
    assert re.search(r"│ escalation │ cases\s+│\s+3 │\s+4 │", text)
    dev_f1, blind_f1 = (s.metrics["f1"] for s in report.runs[0].suites)
    assert re.search(rf"│ f1\s+│\s+{dev_f1:.3f}(?: ✗)? │\s+{blind_f1:.3f} │ ≥ 0.50 │", text)
    assert re.search(r"│ recall .*│\s+│\s+≥ 0.40 │", text)  # in the blind gate column
    for result in report.runs[0].suites:  # failing ids named for dev, only counted for blind
        failing = [c.id for c in result.cases if not c.passed]
        named = f"escalation/{result.split} [{len(failing)} failing]: {', '.join(failing)}"
        counted = f"escalation/{result.split} [{len(failing)} failing] (not named"
        line = named if result.split == "dev" else counted
        assert (line in text) == bool(failing), (result.split, text)
        if result.split == "blind":
            assert not any(f"blind [{len(failing)} failing]: " in t for t in text.splitlines())

    saved = json.loads(report.model_dump_json())
    (summary,) = saved["summary"]
    assert summary["splits"]["dev"]["cases"] == 3 and summary["splits"]["blind"]["cases"] == 4
    rows = {m["metric"]: m for m in summary["metrics"]}
    assert rows["f1"]["scores"] == {"dev": dev_f1, "blind": blind_f1}
    assert rows["f1"]["gates"] == {"dev": 0.5} and rows["recall"]["gates"] == {"blind": 0.4}
    assert Report.model_validate_json(report.model_dump_json()).summary == report.summary

    html = render_html(report)
    table = html.split("<h2>Scores</h2>", 1)[1].split("</table>", 1)[0]
    assert "<th>dev</th><th>blind</th><th>gate</th><th>blind gate</th>" in table
    assert f'<td class="num">{blind_f1:.3f}</td>' in table or f'fail">{blind_f1:.3f}' in table
    assert "dev: per-case results" in html and "blind: per-case results" not in html
    assert "d3" in html and "b4" not in html  # blind case ids are never shown

    json_path, _ = write_reports(report, tmp_path / "reports")
    written = json.loads(json_path.read_text(encoding="utf-8"))
    assert "b4" not in json_path.read_text(encoding="utf-8")  # nor written to disk
    (blind,) = [s for s in written["runs"][0]["suites"] if s["split"] == "blind"]
    assert len(blind["cases"]) == 4 and sum(not c["passed"] for c in blind["cases"]) == len(
        [c for c in report.runs[0].suites[1].cases if not c.passed]
    )
    assert written["summary"][0]["splits"]["blind"]["failing"] == []


def test_prompt_variants_times_splits(tmp_path: Path, splits: tuple[Path, Path]) -> None:
    DecisionCounter.evaluated.clear()

    class Counted(DecisionCounter):
        dataset = splits[0]
        extra_splits: ClassVar[dict[str, Path]] = {"blind": splits[1]}

    compare = Compare("free_chat_system", ("v1", "v2"))
    report = execute_plan([Counted()], ResultCache(tmp_path / "cache"), compare=compare)
    assert [[(s.split, s.status) for s in run.suites] for run in report.runs] == [
        [("dev", "ok"), ("blind", "ok")]
    ] * 2
    assert len(DecisionCounter.evaluated) == 7  # the policy reads no prompt: run once
    console = Console(width=120, record=True, color_system=None)  # what CI's pipe gets
    print_report(report, {}, console)
    text = console.export_text()
    assert "Scores (free_chat_system=…)" in text
    header = next(line for line in text.splitlines() if "metric" in line)
    assert re.findall(r"v\d (?:dev|blind)", header) == ["v1 dev", "v1 blind", "v2 dev", "v2 blind"]
    html = render_html(report)
    assert "<th>split</th>" in html and "escalation/blind</figcaption>" in html


def test_cli_gates_each_split_on_its_own_figures(
    tmp_path: Path,
    splits: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(EscalationSuite, "dataset", splits[0])
    monkeypatch.setattr(EscalationSuite, "extra_splits", {"blind": splits[1]})
    monkeypatch.setattr(cli, "configure_logging", lambda settings: None)  # keep pytest's logging
    gates = tmp_path / "gates.toml"
    # a blind gate on a metric the suite does not report can only fail on the blind split
    gates.write_text("[escalation]\nf1 = 0.0\n[escalation.blind]\nspecificity = 0.5\n", "utf-8")
    args = ["run", "escalation", "--gate", "--gates", str(gates), "--no-progress"]
    args += ["--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert (
        "GATE FAILED (1):\n  escalation.blind.specificity: metric 'specificity' was not reported"
        in out
    )

    assert cli.main([*args, "--split", "dev"]) == 0  # the blind split did not run: not gated
    out = capsys.readouterr().out
    assert "gate passed" in out and "blind" not in out.split("Cases")[0]
    saved = json.loads((tmp_path / "out" / "evals.json").read_text(encoding="utf-8"))
    assert [s["split"] for s in saved["runs"][0]["suites"]] == ["dev"]


# --- the per-suite dev-set tools --------------------------------------------------------------


def test_the_escalation_tool_prints_both_splits_and_never_the_blind_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from evals.escalation import __main__ as tool

    # one wrong label per split, on purpose: an explicit request for a person marked "no"
    dev = write(
        tmp_path / "dev.jsonl", [row(c) for c in [*DEV, ("d9", "轉人工客服", "zh-TW", False, None)]]
    )
    blind = write(
        tmp_path / "blind.jsonl",
        [row(c) for c in [*BLIND, ("b9", "我要轉人工", "zh-TW", False, None)]],
    )
    monkeypatch.setattr(tool, "SPLITS", {"dev": dev, "blind": blind})
    assert tool.main([]) == 0
    out = capsys.readouterr().out
    assert "[dev] escalation" in out and "[blind] escalation" in out
    assert "轉人工客服" in out  # a dev disagreement is listed
    assert "我要轉人工" not in out  # a blind one never is
    assert re.search(r"^dev\s+4\s+[\d.]+", out, re.M) and re.search(
        r"^blind\s+5\s+[\d.]+", out, re.M
    )

    blind.unlink()
    assert tool.main(["--split", "blind"]) == 0
    assert "[blind] blind.jsonl: not written yet" in capsys.readouterr().out


def test_the_retrieval_tool_prints_both_splits_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from evals.retrieval import DEVSET_PATH
    from evals.retrieval import __main__ as tool

    lines = DEVSET_PATH.read_text(encoding="utf-8").splitlines()[:5]
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    blind = tmp_path / "blind.jsonl"
    blind.write_text("// a comment line is allowed\n" + "\n".join(lines[3:]) + "\n", "utf-8")
    monkeypatch.setattr(tool, "SPLITS", {"dev": dev, "blind": blind})
    assert tool.main(["--misses"]) == 0
    out = capsys.readouterr().out
    assert "[dev] 3 queries x 3 modes" in out and "[blind] 2 queries x 3 modes" in out
    assert "| mode | dev (n=3) R@5 / MRR | blind (n=2) R@5 / MRR |" in out
    for mode in ("bm25", "vector", "hybrid"):
        assert re.search(rf"^\| {mode} \| [\d.]+ / [\d.]+ \| [\d.]+ / [\d.]+ \|$", out, re.M)
    blind_ids = [json.loads(line)["id"] for line in lines[3:]]
    assert not any(f"  {i} " in out for i in blind_ids)  # --misses lists dev queries only
