"""Versioned prompt files and their loader.

Each prompt is a TOML file `prompts/<name>/v<N>.toml` (stdlib `tomllib`, no YAML dependency):

    name = "free_chat_system"
    version = 1
    description = "why this prompt exists"
    variables = ["context_json", "today"]      # every input, placeholders included

    [[messages]]
    role = "system"                            # system | human | ai | placeholder
    template = \"\"\"... {context_json} ...\"\"\"  # f-string syntax, literal braces doubled

    [[messages]]
    role = "placeholder"
    variable = "history"                       # optional MessagesPlaceholder

`load_prompt(name)` returns the active version: `PROMPT_VERSIONS` (e.g.
`{"free_chat_system": "v1"}`) pins one, else the highest wins. `load_prompt(name, "v1")` picks
one explicitly (evals compare versions). Declared variables must equal the variables used: a
typo in a template fails loading (and the test that validates every file), not a live chat.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

from core.errors import NotFound, SwitchboardError
from core.settings import Settings, get_settings

PROMPTS_DIR = Path(__file__).resolve().parent
ROLES = ("system", "human", "ai", "placeholder")
_VERSION = re.compile(r"^[vV]?(\d+)$")


class PromptNotFound(NotFound):
    code = "PROMPT_NOT_FOUND"


class PromptInvalid(SwitchboardError):
    code = "PROMPT_INVALID"


@dataclass(frozen=True)
class PromptSpec:
    """One prompt file, parsed and validated."""

    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    messages: tuple[tuple[str, str], ...]  # (role, template) or ("placeholder", variable)
    path: Path

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"

    def to_template(self) -> ChatPromptTemplate:
        parts: list[Any] = [
            MessagesPlaceholder(text, optional=True) if role == "placeholder" else (role, text)
            for role, text in self.messages
        ]
        template = ChatPromptTemplate.from_messages(parts)
        template.metadata = {"prompt_name": self.name, "prompt_version": f"v{self.version}"}
        return template


def parse_version(version: str | int) -> int:
    """`2`, `"2"`, `"v2"` → 2."""
    match = _VERSION.match(str(version).strip())
    if not match:
        raise PromptNotFound(f"prompt version {version!r} is not like 'v2'")
    return int(match.group(1))


def used_variables(template: str) -> set[str]:
    """Names a f-string template reads; a stray single brace is an error, not a silent bug."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as error:
        raise PromptInvalid(f"bad template syntax: {error}") from None
    names = set()
    for field in fields:
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not name.isidentifier():
            raise PromptInvalid(f"bad template field {{{field}}} (double literal braces)")
        names.add(name)
    return names


