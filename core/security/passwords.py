"""bcrypt password hashing and the password rule.

Cost 12 (~0.25 s per hash) is the point: it makes offline guessing slow. The same cost makes a
hash block an event loop, so async code uses the `*_async` helpers, which run in a thread.
bcrypt only reads 72 bytes; longer passwords are refused by the rule instead of being silently
truncated (two passwords sharing the first 72 bytes would otherwise both verify).
"""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

import bcrypt

from core.errors import InvalidInput

BCRYPT_COST = 12
MIN_LENGTH = 8
MAX_BYTES = 72

_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")


def password_problems(password: str) -> list[str]:
    """Why `password` breaks the rule (empty list when it is fine): >= 8 chars, letters + digits."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_BYTES:
        problems.append(f"at most {MAX_BYTES} bytes")
    if not _LETTER.search(password):
        problems.append("at least one letter")
    if not _DIGIT.search(password):
        problems.append("at least one digit")
    if password != password.strip():
        problems.append("no leading or trailing spaces")
    return problems


def is_acceptable(password: str) -> bool:
    return not password_problems(password)


def require_acceptable(password: str, *, field: str) -> None:
    """Raise 400 INVALID_PASSWORD naming `field` when `password` breaks the rule.

    The one place the rule's refusal is worded, for self-service changes and admin resets alike.
    The message lists what is missing, never the password itself.
    """
    problems = password_problems(password)
    if problems:
        raise InvalidInput(
            f"{field}: 密碼需至少 8 個字元並包含字母與數字 / " + ", ".join(problems),
            code="INVALID_PASSWORD",
            field=field,
        )


def hash_password(password: str, *, rounds: int = BCRYPT_COST) -> str:
    """A `$2b$12$...` hash (60 ASCII chars). Refuses > 72 bytes rather than truncating."""
    secret = password.encode("utf-8")
    if len(secret) > MAX_BYTES:
        raise ValueError(f"password longer than {MAX_BYTES} bytes")
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; False for a wrong password or an unusable hash."""
    secret = password.encode("utf-8")
    if len(secret) > MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(secret, password_hash.encode("ascii"))
    except ValueError:
        return False


def needs_rehash(password_hash: str, *, rounds: int = BCRYPT_COST) -> bool:
    """True when the hash was made with another cost (rehash after the next good login)."""
    parts = password_hash.split("$")
    return len(parts) < 4 or parts[1] != "2b" or parts[2] != f"{rounds:02d}"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("dummy-password-0")


def burn_verify_time(password: str) -> None:
    """Spend a verify's time for an unknown login name, so timing does not reveal which exist."""
    verify_password(password, _dummy_hash())


async def hash_password_async(password: str, *, rounds: int = BCRYPT_COST) -> str:
    return await asyncio.to_thread(hash_password, password, rounds=rounds)


async def verify_password_async(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(verify_password, password, password_hash)


async def burn_verify_time_async(password: str) -> None:
    await asyncio.to_thread(burn_verify_time, password)
