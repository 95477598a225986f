"""What a quick reply may look like and who may share a shortcut (seed 003 v3.0 数据验证 1).

Pure functions, tested by table: title 1-100 characters, content 1-2000, shortcut `Ctrl+1` …
`Ctrl+9`, variables written `{variable_name}`. A shortcut belongs to whoever sees the reply: a
shared reply's shortcut is everyone's, a personal one its owner's, so two replies conflict when
one person would see both under the same keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from core.errors import InvalidInput
from graphs.supervision.auto_reply import VARIABLE, fill, variables_in

TITLE_CHARS: Final = (1, 100)
CONTENT_CHARS: Final = (1, 2000)
SHORTCUT: Final = re.compile(r"Ctrl\+[1-9]")
MAX_VARIABLES: Final = 20


@dataclass(frozen=True)
class ReplyText:
    title: str
    content: str
    shortcut: str | None
    variables: list[str]


def _length(value: str, bounds: tuple[int, int], field: str) -> str:
    text = value.strip()
    low, high = bounds
    if not low <= len(text) <= high:
        raise InvalidInput(f"{field}: {low}-{high} characters (got {len(text)})",
                           code="INVALID_LENGTH", field=field)  # fmt: skip
    return text


def check_shortcut(shortcut: str | None) -> str | None:
    """`Ctrl+[1-9]` or nothing; `ctrl+3` is read as `Ctrl+3`."""
    if shortcut is None or not shortcut.strip():
        return None
    text = shortcut.strip()
    text = "Ctrl" + text[4:] if text[:4].lower() == "ctrl" else text
    if not SHORTCUT.fullmatch(text):
        raise InvalidInput(f"shortcut must look like Ctrl+1 … Ctrl+9, not {shortcut!r}",
                           code="INVALID_SHORTCUT", field="shortcut")  # fmt: skip
    return text


def check_variables(content: str, declared: Sequence[str] | None) -> list[str]:
    """The reply's variables: as declared (each `{name}`), else those its content uses."""
    if declared is None:
        return variables_in(content)
    seen: dict[str, None] = {}
    for name in declared:
        if not isinstance(name, str) or not VARIABLE.fullmatch(name.strip()):
            raise InvalidInput(f"variables: {name!r} is not {{variable_name}}",
                               code="INVALID_VARIABLE", field="variables")  # fmt: skip
        seen.setdefault(name.strip(), None)
    if len(seen) > MAX_VARIABLES:
        raise InvalidInput(f"at most {MAX_VARIABLES} variables", code="INVALID_VARIABLE",
                           field="variables")  # fmt: skip
    return list(seen)


def check_reply(
    title: str, content: str, shortcut: str | None, variables: Sequence[str] | None
) -> ReplyText:
    """A new reply's fields, trimmed and checked (400 with the field's code otherwise)."""
    title = _length(title, TITLE_CHARS, "title")
    content = _length(content, CONTENT_CHARS, "content")
    return ReplyText(title, content, check_shortcut(shortcut), check_variables(content, variables))


def shortcut_conflicts(owner: str, shared: bool, existing: Iterable[tuple[str, bool]]) -> bool:
    """Whether a reply of `owner` (shared or not) would collide with replies using the same
    shortcut, given as (created_by, is_shared)."""
    return any(shared or other_shared or other == owner for other, other_shared in existing)


def visible_to(viewer: str, created_by: str, is_shared: bool) -> bool:
    """Shared replies are everyone's; a personal one only its creator's."""
    return is_shared or created_by == viewer


def filled(content: str, values: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The text with its variables filled, and the variables nothing could fill (left as
    written, so the agent sees what to complete before sending)."""
    text = fill(content, values)
    return text, variables_in(text)
