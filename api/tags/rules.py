"""Session tag rules (seed 003 v3.0 数据验证 2), pure and tested by table.

Names 1-20 characters (trimmed, inner runs of spaces kept as one), colours as hex (`#RGB` or
`#RRGGBB`, stored upper-case `#RRGGBB`), icons a Lucide icon name, at most 10 tags on a session
(the 11th is a 409: the request is fine, the session is full), system tags never deleted.
"""

from __future__ import annotations

import re
from typing import Final

from core.errors import Conflict, InvalidInput

NAME_CHARS: Final = (1, 20)
MAX_TAGS_PER_SESSION: Final = 10
COLOR: Final = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")
ICON: Final = re.compile(r"[A-Z][A-Za-z0-9]{0,31}")


class TooManyTags(Conflict):
    code = "TOO_MANY_TAGS"


def check_name(name: str) -> str:
    text = " ".join(name.split())
    low, high = NAME_CHARS
    if not low <= len(text) <= high:
        raise InvalidInput(f"name: {low}-{high} characters (got {len(text)})",
                           code="INVALID_TAG_NAME", field="name")  # fmt: skip
    return text


def check_color(color: str) -> str:
    """`#3b82f6` → `#3B82F6`; `#abc` → `#AABBCC`; anything else is refused."""
    text = color.strip()
    if not COLOR.fullmatch(text):
        raise InvalidInput(f"color: a hex colour like #3B82F6, not {color!r}",
                           code="INVALID_COLOR", field="color")  # fmt: skip
    digits = text[1:].upper()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def check_icon(icon: str | None) -> str | None:
    if icon is None or not icon.strip():
        return None
    if not ICON.fullmatch(icon.strip()):
        raise InvalidInput(f"icon: a Lucide icon name like Battery, not {icon!r}",
                           code="INVALID_ICON", field="icon")  # fmt: skip
    return icon.strip()


def check_room(current: int) -> None:
    """A session with `current` tags may take one more only below the limit."""
    if current >= MAX_TAGS_PER_SESSION:
        raise TooManyTags(
            f"一個會話最多 {MAX_TAGS_PER_SESSION} 個標籤 / at most {MAX_TAGS_PER_SESSION} tags "
            "per session",
            limit=MAX_TAGS_PER_SESSION,
        )


def check_deletable(is_system: bool) -> None:
    if is_system:
        raise InvalidInput("系統標籤不可刪除 / a system tag cannot be deleted", code="SYSTEM_TAG")
