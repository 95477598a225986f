from __future__ import annotations

from pathlib import Path

import pytest

from .documents import CJK_FONT


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    if not CJK_FONT.exists():
        pytest.skip(f"CJK PDF cases need {CJK_FONT} (Debian package fonts-noto-cjk)")
    return CJK_FONT
