"""Taiwan national ID numbers: validation and masking.

Format: one letter (area) + 9 digits, the first digit 1/2 (sex); the checksum weights the two
digits of the area code 1 and 9, then the digits 8..1, then the last digit 1; total % 10 == 0.
"""

from __future__ import annotations

import re

# Area letter → two-digit code, as issued by the Ministry of the Interior.
AREA_CODES: dict[str, int] = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
_FORMAT = re.compile(r"^[A-Z][12][0-9]{8}$")
_ANYWHERE = re.compile(r"\b([A-Za-z][12]\d{8})\b")  # masking errs broad: any digits


def checksum_ok(national_id: str) -> bool:
    area = AREA_CODES[national_id[0]]
    digits = [area // 10, area % 10, *(int(c) for c in national_id[1:])]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def is_valid(national_id: str) -> bool:
    """True when the ID has the right shape and checksum."""
    return bool(_FORMAT.match(national_id)) and checksum_ok(national_id)


def normalise(national_id: str) -> str:
    return national_id.strip().upper()


def with_checksum(prefix: str) -> str:
    """Complete a letter + 8 digits with the check digit (used by the demo data)."""
    for last in "0123456789":
        if checksum_ok(prefix + last):
            return prefix + last
    raise ValueError(prefix)  # unreachable: one digit always fits


def mask(national_id: str) -> str:
    """A12****789: the form staff see and logs keep."""
    if len(national_id) < 7:
        return "*" * len(national_id)
    return national_id[:3] + "*" * (len(national_id) - 6) + national_id[-3:]


def mask_in_text(text: str) -> str:
    """Mask every national-ID-shaped token in free text (log lines, messages)."""
    return _ANYWHERE.sub(lambda m: mask(m.group(1)), text)
