"""Datasets are validated row by row; a bad row names its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.runner import cli
from evals.runner.registry import SUITES, load_suite
from evals.runner.schema import DatasetError, EligibilityRow, SideChatRow, load_jsonl
from evals.suites.eligibility import EligibilitySuite

GOOD = {
    "id": "ok-1",
    "kind": "renewal",
    "rule": "clean line",
    "renewal_type": "single",
    "expected": {"eligible": True},
}


def write(path: Path, *rows: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(SUITES))
def test_every_shipped_dataset_validates(name: str) -> None:
    loaded = load_suite(name).load_splits()  # every split present, and none overlaps dev
    assert loaded["dev"] and all(loaded.values())


def test_a_broken_row_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    bad = {**GOOD, "id": "bad", "expected": {"eligible": "perhaps"}}
    path = write(tmp_path / "set.jsonl", GOOD, {**GOOD, "id": "ok-2"}, bad)
    with pytest.raises(DatasetError) as caught:
        load_jsonl(path, EligibilityRow)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: ")
    assert "expected.eligible" in message


def test_invalid_json_and_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", GOOD, "", "// a comment", '{"id": "x", ')
    with pytest.raises(DatasetError, match=r"set\.jsonl:4: "):
        load_jsonl(path, EligibilityRow)


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ({**GOOD, "colour": "red"}, "colour"),  # unknown field
        ({**GOOD, "renewal_type": None}, "needs renewal_type"),
        ({**GOOD, "expected": {"eligible": False, "reasons": ["DEBT"]}}, "reasons"),
        (
            {**GOOD, "expected": {"eligible": False, "reasons": ["min_tenure_months"]}},
            "not renewal reason codes",
        ),
        ({**GOOD, "expected": {"eligible": True, "reasons": ["BLACKLISTED"]}}, "exactly when"),
        ({**GOOD, "kind": "promotion"}, "needs promotion"),
    ],
)
def test_rule_violations_are_refused(tmp_path: Path, row: dict[str, object], fragment: str) -> None:
    path = write(tmp_path / "set.jsonl", row)
    with pytest.raises(DatasetError, match=r"set\.jsonl:1: ") as caught:
        load_jsonl(path, EligibilityRow)
    assert fragment in str(caught.value)


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", GOOD, {**GOOD, "rule": "again"})
    with pytest.raises(
        DatasetError, match=r"set\.jsonl:2: duplicate id 'ok-1' \(first on line 1\)"
    ):
        load_jsonl(path, EligibilityRow)


def test_side_chat_rows_need_a_language(tmp_path: Path) -> None:
    path = write(tmp_path / "chat.jsonl", {"id": "q", "question": "hi", "expected_tool": None})
    with pytest.raises(DatasetError, match=r"chat\.jsonl:1: language"):
        load_jsonl(path, SideChatRow)


def test_the_cli_stops_with_status_2_and_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {**GOOD, "id": "typo", "renewal_typ": "single"}
    path = write(tmp_path / "eligibility.jsonl", GOOD, bad)
    monkeypatch.setattr(EligibilitySuite, "dataset", path)
    monkeypatch.setattr(cli, "configure_logging", lambda settings: None)  # keep pytest's logging
    status = cli.main(
        [
            "run",
            "eligibility",
            "--out",
            str(tmp_path),
            "--cache-dir",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert status == 2
    assert f"{path}:2: " in capsys.readouterr().err
