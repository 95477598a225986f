"""National IDs: only ASCII digits are digits here (Python's \\d also takes ٣ and ３)."""

from __future__ import annotations

import pytest

from core.national_id import is_valid, mask_in_text


@pytest.mark.parametrize(
    ("national_id", "valid"),
    [
        ("A123456789", True),
        ("A123456788", False),  # checksum
        ("A1٢٣٤٥٦٧٨٩", False),  # Arabic-Indic digits pass int() and the checksum
        ("A１２３４５６７８９", False),  # full-width digits
        ("a123456789", False),
    ],
)
def test_only_ascii_digits_make_a_valid_id(national_id: str, valid: bool) -> None:
    assert is_valid(national_id) is valid


def test_masking_still_catches_an_id_spelled_with_other_digits() -> None:
    assert "٢٣٤٥٦" not in mask_in_text("id A1٢٣٤٥٦٧٨٩ given")
