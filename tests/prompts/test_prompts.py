"""Prompt files: every one valid, versions selectable, mistakes caught before a chat sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from core.settings import Settings
from prompts import (
    PROMPTS_DIR,
    PromptInvalid,
    PromptNotFound,
    get_prompt,
    list_prompts,
    load_prompt,
    validate_all,
)
from tools.llm import dump_context, read_context

REQUIRED = {
    "free_chat_system",
    "comparison_narrative",
    "plan_recommendation_report",
    "escalation_summary",
    "customer_chat_system",
}
GOOD = """name = "demo"
version = 1
description = "a demo prompt"
variables = ["question", "history"]

[[messages]]
role = "system"
template = "Answer {question} with literal {{braces}}."

[[messages]]
role = "placeholder"
variable = "history"
"""


def settings(**versions: str) -> Settings:
    return Settings(_env_file=None, prompt_versions=versions)  # type: ignore[call-arg]


def write(root: Path, text: str, name: str = "demo", version: str = "v1") -> Path:
    path = root / name / f"{version}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_prompt_file_is_valid_and_renders():
    specs = validate_all()

    assert {spec.name for spec in specs} >= REQUIRED
    for spec in specs:
        template = spec.to_template()
        assert set(template.input_variables) | set(template.optional_variables) == set(
            spec.variables
        ), spec.label
        values = {name: f"<{name}>" for name in template.input_variables}
        messages = template.format_messages(**values)
        text = "".join(str(m.content) for m in messages)
        assert all(f"<{name}>" in text for name in values), spec.label
        assert "{" not in text.replace("{{", ""), f"{spec.label}: unrendered field"


def test_list_prompts_names_versions():
    listed = list_prompts()

    assert set(listed) >= REQUIRED
    assert listed["free_chat_system"] == ["v1", "v2"]
    assert all(versions[0] == "v1" for versions in listed.values())


def test_active_version_is_newest_unless_pinned():
    newest = load_prompt("free_chat_system", settings=settings())
    pinned = load_prompt("free_chat_system", settings=settings(free_chat_system="v1"))
    explicit = load_prompt("free_chat_system", "2", settings=settings(free_chat_system="v1"))

    assert newest.metadata == {"prompt_name": "free_chat_system", "prompt_version": "v2"}
    assert pinned.metadata == {"prompt_name": "free_chat_system", "prompt_version": "v1"}
    assert explicit.metadata is not None and explicit.metadata["prompt_version"] == "v2"


def test_free_chat_versions_are_drop_in_and_carry_the_context_block():
    context = {"phone_number": "0912345678", "candidate_plans": [{"plan_id": "P010"}]}
    v1, v2 = (get_prompt("free_chat_system", v) for v in ("v1", "v2"))

    assert v1.variables == v2.variables
    for version in ("v1", "v2"):
        messages = load_prompt("free_chat_system", version).format_messages(
            context_json=dump_context(context),
            today="2026-03-02",
            history=[HumanMessage("方案 A 是什麼？")],
        )
        assert isinstance(messages[0], SystemMessage) and isinstance(messages[-1], HumanMessage)
        assert read_context(messages) == context


def test_history_placeholder_is_optional():
    messages = load_prompt("customer_chat_system").format_messages(
        today="2026-03-02", business_hours="09:00-21:00"
    )
    assert len(messages) == 1


@pytest.mark.parametrize(
    ("name", "version", "message"),
    [
        ("no_such_prompt", None, "unknown prompt 'no_such_prompt'"),
        ("free_chat_system", "v9", "has no version v9 .requested; available: v1, v2"),
        ("free_chat_system", "latest", "is not like 'v2'"),
    ],
)
def test_unknown_name_or_version_is_a_clear_error(name: str, version: str | None, message: str):
    with pytest.raises(PromptNotFound, match=message):
        load_prompt(name, version, settings=settings())


def test_pinned_version_that_does_not_exist_names_the_setting():
    with pytest.raises(PromptNotFound, match="PROMPT_VERSIONS"):
        load_prompt("escalation_summary", settings=settings(escalation_summary="v3"))


def test_a_good_file_loads_from_any_folder(tmp_path: Path):
    write(tmp_path, GOOD)

    template = load_prompt("demo", directory=tmp_path, settings=settings())

    assert template.format_messages(question="Q")[0].content == "Answer Q with literal {braces}."


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("Answer {question}", "Answer {question} {tone}"), "undeclared variables: tone"),
        (
            ('["question", "history"]', '["question", "history", "extra"]'),
            "unused variables: extra",
        ),
        (("{{braces}}", "{braces"), "bad template"),
        (('name = "demo"', 'name = "other"'), "does not match its folder"),
        (("version = 1", "version = 2"), "does not match the file name"),
        (('description = "a demo prompt"', 'description = " "'), "description is empty"),
        (('role = "system"', 'role = "tool"'), "role must be one of"),
        (('variable = "history"', 'variable = ""'), "placeholder needs 'variable'"),
        (("version = 1", 'version = "one"'), "'version' must be a int"),
        (("[[messages]]", "[[messages"), "demo"),  # TOML syntax error names the file
    ],
)
def test_broken_files_fail_validation(tmp_path: Path, change: tuple[str, str], error: str):
    write(tmp_path, GOOD.replace(*change, 1))

    with pytest.raises(PromptInvalid, match=error):
        validate_all(tmp_path)


def test_prompt_folder_holds_only_prompt_files():
    stray = [
        p.name for p in PROMPTS_DIR.iterdir() if p.is_file() and p.suffix not in (".py", ".md")
    ]
    assert stray == []
