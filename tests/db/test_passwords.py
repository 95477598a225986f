"""bcrypt hashing (cost 12) and the password rule."""

from __future__ import annotations

import pytest

from core.security.passwords import (
    BCRYPT_COST,
    hash_password,
    hash_password_async,
    is_acceptable,
    needs_rehash,
    password_problems,
    verify_password,
    verify_password_async,
)


@pytest.fixture(scope="module")
def demo_hash() -> str:
    return hash_password("Demo1234")


def test_hash_is_bcrypt_2b_cost_12(demo_hash: str) -> None:
    assert BCRYPT_COST == 12
    assert demo_hash.startswith("$2b$12$") and len(demo_hash) == 60
    assert not needs_rehash(demo_hash)


def test_verify(demo_hash: str) -> None:
    assert verify_password("Demo1234", demo_hash)
    assert not verify_password("demo1234", demo_hash)


@pytest.mark.parametrize("broken", ["", "not-a-hash", "$2b$12$short", "$1$abc$def"])
def test_verify_with_unusable_hash_is_false(broken: str) -> None:
    assert verify_password("Demo1234", broken) is False


def test_over_72_bytes_is_refused_not_truncated(demo_hash: str) -> None:
    long = "Demo1234" + "x" * 70
    assert not verify_password(long, demo_hash)
    with pytest.raises(ValueError, match="72 bytes"):
        hash_password(long, rounds=4)


def test_needs_rehash_for_other_costs() -> None:
    cheap = hash_password("Demo1234", rounds=4)
    assert cheap.startswith("$2b$04$")
    assert needs_rehash(cheap)
    assert verify_password("Demo1234", cheap)


async def test_async_helpers_run_off_the_loop() -> None:
    hashed = await hash_password_async("Async123", rounds=4)
    assert await verify_password_async("Async123", hashed)
    assert not await verify_password_async("Async124", hashed)


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Demo1234", []),
        ("abcdefg1", []),
        ("密碼password9", []),
        ("Ab1", ["at least 8 characters"]),
        ("abcdefgh", ["at least one digit"]),
        ("12345678", ["at least one letter"]),
        ("", ["at least 8 characters", "at least one letter", "at least one digit"]),
        (
            "        ",
            ["at least one letter", "at least one digit", "no leading or trailing spaces"],
        ),
        (" Demo1234", ["no leading or trailing spaces"]),
        ("密碼密碼密碼密碼1", ["at least one letter"]),  # CJK is not a letter here: ASCII A-Z
        ("a1" + "é" * 36, ["at most 72 bytes"]),
    ],
)
def test_password_rule(password: str, problems: list[str]) -> None:
    assert password_problems(password) == problems
    assert is_acceptable(password) is (problems == [])