@lru_cache(maxsize=256)  # prompt files are versioned, never edited in place: read once
def read_prompt(path: Path) -> PromptSpec:
    """Parse and validate one file; every mistake is a `PromptInvalid` naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PromptInvalid(f"{path}: {error}") from None
    try:
        spec = _spec(path, data)
    except PromptInvalid as error:
        raise PromptInvalid(f"{path.parent.name}/{path.name}: {error.message}") from None
    return spec


def _spec(path: Path, data: dict[str, Any]) -> PromptSpec:
    for key, kind in (
        ("name", str),
        ("version", int),
        ("description", str),
        ("variables", list),
        ("messages", list),
    ):
        if not isinstance(data.get(key), kind):
            raise PromptInvalid(f"'{key}' must be a {kind.__name__}")
    if data["name"] != path.parent.name:
        raise PromptInvalid(f"name {data['name']!r} does not match its folder")
    if f"v{data['version']}" != path.stem:
        raise PromptInvalid(f"version {data['version']} does not match the file name")
    if not data["description"].strip():
        raise PromptInvalid("description is empty")
    messages: list[tuple[str, str]] = []
    used: set[str] = set()
    for item in data["messages"]:
        role = item.get("role") if isinstance(item, dict) else None
        if role not in ROLES:
            raise PromptInvalid(f"message role must be one of {', '.join(ROLES)}")
        if role == "placeholder":
            variable = item.get("variable")
            if not isinstance(variable, str) or not variable.isidentifier():
                raise PromptInvalid("a placeholder needs 'variable'")
            messages.append((role, variable))
            used.add(variable)
            continue
        text = item.get("template")
        if not isinstance(text, str) or not text.strip():
            raise PromptInvalid(f"a {role} message needs a non-empty 'template'")
        messages.append((role, text))
        used |= used_variables(text)
    declared = set(data["variables"])
    if len(declared) != len(data["variables"]):
        raise PromptInvalid("a variable is declared twice")
    if undeclared := used - declared:
        raise PromptInvalid(f"uses undeclared variables: {', '.join(sorted(undeclared))}")
    if unused := declared - used:
        raise PromptInvalid(f"declares unused variables: {', '.join(sorted(unused))}")
    return PromptSpec(
        name=data["name"],
        version=data["version"],
        description=data["description"].strip(),
        variables=tuple(data["variables"]),
        messages=tuple(messages),
        path=path,
    )


def catalogue(directory: Path = PROMPTS_DIR) -> dict[str, dict[int, Path]]:
    """name → version → file, from the folder layout (cheap: no file is parsed)."""
    return {name: dict(versions) for name, versions in _catalogue(directory).items()}


@lru_cache(maxsize=8)
def _catalogue(directory: Path) -> dict[str, dict[int, Path]]:
    found: dict[str, dict[int, Path]] = {}
    for path in sorted(directory.glob("*/v*.toml")):
        match = _VERSION.match(path.stem)
        if match:
            found.setdefault(path.parent.name, {})[int(match.group(1))] = path
    return found


def list_prompts(directory: Path = PROMPTS_DIR) -> dict[str, list[str]]:
    """name → available versions, oldest first: {"free_chat_system": ["v1", "v2"], ...}."""
    return {name: [f"v{v}" for v in sorted(vs)] for name, vs in catalogue(directory).items()}


def get_prompt(
    name: str,
    version: str | int | None = None,
    *,
    settings: Settings | None = None,
    directory: Path = PROMPTS_DIR,
) -> PromptSpec:
    """The spec of `name` at `version`, else the PROMPT_VERSIONS pin, else the newest."""
    versions = catalogue(directory).get(name)
    if not versions:
        known = ", ".join(sorted(catalogue(directory))) or "none"
        raise PromptNotFound(f"unknown prompt {name!r} (known: {known})", prompt=name)
    source = "requested"
    if version is None:
        pinned = (settings or get_settings()).prompt_versions.get(name)
        version, source = (pinned, "PROMPT_VERSIONS") if pinned else (max(versions), "newest")
    number = parse_version(version)
    if number not in versions:
        have = ", ".join(f"v{v}" for v in sorted(versions))
        raise PromptNotFound(
            f"prompt {name!r} has no version v{number} ({source}; available: {have})",
            prompt=name,
        )
    return read_prompt(versions[number])


def load_prompt(
    name: str,
    version: str | int | None = None,
    *,
    settings: Settings | None = None,
    directory: Path = PROMPTS_DIR,
) -> ChatPromptTemplate:
    """A `ChatPromptTemplate` for `name` (see `get_prompt` for which version)."""
    return get_prompt(name, version, settings=settings, directory=directory).to_template()


def preload(directory: Path = PROMPTS_DIR) -> None:
    """Read every prompt file now (call it in a thread at startup), so serving a graph never
    touches the disk from the event loop; `langgraph dev` refuses blocking calls there."""
    validate_all(directory)


def validate_all(directory: Path = PROMPTS_DIR) -> list[PromptSpec]:
    """Every prompt file parsed and checked; raises on the first bad one."""
    return [
        read_prompt(path)
        for versions in catalogue(directory).values()
        for path in versions.values()
    ]


__all__ = [
    "PROMPTS_DIR",
    "PromptInvalid",
    "PromptNotFound",
    "PromptSpec",
    "catalogue",
    "get_prompt",
    "list_prompts",
    "load_prompt",
    "parse_version",
    "preload",
    "read_prompt",
    "validate_all",
]
